namespace BalancedMultimodal.Core.Data;

/// <summary>Row indices of a train / validation / test split (each sorted ascending, pairwise disjoint).</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Validation">Validation rows (empty when no validation part was requested).</param>
/// <param name="Test">Test rows (empty when no test part was requested).</param>
public sealed record DatasetSplit(int[] Train, int[] Validation, int[] Test)
{
    /// <summary>Training rows.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public int[] Train { get; init; } = Train ?? throw new ArgumentNullException(nameof(Train));

    /// <summary>Validation rows (empty when no validation part was requested).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public int[] Validation { get; init; } = Validation ?? throw new ArgumentNullException(nameof(Validation));

    /// <summary>Test rows (empty when no test part was requested).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public int[] Test { get; init; } = Test ?? throw new ArgumentNullException(nameof(Test));
}
