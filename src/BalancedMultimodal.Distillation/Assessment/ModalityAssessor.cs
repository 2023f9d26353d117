using System.Globalization;
using BalancedMultimodal.Core.Information;
using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// Classifies modalities as strong or weak and gates cross-modal distillation by mutual information (METHOD.md section 7):
/// <code>
/// strong(m)     iff  s_m &gt;= max_k s_k - delta
/// teacher(s)    =    argmax_{t strong} I(O_t ; O_s)                        for each weak s (O = outputs, PCA-reduced if asked)
/// gate(s) open  iff  p(t, s) &lt;= alpha          (permutation test, if P &gt; 0)
///               and  I(O_t ; O_s) &gt; I_min
///               and  I(O_t ; O_s) &gt; I(O_s ; y)  (if RequireComplementarity)
/// </code>
/// A weak modality whose gate is closed trains on cross-entropy alone. Deterministic given the options' seed.
/// The strong rule is evaluated as max_k s_k - s_m &lt;= delta + <see cref="BoundaryTolerance"/> max(1, |max_k s_k|, delta): in floating point
/// best - delta can round above a score exactly delta below the best (0.52 - 0.05 is 0.47000000000000003), which
/// would call that modality weak against the rule's exact value.
/// With incomplete samples (<see cref="ModalityEvidence.Available"/>), I(O_t ; O_s) is estimated on the rows both t and
/// s have, I(O_s ; y) on the rows s has, and the PCA (if asked) is fitted on each modality's own rows.
/// </summary>
/// <remarks>
/// <para>The estimator is a constructor dependency (any <see cref="IMutualInformationEstimator"/>, e.g. KSG on class
/// probabilities). I(O_s; y) is estimated with the optional label estimator, given the labels as an (n, 1) column of
/// class indices; without one, with Core's <see cref="ContinuousDiscreteEstimator"/> (Ross 2014), which treats the
/// labels as categories: a continuous estimator would read the class indices as ordered numbers, so renaming the
/// classes would change the estimate.</para>
/// <para>Each (student, candidate) permutation test has its own seed derived from the options' seed and the two
/// modalities' positions in the list, so appending a modality does not change the other pairs' p-values; reordering
/// the modalities draws other permutations (a Monte Carlo p-value near alpha can then fall on the other side; with
/// <c>Permutations = 0</c> the plan is equivariant to the order). No multiple-testing correction is applied:
/// each weak modality tests only its few strong candidates and the gate is a safeguard, not an inference.</para>
/// </remarks>
public sealed class ModalityAssessor
{
    /// <summary>The relative tolerance of the strong rule, 1e-12: a modality whose score is delta below the best up to
    /// rounding (max_k s_k - s_m &lt;= delta + 1e-12 max(1, |max_k s_k|, delta)) is strong, as the rule's exact value
    /// says; differences of validation scores (F1s in [0, 1] in the trainer, any finite numbers here) are far coarser
    /// than this.</summary>
    public const double BoundaryTolerance = 1e-12;

    private readonly IMutualInformationEstimator estimator;
    private readonly IMutualInformationEstimator labelEstimator;
    private readonly IMutualInformationSignificanceTest significanceTest;

    /// <summary>Creates the assessor.</summary>
    /// <param name="estimator">Estimator of I between two modalities' outputs.</param>
    /// <param name="options">Validated by <see cref="ModalityAssessmentOptionsValidator"/>.</param>
    /// <param name="labelEstimator">Estimator of I(outputs; labels); defaults to a <see cref="ContinuousDiscreteEstimator"/>
    /// with its default options (the labels are categories).</param>
    /// <param name="significanceTest">The gate's significance test; defaults to <see cref="RowPermutationSignificanceTest"/>.</param>
    /// <exception cref="ArgumentException">Invalid options (the message names the option).</exception>
    public ModalityAssessor(
        IMutualInformationEstimator estimator,
        ModalityAssessmentOptions options,
        IMutualInformationEstimator? labelEstimator = null,
        IMutualInformationSignificanceTest? significanceTest = null)
    {
        this.estimator = estimator ?? throw new ArgumentNullException(nameof(estimator));
        Options = OptionsGuard.Validate(new ModalityAssessmentOptionsValidator(), options, nameof(options));
        this.labelEstimator = labelEstimator ?? new ContinuousDiscreteEstimator();
        this.significanceTest = significanceTest ?? new RowPermutationSignificanceTest();
    }

    /// <inheritdoc cref="ModalityAssessor(IMutualInformationEstimator, ModalityAssessmentOptions, IMutualInformationEstimator?, IMutualInformationSignificanceTest?)" />
    public ModalityAssessor(
        IMutualInformationEstimator estimator,
        IOptions<ModalityAssessmentOptions> options,
        IMutualInformationEstimator? labelEstimator = null,
        IMutualInformationSignificanceTest? significanceTest = null)
        : this(estimator, (options ?? throw new ArgumentNullException(nameof(options))).Value, labelEstimator, significanceTest)
    {
    }

    /// <summary>The options: the object given at construction, not a copy.</summary>
    /// <remarks>Changes made through this object take effect at the next <see cref="Assess"/>, which validates the
    /// options again with <see cref="ModalityAssessmentOptionsValidator"/> (as the constructor) before any work.</remarks>
    public ModalityAssessmentOptions Options { get; }

    /// <summary>Assesses the modalities and builds the distillation plan.</summary>
    /// <param name="modalities">At least two modalities with unique names and equally many output rows n, n &gt;= 3
    /// (and n &gt;= k + 1 for a <see cref="KsgEstimator"/>).</param>
    /// <param name="labels">Optional class labels (&gt;= 0, at least two distinct classes) of the n rows; required when
    /// <see cref="ModalityAssessmentOptions.RequireComplementarity"/> is on. When given, I(student; labels) is estimated
    /// and reported for each weak modality (strong ones have no gate: theirs stays null).</param>
    /// <param name="cancellationToken">Checked before any estimate, before each pair's estimate or significance test and
    /// each I(student; labels) estimate, and passed to the significance test (which checks it between permutations).</param>
    /// <returns>The plan.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception); no plan is returned.</exception>
    /// <exception cref="ArgumentException">Fewer than two modalities, a duplicate name, mismatched row counts (naming the
    /// modality), too few rows, a labels problem (naming the row), labels of a single class, missing labels under the
    /// complementarity criterion,
    /// or <see cref="Options"/> changed since construction and no longer valid (naming the option).</exception>
    /// <exception cref="InvalidOperationException">An estimator returned a NaN or an infinity (or the significance test a
    /// non-finite estimate or a p-value outside [0, 1]): the message names the estimator, the pair of modalities (or the
    /// student, for I(student; labels)) and, from <see cref="RowPermutationSignificanceTest"/>, which estimate (observed
    /// or permutation b).</exception>
    public DistillationPlan Assess(IReadOnlyList<ModalityEvidence> modalities, IReadOnlyList<int>? labels = null,
        CancellationToken cancellationToken = default)
    {
        OptionsGuard.Validate(new ModalityAssessmentOptionsValidator(), Options, nameof(Options));
        Validate(modalities, labels);
        cancellationToken.ThrowIfCancellationRequested();
        int count = modalities.Count;
        double best = modalities.Max(m => m.Score);
        double cutoff = best - Options.Delta;   // for the reasons' text; the rule itself compares differences
        // The tolerance is relative to the scores' magnitude (best - s rounds by about ulp(best)); scores may be any finite
        // numbers where higher is better, not only F1s in [0, 1].
        double tolerance = BoundaryTolerance * Math.Max(1.0, Math.Max(Math.Abs(best), Options.Delta));
        var strong = modalities.Select(m => best - m.Score <= Options.Delta + tolerance).ToArray();
        bool incomplete = modalities.Any(m => m.Available is not null);
        if (incomplete) ValidateSharedRows(modalities, strong, labels);
        // I(student; labels) is estimated for the weak modalities only: when there is one, the continuous-discrete
        // estimator (which drops classes seen once) needs a class with two rows (per student with incomplete samples,
        // checked above), before any estimate.
        else if (labels is not null && strong.Any(x => !x) && labelEstimator is ContinuousDiscreteEstimator && !HasRepeatedClass(labels))
            throw new ArgumentException(
                $"Every class occurs once among the {labels.Count} assessment rows; the continuous-discrete estimator of I(student; labels) drops classes seen once, so it needs a class with two or more rows.", nameof(labels));
        // With incomplete samples a modality's outputs are reduced over its own rows, and only when compared (every
        // modality is when some is weak: weak ones as students, strong ones as teachers), so that a strong modality on
        // too few rows for a PCA is never reduced when no student needs it.
        bool anyWeak = strong.Any(s => !s);
        var outputs = modalities.Select(m => incomplete && !anyWeak ? m.Outputs : m.Available is null ? Reduce(m.Outputs) : ReduceAvailable(m)).ToArray();
        double[,]? labelColumn = labels is null ? null : LabelColumn(labels);

        var verdicts = new ModalityAssessment[count];
        for (int s = 0; s < count; s++)
        {
            var student = modalities[s];
            if (strong[s])
            {
                verdicts[s] = new ModalityAssessment(s, student.Name, student.Score, true, null, null, [], null, false,
                    Format($"strong: score {student.Score:F4} >= best {best:F4} - delta {Options.Delta}; teaches, is not taught"));
                continue;
            }
            var candidates = new List<TeacherCandidate>();
            for (int t = 0; t < count; t++)
            {
                if (!strong[t]) continue;
                cancellationToken.ThrowIfCancellationRequested();
                if (!incomplete)
                {
                    candidates.Add(Candidate(t, modalities[t].Name, student.Name, outputs[t], outputs[s], PairSeed(s, t), cancellationToken));
                    continue;
                }
                var shared = SharedRows(modalities[t], student);
                candidates.Add(Candidate(t, modalities[t].Name, student.Name, SelectRows(outputs[t], shared), SelectRows(outputs[s], shared), PairSeed(s, t), cancellationToken));
            }
            cancellationToken.ThrowIfCancellationRequested();
            double? withLabels;
            if (labelColumn is null) withLabels = null;
            else if (student.Available is null) withLabels = labelEstimator.Estimate(outputs[s], labelColumn);
            else
            {
                var own = SharedRows(student, student);
                withLabels = labelEstimator.Estimate(SelectRows(outputs[s], own), SelectRows(labelColumn, own));
            }
            if (withLabels is double label && !double.IsFinite(label))
                throw new InvalidOperationException(
                    $"The label estimator '{labelEstimator.Name}' returned {label} for I(student; labels) of student '{student.Name}'; the gate needs a finite estimate.");
            var teacher = candidates.OrderByDescending(c => c.MutualInformation).ThenBy(c => c.Index).First();
            var (open, reason) = Gate(student, teacher, candidates.Count, withLabels, cutoff);
            verdicts[s] = new ModalityAssessment(s, student.Name, student.Score, false, teacher.Index, teacher.Name, candidates, withLabels, open, reason);
        }
        return new DistillationPlan(verdicts, best, Options.Delta, estimator.Name, Options.Seed);
    }

    /// <summary>The candidate teacher's estimate (and significance); a non-finite estimate, which would compare false with
    /// every threshold and p-value bound (a NaN observed estimate gives the smallest p-value), is refused naming the
    /// estimator and the pair.</summary>
    private TeacherCandidate Candidate(int index, string name, string studentName, double[,] teacher, double[,] student, int seed,
        CancellationToken cancellationToken)
    {
        string pair = $"teacher candidate '{name}' and student '{studentName}'";
        if (Options.Permutations == 0)
        {
            double estimate = estimator.Estimate(teacher, student);
            if (!double.IsFinite(estimate))
                throw new InvalidOperationException(
                    $"The mutual-information estimator '{estimator.Name}' returned {estimate} for {pair}; the gate needs a finite estimate.");
            return new TeacherCandidate(index, name, estimate, null, null);
        }
        SignificanceResult result;
        try
        {
            result = significanceTest.Test(estimator, teacher, student, Options.Permutations, seed, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"Assessing {pair}: {e.Message}", e);
        }
        if (!double.IsFinite(result.Observed) || !(result.PValue >= 0 && result.PValue <= 1))
            throw new InvalidOperationException(
                $"The significance test {significanceTest.GetType().Name} with the estimator '{estimator.Name}' gave observed I = {result.Observed} " +
                $"and p = {result.PValue} for {pair}; the gate needs a finite estimate and a p-value in [0, 1].");
        return new TeacherCandidate(index, name, result.Observed, result.PValue, result.NullMean);
    }

    private (bool Open, string Reason) Gate(ModalityEvidence student, TeacherCandidate teacher, int candidateCount, double? withLabels, double cutoff)
    {
        var conditions = new List<string>();
        bool open = true;
        if (teacher.PValue is double p)
        {
            bool passed = p <= Options.SignificanceLevel;
            open &= passed;
            conditions.Add(Format($"p = {p:F4} {(passed ? "<=" : ">")} {Options.SignificanceLevel} ({Options.Permutations} permutations, null mean {teacher.NullMean:F4})"));
        }
        bool aboveThreshold = teacher.MutualInformation > Options.MinimumMutualInformation;
        open &= aboveThreshold;
        conditions.Add(Format($"I = {teacher.MutualInformation:F4} {(aboveThreshold ? ">" : "<=")} threshold {Options.MinimumMutualInformation}"));
        if (Options.RequireComplementarity)
        {
            bool complementary = teacher.MutualInformation > withLabels!.Value;
            open &= complementary;
            conditions.Add(Format($"complementarity I(teacher; student) = {teacher.MutualInformation:F4} {(complementary ? ">" : "<=")} I(student; labels) = {withLabels.Value:F4}"));
        }
        var reason = Format($"weak: score {student.Score:F4} < {cutoff:F4}; teacher '{teacher.Name}' (highest I = {teacher.MutualInformation:F4} nats among {candidateCount} strong candidate(s)); gate {(open ? "open" : "closed")}: {string.Join("; ", conditions)}");
        if (!open)
            reason += "; trains on cross-entropy alone";
        return (open, reason);
    }

    /// <summary>The rows both <paramref name="a"/> and <paramref name="b"/> have, increasing.</summary>
    private static int[] SharedRows(ModalityEvidence a, ModalityEvidence b) =>
        Enumerable.Range(0, a.Rows).Where(i => a.IsAvailable(i) && b.IsAvailable(i)).ToArray();

    private static double[,] SelectRows(double[,] matrix, int[] rows)
    {
        int columns = matrix.GetLength(1);
        var result = new double[rows.Length, columns];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < columns; j++)
                result[i, j] = matrix[rows[i], j];
        return result;
    }

    /// <summary><see cref="Reduce"/> fitted on the modality's own rows, written back at those rows (0 elsewhere, never read).</summary>
    private double[,] ReduceAvailable(ModalityEvidence modality)
    {
        var own = SharedRows(modality, modality);
        var reduced = Reduce(SelectRows(modality.Outputs, own));
        var result = new double[modality.Rows, reduced.GetLength(1)];
        for (int i = 0; i < own.Length; i++)
            for (int j = 0; j < reduced.GetLength(1); j++)
                result[own[i], j] = reduced[i, j];
        return result;
    }

    /// <summary>With incomplete samples, before any estimate: every (strong teacher, weak student) pair shares enough rows
    /// for the estimator, and, with labels, every weak student has enough rows of its own, holding two classes.</summary>
    private void ValidateSharedRows(IReadOnlyList<ModalityEvidence> modalities, bool[] strong, IReadOnlyList<int>? labels)
    {
        int columns = modalities.Max(e => EstimatedColumns(e.Outputs.GetLength(1), Options));
        int pairMinimum = AssessmentRows.Minimum(columns, estimator);
        int labelMinimum = AssessmentRows.Minimum(columns, null, labelEstimator);
        for (int s = 0; s < modalities.Count; s++)
        {
            if (strong[s]) continue;
            var student = modalities[s];
            for (int t = 0; t < modalities.Count; t++)
            {
                if (!strong[t]) continue;
                int shared = SharedRows(modalities[t], student).Length;
                if (shared < pairMinimum)
                    throw new ArgumentException(
                        $"Modalities '{modalities[t].Name}' (teacher candidate) and '{student.Name}' (student) share {shared} available row(s); '{estimator.Name}' needs at least {pairMinimum} to estimate their mutual information.", nameof(modalities));
            }
            if (labels is null) continue;
            var own = SharedRows(student, student);
            if (own.Length < labelMinimum)
                throw new ArgumentException(
                    $"Modality '{student.Name}' has {own.Length} available row(s); '{labelEstimator.Name}' needs at least {labelMinimum} to estimate I(student; labels).", nameof(modalities));
            if (own.All(r => labels[r] == labels[own[0]]))
                throw new ArgumentException(
                    $"Every one of modality '{student.Name}''s {own.Length} available rows is class {labels[own[0]]}; I(student; labels) needs at least two classes among them.", nameof(labels));
            if (labelEstimator is ContinuousDiscreteEstimator && !HasRepeatedClass(own.Select(r => labels[r])))
                throw new ArgumentException(
                    $"Every class occurs once among modality '{student.Name}''s {own.Length} available rows; the continuous-discrete estimator of I(student; labels) needs a class with two or more rows.", nameof(labels));
        }
    }

    private double[,] Reduce(double[,] outputs) =>
        Options.UsePca && outputs.GetLength(1) > Options.PcaComponents
            ? PrincipalComponentProjection.Project(outputs, Options.PcaComponents)
            : outputs;

    private int PairSeed(int student, int teacher) =>
        unchecked((int)((uint)Options.Seed * 2654435761u + (uint)student * 40503u + (uint)teacher * 977u));

    private static double[,] LabelColumn(IReadOnlyList<int> labels)
    {
        var column = new double[labels.Count, 1];
        for (int i = 0; i < labels.Count; i++)
            column[i, 0] = labels[i];
        return column;
    }

    private void Validate(IReadOnlyList<ModalityEvidence>? modalities, IReadOnlyList<int>? labels)
    {
        ArgumentNullException.ThrowIfNull(modalities);
        if (modalities.Count < 2)
            throw new ArgumentException($"At least two modalities are needed to assess distillation; got {modalities.Count}.", nameof(modalities));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int m = 0; m < modalities.Count; m++)
        {
            var modality = modalities[m] ?? throw new ArgumentNullException(nameof(modalities), $"Modality {m} is null.");
            if (!names.Add(modality.Name))
                throw new ArgumentException($"The modality name '{modality.Name}' appears twice (position {m}).", nameof(modalities));
            if (modality.Rows != modalities[0].Rows)
                throw new ArgumentException($"Modality '{modality.Name}' has {modality.Rows} output rows but '{modalities[0].Name}' has {modalities[0].Rows}; rows must be the same samples.", nameof(modalities));
        }
        int n = modalities[0].Rows;
        int columns = modalities.Max(e => EstimatedColumns(e.Outputs.GetLength(1), Options));
        int minimum = AssessmentRows.Minimum(columns, estimator, labels is null ? null : labelEstimator);
        // With incomplete samples the rows each estimate uses are checked per pair (ValidateSharedRows).
        if (n < minimum && modalities.All(m => m.Available is null))
            throw new ArgumentException($"At least {minimum} rows are needed to estimate mutual information with '{estimator.Name}'; got {n}.", nameof(modalities));
        if (labels is null)
        {
            if (Options.RequireComplementarity)
                throw new ArgumentException("ModalityAssessmentOptions.RequireComplementarity is on, so labels are required to estimate I(student; labels).", nameof(labels));
            return;
        }
        if (labels.Count != n)
            throw new ArgumentException($"labels has {labels.Count} entries; the outputs have {n} rows.", nameof(labels));
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(labels), $"labels[{i}] = {labels[i]} is negative; class indices start at 0.");
        }
        if (labels.All(label => label == labels[0]))
            throw new ArgumentException($"Every one of the {n} labels is class {labels[0]}; I(student; labels) needs at least two classes among the assessment rows.", nameof(labels));
    }

    /// <summary>Whether some class occurs at least twice (the continuous-discrete estimator drops classes seen once).</summary>
    internal static bool HasRepeatedClass(IEnumerable<int> labels)
    {
        var seen = new HashSet<int>();
        foreach (var label in labels)
            if (!seen.Add(label)) return true;
        return false;
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The columns the estimators see for outputs of <paramref name="columns"/> columns: the PCA width when
    /// <see cref="ModalityAssessmentOptions.UsePca"/> reduces them, else all.</summary>
    internal static int EstimatedColumns(int columns, ModalityAssessmentOptions options) =>
        options.UsePca && columns > options.PcaComponents ? options.PcaComponents : columns;
}
