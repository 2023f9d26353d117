namespace BalancedMultimodal.Core.Data;

/// <summary>Row indices of a train / validation / test split (each sorted ascending, pairwise disjoint).</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Validation">Validation rows (empty when no validation part was requested).</param>
/// <param name="Test">Test rows (empty when no test part was requested).</param>
public sealed record DatasetSplit(int[] Train, int[] Validation, int[] Test);
