using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>
/// The baseline policy: w_m = 1 for every modality, whatever the scores (L = sum_m L_m, plain multitask training).
/// </summary>
public sealed class UniformWeighter : IModalityLossWeighter
{
    private readonly double[] weights;

    /// <summary>Creates the policy for <paramref name="modalityCount"/> modalities (&gt;= 1).</summary>
    /// <param name="modalityCount">M.</param>
    public UniformWeighter(int modalityCount)
    {
        WeighterArguments.ModalityCount(modalityCount);
        weights = Enumerable.Repeat(1.0, modalityCount).ToArray();
    }

    /// <inheritdoc />
    public string Name => "uniform";

    /// <inheritdoc />
    public int ModalityCount => weights.Length;

    /// <inheritdoc />
    public IReadOnlyList<double> Weights => weights;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> TrainableParameters => [];

    /// <summary>Validates the scores; the weights stay 1.</summary>
    /// <inheritdoc />
    public void Update(IReadOnlyList<double> scores) => WeighterArguments.Scores(scores, ModalityCount);

    /// <summary>sum_m L_m.</summary>
    /// <inheritdoc />
    public Tensor WeightedLoss(IReadOnlyList<Tensor> modalityLosses)
    {
        WeighterArguments.Losses(modalityLosses, ModalityCount);
        return WeighterArguments.FixedWeightedSum(modalityLosses, weights);
    }
}
