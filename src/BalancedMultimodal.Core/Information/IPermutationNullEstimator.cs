using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// An estimator that can compute I(X; Y_pi) for many row permutations pi of Y faster than one
/// <see cref="IMutualInformationEstimator.Estimate(Tensor, Tensor)"/> call per permutation, with the same values;
/// <see cref="PermutationTest"/> uses it when the estimator offers it (<see cref="KsgEstimator"/> does: it computes the
/// distance matrices once and gathers the permuted one). Implement it on a custom estimator to speed up its permutation tests.
/// </summary>
public interface IPermutationNullEstimator : IMutualInformationEstimator
{
    /// <summary>
    /// I(X; Y_pi) for every permutation, equal to <c>Estimate(x, y.index_select(0, pi))</c>; or null when the fast
    /// path does not apply (e.g. too many rows for its memory budget), in which case the caller estimates one by one.
    /// </summary>
    /// <param name="x">Samples of X, shape (n, d_x) or (n).</param>
    /// <param name="y">Samples of Y, shape (n, d_y) or (n).</param>
    /// <param name="permutations">Permutations of 0..n-1, each of length n.</param>
    /// <param name="cancellationToken">Checked before any work and between permutations (never inside a tensor
    /// operation); an implementation that loops over the permutations should check it before each.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception); no partial result is returned.</exception>
    double[]? EstimateWithPermutedY(Tensor x, Tensor y, IReadOnlyList<long[]> permutations, CancellationToken cancellationToken = default);
}
