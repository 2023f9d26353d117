using BalancedMultimodal.Core.Information;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>The fewest output rows on which <see cref="ModalityAssessor"/> can estimate mutual information, shared by the
/// assessor and by <c>BalancedTrainer</c>'s up-front check.</summary>
internal static class AssessmentRows
{
    /// <summary>The floor of every estimator: 3 rows.</summary>
    public const int Floor = 3;

    /// <summary>
    /// max(3, the estimators' own minimum) for outputs of <paramref name="outputColumns"/> columns (after any PCA): k + 1
    /// for <see cref="KsgEstimator"/> (the k-th neighbour of a row must exist among the others),
    /// <see cref="InfoNceEstimator.MinimumSampleCount"/> (both the training and the held-out part need 2 rows), and for a
    /// bias-corrected <see cref="GaussianMutualInformationEstimator"/> n &gt; d_x + d_y: 2 c + 1 between two modalities'
    /// outputs, c + 2 between outputs and the label column. The other Core estimators need 2 rows or fewer.
    /// </summary>
    /// <param name="outputColumns">The columns of each modality's outputs as the estimators will see them.</param>
    /// <param name="estimator">The estimator of I between two modalities' outputs (null: ignored).</param>
    /// <param name="labelEstimator">The estimator of I between outputs and labels, when labels are given (null: ignored).</param>
    /// <returns>The minimum row count.</returns>
    public static int Minimum(int outputColumns, IMutualInformationEstimator? estimator, IMutualInformationEstimator? labelEstimator = null) =>
        Math.Max(Floor, Math.Max(Own(estimator, 2 * outputColumns), Own(labelEstimator, outputColumns + 1)));

    private static int Own(IMutualInformationEstimator? estimator, int jointColumns) => estimator switch
    {
        KsgEstimator ksg => ksg.K + 1,
        InfoNceEstimator neural => neural.MinimumSampleCount,
        GaussianMutualInformationEstimator { BiasCorrection: true } => jointColumns + 1,
        _ => 0,
    };
}
