namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>The verdict on one modality in a <see cref="DistillationPlan"/>.</summary>
/// <param name="Index">Position in the assessed modality list.</param>
/// <param name="Name">The modality's name.</param>
/// <param name="Score">Its validation score.</param>
/// <param name="IsStrong">True iff Score &gt;= best score - delta (up to <see cref="ModalityAssessor.BoundaryTolerance"/>,
/// relative). Strong modalities are teachers and have no teacher.</param>
/// <param name="TeacherIndex">For a weak modality, the strong candidate with the highest I(teacher; student)
/// (whether or not the gate opened); null for a strong modality.</param>
/// <param name="TeacherName">The name of <paramref name="TeacherIndex"/>'s modality, or null.</param>
/// <param name="Candidates">Every strong modality considered, with its MI and p-value (empty for a strong modality).</param>
/// <param name="MutualInformationWithLabels">Estimated I(student; labels) in nats for a weak modality when labels were
/// given; null for a strong modality (not estimated: it has no gate) and when no labels were given.</param>
/// <param name="GateOpen">True iff the weak modality distils from its teacher; false means it trains on CE alone.</param>
/// <param name="Reason">Why: the strong/weak rule with the numbers, and each gate condition with its outcome.</param>
public sealed record ModalityAssessment(
    int Index,
    string Name,
    double Score,
    bool IsStrong,
    int? TeacherIndex,
    string? TeacherName,
    IReadOnlyList<TeacherCandidate> Candidates,
    double? MutualInformationWithLabels,
    bool GateOpen,
    string Reason)
{
    /// <summary>The modality's name.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public string Name { get; init; } = Name ?? throw new ArgumentNullException(nameof(Name));

    /// <summary>Every strong modality considered, with its MI and p-value (empty for a strong modality).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public IReadOnlyList<TeacherCandidate> Candidates { get; init; } = Candidates ?? throw new ArgumentNullException(nameof(Candidates));

    /// <summary>Why: the strong/weak rule with the numbers, and each gate condition with its outcome.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public string Reason { get; init; } = Reason ?? throw new ArgumentNullException(nameof(Reason));

    /// <summary>The chosen teacher's candidate entry (MI and p-value), or null for a strong modality.</summary>
    public TeacherCandidate? Teacher => TeacherIndex is int index ? Candidates.First(c => c.Index == index) : null;

    /// <summary>Estimated I(teacher; student) in nats for the chosen teacher, or null.</summary>
    public double? MutualInformationWithTeacher => Teacher?.MutualInformation;

    /// <summary>The permutation p-value of the chosen teacher, or null.</summary>
    public double? TeacherPValue => Teacher?.PValue;
}
