using BalancedMultimodal.Core.Information;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// Permutation test of I(X; Y) for the MI gate, delegating to Core's <see cref="PermutationTest"/>: the rows of Y are
/// shuffled P times (seeded Fisher-Yates), which destroys the pairing but keeps both marginals, and I is re-estimated:
/// <code>
/// p = (1 + #{b : I(X; Y_pi_b) &gt;= I(X; Y)}) / (1 + P)
/// </code>
/// (the add-one form of Phipson and Smyth, 2010, never 0, exact in level).
/// </summary>
/// <remarks>Every estimate must be finite: a NaN compares false with everything, so a NaN observed estimate would give the
/// smallest p-value, 1/(P + 1), and pass the gate. The test stops at the first non-finite estimate with an
/// <see cref="InvalidOperationException"/> naming the estimator and the estimate (the observed one, or permutation b).</remarks>
public sealed class RowPermutationSignificanceTest : IMutualInformationSignificanceTest
{
    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The estimator returned a NaN or an infinity, for the observed pairing
    /// or for permutation b (1-based); the message names the estimator's <see cref="IMutualInformationEstimator.Name"/>
    /// and which estimate it was.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="estimator"/>, <paramref name="x"/> or
    /// <paramref name="y"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permutations"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception): before the observed estimate, or between two permutations (passed to <see cref="PermutationTest"/>
    /// and to the estimator's fast permuted-Y path).</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> and <paramref name="y"/> have different row counts
    /// (naming <paramref name="y"/>), or the estimator rejects the input.</exception>
    public SignificanceResult Test(IMutualInformationEstimator estimator, double[,] x, double[,] y, int permutations, int seed,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(permutations, 1);
        if (x.GetLength(0) != y.GetLength(0))
            throw new ArgumentException($"x has {x.GetLength(0)} rows but y has {y.GetLength(0)}; rows must be paired.", nameof(y));
        var checkedEstimator = new FiniteEstimates(estimator, permutations);
        var result = new PermutationTest(checkedEstimator, new PermutationTestOptions { Permutations = permutations, Seed = seed }).Run(x, y, cancellationToken);
        return new SignificanceResult(Observed: result.Estimate, NullMean: result.NullMean, PValue: result.PValue, Permutations: result.Permutations);
    }

    /// <summary>The estimator as <see cref="PermutationTest"/> calls it, each estimate checked as it comes: the first call
    /// is the observed pairing, the later ones (or the fast path's values, in order) permutations 1..P. Offers the fast
    /// permuted-Y path exactly when the wrapped estimator does, so the values and their cost are unchanged.</summary>
    private sealed class FiniteEstimates(IMutualInformationEstimator inner, int permutations) : IPermutationNullEstimator
    {
        private int _calls;

        public string Name => inner.Name;

        public double Estimate(Tensor x, Tensor y) => Check(inner.Estimate(x, y), _calls++);

        public double Estimate(double[,] x, double[,] y) => Check(inner.Estimate(x, y), _calls++);

        public double[]? EstimateWithPermutedY(Tensor x, Tensor y, IReadOnlyList<long[]> permuted, CancellationToken cancellationToken = default)
        {
            var values = (inner as IPermutationNullEstimator)?.EstimateWithPermutedY(x, y, permuted, cancellationToken);
            if (values is null) return null;
            for (int b = 0; b < values.Length; b++)
                Check(values[b], b + 1);
            _calls += values.Length;
            return values;
        }

        /// <summary>Returns a finite <paramref name="value"/>; otherwise throws naming estimate <paramref name="index"/>
        /// (0: the observed pairing, b: permutation b).</summary>
        private double Check(double value, int index)
        {
            if (double.IsFinite(value)) return value;
            string which = index == 0 ? "the observed estimate (the rows as paired)" : $"the estimate of permutation {index} of {permutations}";
            throw new InvalidOperationException(
                $"The mutual-information estimator '{inner.Name}' returned {value} for {which}; every estimate of the permutation test must be finite " +
                "(a NaN compares false with every value and would give the smallest p-value).");
        }
    }
}
