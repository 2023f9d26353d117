using System.Globalization;
using System.Text;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// The outcome of <see cref="ModalityAssessor.Assess"/>: for each modality, strong or weak, its teacher, the MI values
/// and why the gate opened or closed (METHOD.md section 7).
/// </summary>
/// <param name="Modalities">One verdict per modality, in input order.</param>
/// <param name="BestScore">The best validation score s*.</param>
/// <param name="Delta">The delta of the strong rule (strong iff score &gt;= s* - delta).</param>
/// <param name="EstimatorName">The MI estimator used (<c>IMutualInformationEstimator.Name</c>).</param>
/// <param name="Seed">The seed of the permutation tests.</param>
public sealed record DistillationPlan(
    IReadOnlyList<ModalityAssessment> Modalities,
    double BestScore,
    double Delta,
    string EstimatorName,
    int Seed)
{
    /// <summary>One verdict per modality, in input order.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public IReadOnlyList<ModalityAssessment> Modalities { get; init; } = Modalities ?? throw new ArgumentNullException(nameof(Modalities));

    /// <summary>The MI estimator used (<c>IMutualInformationEstimator.Name</c>).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public string EstimatorName { get; init; } = EstimatorName ?? throw new ArgumentNullException(nameof(EstimatorName));

    /// <summary>The verdict for the modality called <paramref name="name"/>.</summary>
    /// <param name="name">A modality name.</param>
    /// <exception cref="KeyNotFoundException">No modality has that name.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public ModalityAssessment this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            return Modalities.FirstOrDefault(m => m.Name == name)
                ?? throw new KeyNotFoundException($"The plan has no modality '{name}' (it has {string.Join(", ", Modalities.Select(m => m.Name))}).");
        }
    }

    /// <summary>The strong modalities (the teachers).</summary>
    public IReadOnlyList<ModalityAssessment> StrongModalities => Modalities.Where(m => m.IsStrong).ToArray();

    /// <summary>The weak modalities whose gate is open: the students that distil.</summary>
    public IReadOnlyList<ModalityAssessment> Students => Modalities.Where(m => m.GateOpen).ToArray();

    /// <summary>The name of the teacher that <paramref name="student"/> distils from, or null when it does not distil.</summary>
    /// <param name="student">A modality name.</param>
    public string? TeacherOf(string student)
    {
        ArgumentNullException.ThrowIfNull(student);
        var assessment = this[student];
        return assessment.GateOpen ? assessment.TeacherName : null;
    }

    /// <summary>A readable multi-line summary: one line per modality with its reason.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"distillation plan (estimator {EstimatorName}, best score {BestScore:F4}, delta {Delta}, seed {Seed})");
        foreach (var m in Modalities)
            text.AppendLine(CultureInfo.InvariantCulture, $"  {m.Name}: {m.Reason}");
        return text.ToString().TrimEnd();
    }
}
