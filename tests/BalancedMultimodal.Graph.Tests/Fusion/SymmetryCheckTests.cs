using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>
/// scikit-learn's <c>check_symmetric</c> rule as snfpy applies it to each input affinity: a matrix within
/// <c>allclose(W, W^T, rtol=1e-5, atol=1e-10)</c> is used as given, any other is replaced by <c>(W + W^T) / 2</c>.
/// </summary>
public sealed class SymmetryCheckTests
{
    private static readonly SimilarityNetworkFusion Fusion = new(new SimilarityNetworkFusionOptions { K = 5, Iterations = 3 });

    private static Tensor Symmetric(int n)
    {
        using var g = new TorchSharp.torch.Generator(41);
        using var x = rand(n, n, dtype: ScalarType.Float64, generator: g);
        return ((x + x.t()) / 2).add_(0.05);
    }

    /// <summary>W with entry (i, j) scaled by 1 + relative and (j, i) left alone.</summary>
    private static Tensor Perturbed(Tensor w, int i, int j, double relative)
    {
        var result = w.clone();
        result[i, j] = result[i, j] * (1 + relative);
        return result;
    }

    [Theory]
    [InlineData(20, 3, 17)]
    [InlineData(530, 3, 520)]     // the pair lies in an off-diagonal 512 x 512 tile pair
    [InlineData(530, 515, 528)]   // the pair lies in the last diagonal tile
    public void An_asymmetry_beyond_the_tolerance_is_averaged_away(int n, int i, int j)
    {
        using var scope = NewDisposeScope();
        var w = Symmetric(n);
        var asymmetric = Perturbed(w, i, j, 1e-3);
        var averaged = (asymmetric + asymmetric.t()) / 2;
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 5, Iterations = 1 });

        var fromAsymmetric = fusion.Fuse(new[] { asymmetric, w });
        var fromAveraged = fusion.Fuse(new[] { averaged, w });

        fromAsymmetric.allclose(fromAveraged, rtol: 0, atol: 0).Should().BeTrue("both fusions start from the same (W + W^T) / 2");
    }

    [Fact]
    public void An_asymmetry_within_the_relative_tolerance_is_left_as_given()
    {
        using var scope = NewDisposeScope();
        var w = Symmetric(20);
        var asymmetric = Perturbed(w, 3, 17, 5e-6);
        var averaged = (asymmetric + asymmetric.t()) / 2;

        var fromAsymmetric = Fusion.Fuse(new[] { asymmetric, w });
        var fromAveraged = Fusion.Fuse(new[] { averaged, w });

        (fromAsymmetric - fromAveraged).abs().max().item<double>().Should().BeGreaterThan(1e-12,
            "check_symmetric keeps a matrix within rtol = 1e-5, so the fusion sees the asymmetric entry");
    }

    [Fact]
    public void An_asymmetry_of_small_entries_within_the_absolute_tolerance_is_left_as_given()
    {
        using var scope = NewDisposeScope();
        var w = Symmetric(20);
        w[3, 17] = tensor(1e-9);
        w[17, 3] = tensor(1e-9 + 5e-11);
        var averaged = (w + w.t()) / 2;

        var fromAsymmetric = Fusion.Fuse(new[] { w, Symmetric(20) });
        var fromAveraged = Fusion.Fuse(new[] { averaged, Symmetric(20) });

        fromAsymmetric.allclose(fromAveraged, rtol: 0, atol: 0).Should().BeFalse("an absolute difference of 5e-11 is within atol = 1e-10");
    }

    [Fact]
    public void An_asymmetry_of_small_entries_beyond_the_absolute_tolerance_is_averaged_away()
    {
        using var scope = NewDisposeScope();
        var w = Symmetric(20);
        w[3, 17] = tensor(1e-9);
        w[17, 3] = tensor(1.5e-9);
        var averaged = (w + w.t()) / 2;

        var fromAsymmetric = Fusion.Fuse(new[] { w, Symmetric(20) });
        var fromAveraged = Fusion.Fuse(new[] { averaged, Symmetric(20) });

        fromAsymmetric.allclose(fromAveraged, rtol: 0, atol: 0).Should().BeTrue(
            "an absolute difference of 5e-10 exceeds atol = 1e-10 (+ 1e-5 x 1e-9), so both fusions start from the same (W + W^T) / 2");
    }

    [Fact]
    public void The_relative_tolerance_is_taken_on_the_smaller_magnitude()
    {
        // allclose(W, W^T) tests |a - b| <= atol + rtol |b| at both positions of a pair, i.e. rtol times the smaller of
        // |a| and |b|. Here |a - b| = 5.000125e-6: above 1e-10 + 1e-5 x 0.5 = 5.0001e-6 (the smaller magnitude), within
        // 1e-10 + 1e-5 x 0.500005000125 = 5.00015e-6 (the larger one).
        using var scope = NewDisposeScope();
        var w = Symmetric(20);
        w[3, 17] = tensor(0.5);
        w[17, 3] = tensor(0.5 * (1 + 1.000025e-5));
        var averaged = (w + w.t()) / 2;

        var fromAsymmetric = Fusion.Fuse(new[] { w, Symmetric(20) });
        var fromAveraged = Fusion.Fuse(new[] { averaged, Symmetric(20) });

        fromAsymmetric.allclose(fromAveraged, rtol: 0, atol: 0).Should().BeTrue(
            "the pair is not within rtol of the smaller magnitude, so check_symmetric averages it");
    }
}
