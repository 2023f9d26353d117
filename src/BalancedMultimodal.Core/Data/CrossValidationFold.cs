namespace BalancedMultimodal.Core.Data;

/// <summary>One fold of a k-fold cross-validation: the held-out rows and the rows to train on (each sorted ascending).</summary>
/// <param name="Index">The fold number, 0..k-1.</param>
/// <param name="Train">The rows of every other fold.</param>
/// <param name="Test">The rows held out in this fold.</param>
public sealed record CrossValidationFold(int Index, int[] Train, int[] Test)
{
    /// <summary>The rows of every other fold.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public int[] Train { get; init; } = Train ?? throw new ArgumentNullException(nameof(Train));

    /// <summary>The rows held out in this fold.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public int[] Test { get; init; } = Test ?? throw new ArgumentNullException(nameof(Test));
}
