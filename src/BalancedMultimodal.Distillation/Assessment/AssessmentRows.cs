using BalancedMultimodal.Core.Information;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>The fewest output rows on which <see cref="ModalityAssessor"/> can estimate mutual information, shared by the
/// assessor and by <c>BalancedTrainer</c>'s up-front check.</summary>
internal static class AssessmentRows
{
    /// <summary>The floor of every estimator: 3 rows.</summary>
    public const int Floor = 3;

    /// <summary>max(3, the estimators' own minimum): k + 1 for <see cref="KsgEstimator"/> (the k-th neighbour of a row
    /// must exist among the others); the other Core estimators need 2 rows or fewer.</summary>
    /// <param name="estimators">The estimators that will see the rows (null entries are ignored).</param>
    /// <returns>The minimum row count.</returns>
    public static int Minimum(params IMutualInformationEstimator?[] estimators) =>
        estimators.Aggregate(Floor, (minimum, estimator) => estimator is KsgEstimator ksg ? Math.Max(minimum, ksg.K + 1) : minimum);
}
