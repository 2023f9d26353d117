namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>One strong modality considered as the teacher of a weak one.</summary>
/// <param name="Index">The candidate's position in the assessed modality list.</param>
/// <param name="Name">The candidate's name.</param>
/// <param name="MutualInformation">Estimated I(candidate; student) in nats, on the (possibly PCA-reduced) outputs.</param>
/// <param name="PValue">The permutation p-value of that estimate; null when the permutation test is off.</param>
/// <param name="NullMean">The mean null estimate of the permutation test; null when it is off.</param>
public sealed record TeacherCandidate(int Index, string Name, double MutualInformation, double? PValue, double? NullMean)
{
    /// <summary>The candidate's name.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public string Name { get; init; } = Name ?? throw new ArgumentNullException(nameof(Name));
}
