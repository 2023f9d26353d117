using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>Every argument check of <see cref="SimilarityNetworkFusion.Fuse(IReadOnlyList{Tensor}, IReadOnlyList{bool[]}, CancellationToken)"/>
/// names the offending modality, mask, row or column, and accepts the inputs at the edge of each rule.</summary>
public sealed class FusionArgumentTests
{
    private static readonly SimilarityNetworkFusion Fusion = new(new SimilarityNetworkFusionOptions { K = 3, Iterations = 2 });

    private static Tensor Affinity(int n, int seed) => SnfFixtures.RandomAffinity(n, seed, offset: 0.1);

    private static bool[] AllBut(int n, params int[] missing) => Enumerable.Range(0, n).Select(i => !missing.Contains(i)).ToArray();

    [Fact]
    public void Null_affinities_and_a_null_modality_are_rejected()
    {
        using var scope = NewDisposeScope();
        Fusion.Invoking(f => f.Fuse((IReadOnlyList<Tensor>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("affinities");
        Fusion.Invoking(f => f.Fuse(new[] { Affinity(6, 1), null! })).Should().Throw<ArgumentNullException>()
            .WithMessage("Modality 1 is null.*").WithParameterName("affinities");
    }

    [Fact]
    public void The_array_overload_names_a_null_modality_and_frees_its_copies_when_fusion_fails()
    {
        var a = new double[6, 6];
        for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) a[i, j] = 1 + ((i + j) % 3);
        var tooFew = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 6 });
        tooFew.Invoking(f => f.Fuse(new[] { a, a })).Should().Throw<ArgumentOutOfRangeException>();
        long before = LiveTensors.Count;

        tooFew.Invoking(f => f.Fuse(new[] { a, a })).Should().Throw<ArgumentOutOfRangeException>();

        LiveTensors.Count.Should().Be(before, "the tensor copies of the arrays are disposed");
        Fusion.Invoking(f => f.Fuse((IReadOnlyList<double[,]>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("affinities");
        Fusion.Invoking(f => f.Fuse(new[] { a, null! })).Should().Throw<ArgumentNullException>().WithParameterName("affinities[1]");
    }

    [Fact]
    public void The_first_modality_must_be_a_square_floating_matrix()
    {
        using var scope = NewDisposeScope();
        Fusion.Invoking(f => f.Fuse(new[] { ones(6, 5, dtype: ScalarType.Float64), Affinity(6, 1) })).Should().Throw<ArgumentException>()
            .WithMessage("Modality 0: an affinity must be square (n, n), got (6, 5).*").WithParameterName("affinities");
        Fusion.Invoking(f => f.Fuse(new[] { ones(6, dtype: ScalarType.Float64), Affinity(6, 1) })).Should().Throw<ArgumentException>()
            .WithMessage("Modality 0: an affinity must be square (n, n), got (6).*");
        Fusion.Invoking(f => f.Fuse(new[] { ones(new long[] { 6, 6 }, dtype: ScalarType.Int64), Affinity(6, 1) })).Should().Throw<ArgumentException>()
            .WithMessage("Modality 0: affinities must be float32 or float64, got Int64.*");
        Fusion.Invoking(f => f.Fuse(new[] { Affinity(6, 1), ones(6, dtype: ScalarType.Float64) })).Should().Throw<ArgumentException>()
            .WithMessage("Modality 1: an affinity must be square (n, n), got (6).*");
        Fusion.Invoking(f => f.Fuse(new[] { Affinity(6, 1), ones(6, 5, dtype: ScalarType.Float64) })).Should().Throw<ArgumentException>()
            .WithMessage("Modality 1: an affinity must be square (n, n), got (6, 5).*");
    }

    [Fact]
    public void Modalities_on_different_devices_are_rejected()
    {
        using var scope = NewDisposeScope();
        var meta = zeros(new long[] { 6, 6 }, dtype: ScalarType.Float64, device: new Device(TorchSharp.DeviceType.META));

        Fusion.Invoking(f => f.Fuse(new[] { Affinity(6, 1), meta })).Should().Throw<ArgumentException>()
            .WithMessage("Modality 1 is on meta* but modality 0 is on cpu*; use one device.*").WithParameterName("affinities");
    }

    [Fact]
    public void Masks_must_match_the_modalities_and_the_samples()
    {
        using var scope = NewDisposeScope();
        var affinities = new[] { Affinity(6, 1), Affinity(6, 2) };

        Fusion.Invoking(f => f.Fuse(affinities, new[] { AllBut(6) })).Should().Throw<ArgumentException>()
            .WithMessage("1 availability masks for 2 modalities.*").WithParameterName("availability");
        Fusion.Invoking(f => f.Fuse(affinities, new[] { AllBut(6), null! })).Should().Throw<ArgumentNullException>()
            .WithMessage("The mask of modality 1 is null.*").WithParameterName("availability");
        Fusion.Invoking(f => f.Fuse(affinities, new[] { AllBut(6), AllBut(5) })).Should().Throw<ArgumentException>()
            .WithMessage("The mask of modality 1 has 5 entries but there are 6 samples.*").WithParameterName("availability");
    }

    [Fact]
    public void An_infinite_affinity_entry_is_rejected_naming_modality_row_and_column()
    {
        using var scope = NewDisposeScope();
        var bad = Affinity(6, 2);
        bad[4, 2] = tensor(double.PositiveInfinity, dtype: ScalarType.Float64);

        Fusion.Invoking(f => f.Fuse(new[] { Affinity(6, 1), bad })).Should().Throw<ArgumentException>()
            .WithMessage($"Modality 1, row 4, column 2 holds {double.PositiveInfinity}; affinities must be finite and non-negative.*")
            .WithParameterName("affinities");
    }

    [Fact]
    public void A_row_that_sums_to_zero_is_rejected_naming_modality_and_row()
    {
        using var scope = NewDisposeScope();
        var bad = Affinity(6, 2);
        bad[3] = zeros(6, dtype: ScalarType.Float64);

        Fusion.Invoking(f => f.Fuse(new[] { Affinity(6, 1), bad })).Should().Throw<ArgumentException>()
            .WithMessage("Modality 1, row 3 sums to zero; every available sample needs a positive affinity somewhere.*")
            .WithParameterName("affinities");
    }

    [Fact]
    public void An_available_sample_whose_only_affinities_are_with_unavailable_samples_is_rejected()
    {
        using var scope = NewDisposeScope();
        var bad = Affinity(6, 2);
        bad[2] = zeros(6, dtype: ScalarType.Float64);
        bad[2, 5] = tensor(0.7, dtype: ScalarType.Float64);
        bad[0] = zeros(6, dtype: ScalarType.Float64);
        var masks = new[] { AllBut(6), AllBut(6, 0, 5) };

        Fusion.Invoking(f => f.Fuse(new[] { Affinity(6, 1), bad }, masks)).Should().Throw<ArgumentException>()
            .WithMessage("Modality 1, row 2 sums to zero*");
    }

    [Fact]
    public void An_unavailable_sample_may_have_a_zero_row_and_bad_entries()
    {
        using var scope = NewDisposeScope();
        var holes = Affinity(7, 2);
        holes[1] = zeros(7, dtype: ScalarType.Float64);
        holes[TensorIndex.Colon, 1] = full(7, double.NaN, dtype: ScalarType.Float64);
        holes[3, 4] = tensor(0.0, dtype: ScalarType.Float64);   // a zero affinity between available samples is valid
        holes[4, 3] = tensor(0.0, dtype: ScalarType.Float64);
        var masks = new[] { AllBut(7), AllBut(7, 1) };

        var fused = Fusion.Fuse(new[] { Affinity(7, 1), holes }, masks);

        fused.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void K_one_below_the_available_count_is_accepted()
    {
        using var scope = NewDisposeScope();
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 4, Iterations = 1 });
        var masks = new[] { AllBut(6), AllBut(6, 2) };

        var fused = fusion.Fuse(new[] { Affinity(6, 1), Affinity(6, 2) }, masks);

        fused.shape.Should().Equal(6, 6);
        fusion.Invoking(f => f.Fuse(new[] { Affinity(6, 1), Affinity(6, 2) }, new[] { AllBut(6), AllBut(6, 2, 3) }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*K = 4 must be below the number of samples of modality 1 (4)*");
    }

    [Fact]
    public void Options_from_the_options_pattern_are_validated_and_used()
    {
        var fusion = new SimilarityNetworkFusion(Microsoft.Extensions.Options.Options.Create(
            new SimilarityNetworkFusionOptions { K = 7, Iterations = 3, Alpha = 0.5, ProductPath = FusionProductPath.Dense }));

        fusion.Options.K.Should().Be(7);
        fusion.Options.Iterations.Should().Be(3);
        fusion.Options.Alpha.Should().Be(0.5);
        fusion.Options.ProductPath.Should().Be(FusionProductPath.Dense);
        FluentActions.Invoking(() => new SimilarityNetworkFusion((IOptions<SimilarityNetworkFusionOptions>)null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new SimilarityNetworkFusion((SimilarityNetworkFusionOptions)null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void An_undefined_product_path_is_rejected_and_every_failure_is_listed()
    {
        var act = () => new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 0, Iterations = 0, Alpha = double.PositiveInfinity, ProductPath = (FusionProductPath)7 });

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            "SimilarityNetworkFusionOptions.K must be at least 1, got 0.",
            "SimilarityNetworkFusionOptions.Iterations must be at least 1, got 0.",
            $"SimilarityNetworkFusionOptions.Alpha must be finite and non-negative, got {double.PositiveInfinity}.",
            "SimilarityNetworkFusionOptions.ProductPath has the undefined value 7.");
    }

    [Fact]
    public void The_smallest_valid_options_pass_the_validator()
    {
        new SimilarityNetworkFusionOptionsValidator().Validate(null, new SimilarityNetworkFusionOptions { K = 1, Iterations = 1, Alpha = 0 })
            .Succeeded.Should().BeTrue();
        FluentActions.Invoking(() => new SimilarityNetworkFusionOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => SimilarityNetworkFusionOptionsValidator.EnsureValid(null!)).Should().Throw<ArgumentNullException>();
    }
}
