using BalancedMultimodal.Core.Information;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// Tests whether an estimated dependence I(X; Y) is real, for the MI gate of <see cref="ModalityAssessor"/>.
/// The default is <see cref="RowPermutationSignificanceTest"/>; register another implementation (e.g. an adapter over
/// Core's permutation test) to replace it.
/// </summary>
public interface IMutualInformationSignificanceTest
{
    /// <summary>Estimates I(X; Y) and its p-value under the null hypothesis of independence.</summary>
    /// <param name="estimator">The estimator of I.</param>
    /// <param name="x">Samples of X, shape (n, d_x).</param>
    /// <param name="y">Samples of Y, shape (n, d_y), paired with <paramref name="x"/> by row.</param>
    /// <param name="permutations">P &gt;= 1 null estimates.</param>
    /// <param name="seed">Seed of the permutations; equal seeds give equal results.</param>
    /// <param name="cancellationToken">Checked before any estimate and between permutations (never inside an estimate);
    /// an implementation should throw an <see cref="OperationCanceledException"/> carrying it.</param>
    /// <returns>The observed estimate, the p-value and the null mean.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception); no partial result is returned.</exception>
    SignificanceResult Test(IMutualInformationEstimator estimator, double[,] x, double[,] y, int permutations, int seed,
        CancellationToken cancellationToken = default);
}
