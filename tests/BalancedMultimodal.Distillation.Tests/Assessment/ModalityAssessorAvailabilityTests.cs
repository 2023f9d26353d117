using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

/// <summary><see cref="ModalityAssessor"/> with incomplete samples (<see cref="ModalityEvidence.Available"/>): each pair
/// on the rows both modalities have, I(student; labels) on the student's rows, outputs at missing rows never read.</summary>
public class ModalityAssessorAvailabilityTests
{
    private static GaussianMutualInformationEstimator Gaussian() => new(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false });

    private static ModalityAssessor Assessor(bool complementarity = false) =>
        new(Gaussian(), new ModalityAssessmentOptions { Seed = 42, Permutations = 0, RequireComplementarity = complementarity });

    private static bool[] Mask(int rows, Func<int, bool> has) => Enumerable.Range(0, rows).Select(has).ToArray();

    /// <summary>A copy of <paramref name="matrix"/> with <paramref name="value"/> at the rows <paramref name="has"/> rejects.</summary>
    private static double[,] Overwrite(double[,] matrix, Func<int, bool> has, double value)
    {
        var copy = (double[,])matrix.Clone();
        for (int i = 0; i < copy.GetLength(0); i++)
            if (!has(i))
                for (int j = 0; j < copy.GetLength(1); j++) copy[i, j] = value;
        return copy;
    }

    private static double[,] Rows(double[,] matrix, Func<int, bool> keep)
    {
        var rows = Enumerable.Range(0, matrix.GetLength(0)).Where(keep).ToArray();
        var result = new double[rows.Length, matrix.GetLength(1)];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < matrix.GetLength(1); j++) result[i, j] = matrix[rows[i], j];
        return result;
    }

    [Fact]
    public void Each_pair_is_estimated_on_the_rows_both_modalities_have()
    {
        var data = new SyntheticModalities(seed: 1);
        var strong = SyntheticModalities.Softmax(data.StrongLogits);
        var weak = SyntheticModalities.Softmax(data.WeakLogits);
        var noise = SyntheticModalities.Softmax(data.NoiseLogits);
        Func<int, bool> strongHas = i => i % 5 != 0, weakHas = i => i % 3 != 1;

        var plan = Assessor(complementarity: true).Assess(
        [
            new ModalityEvidence("mrna", 0.92, Overwrite(strong, strongHas, double.NaN), Mask(300, strongHas)),
            new ModalityEvidence("methylation", 0.61, Overwrite(weak, weakHas, double.NaN), Mask(300, weakHas)),
            new ModalityEvidence("noise", 0.34, noise),
        ], data.Labels);

        // By hand: I(mrna; methylation) on the rows having both, I(methylation; y) on methylation's rows.
        Func<int, bool> both = i => strongHas(i) && weakHas(i);
        double pair = Gaussian().Estimate(Rows(strong, both), Rows(weak, both));
        var labels = new double[300, 1];
        for (int i = 0; i < 300; i++) labels[i, 0] = data.Labels[i];
        double withLabels = new ContinuousDiscreteEstimator().Estimate(Rows(weak, weakHas), Rows(labels, weakHas));   // the default label estimator
        plan["methylation"].MutualInformationWithTeacher.Should().BeApproximately(pair, 1e-12);
        plan["methylation"].MutualInformationWithLabels.Should().BeApproximately(withLabels, 1e-12);
        plan["methylation"].GateOpen.Should().BeTrue();
        // "noise" (complete) against "mrna": the rows "mrna" has.
        plan["noise"].MutualInformationWithTeacher.Should().BeApproximately(Gaussian().Estimate(Rows(strong, strongHas), Rows(noise, strongHas)), 1e-12);
        pair.Should().NotBeApproximately(Gaussian().Estimate(strong, weak), 1e-6, "the control: all rows give another value");
    }

    [Fact]
    public void Masks_marking_every_row_give_exactly_the_complete_plan()
    {
        var data = new SyntheticModalities(seed: 3);
        var all = Mask(300, _ => true);
        var evidence = data.Evidence();
        var masked = evidence.Select(e => new ModalityEvidence(e.Name, e.Score, e.Outputs, all)).ToArray();
        var assessor = new ModalityAssessor(Gaussian(), new ModalityAssessmentOptions { Seed = 42 });

        var plain = assessor.Assess(evidence, data.Labels);
        var withMasks = assessor.Assess(masked, data.Labels);

        masked.Should().OnlyContain(e => e.Available == null);
        withMasks.Modalities.Select(m => (m.Name, m.MutualInformationWithTeacher, m.TeacherPValue, m.GateOpen, m.Reason))
            .Should().Equal(plain.Modalities.Select(m => (m.Name, m.MutualInformationWithTeacher, m.TeacherPValue, m.GateOpen, m.Reason)));
    }

    [Fact]
    public void The_pca_of_a_modality_is_fitted_on_its_own_rows_and_missing_values_are_never_read()
    {
        var data = new SyntheticModalities(seed: 4);
        var random = new Random(9);
        var strong = SyntheticModalities.Embed(data.StrongLogits, 12, random);
        var weak = SyntheticModalities.Embed(data.WeakLogits, 12, random);
        Func<int, bool> weakHas = i => i % 4 != 0;
        var options = new ModalityAssessmentOptions { Seed = 42, Permutations = 0, UsePca = true, PcaComponents = 3 };
        ModalityEvidence[] Evidence(double placeholder) =>
        [
            new ModalityEvidence("strong", 0.9, strong),
            new ModalityEvidence("weak", 0.6, Overwrite(weak, weakHas, placeholder), Mask(300, weakHas)),
        ];

        var withNaN = new ModalityAssessor(Gaussian(), options).Assess(Evidence(double.NaN));
        var withLarge = new ModalityAssessor(Gaussian(), options).Assess(Evidence(1e6));

        withNaN["weak"].MutualInformationWithTeacher.Should().Be(withLarge["weak"].MutualInformationWithTeacher);
        // By hand: each side's PCA over its own rows, then the shared rows.
        var expected = Gaussian().Estimate(
            Rows(PrincipalComponentProjection.Project(strong, 3), weakHas),
            PrincipalComponentProjection.Project(Rows(weak, weakHas), 3));
        withNaN["weak"].MutualInformationWithTeacher.Should().BeApproximately(expected, 1e-9);
    }

    [Fact]
    public void Too_few_shared_rows_or_a_bad_mask_are_refused_naming_the_modalities()
    {
        var data = new SyntheticModalities(seed: 1, rows: 40);
        var strong = SyntheticModalities.Softmax(data.StrongLogits);
        var weak = SyntheticModalities.Softmax(data.WeakLogits);
        var ksg = new ModalityAssessor(new KsgEstimator(), new ModalityAssessmentOptions { Seed = 1, Permutations = 0 });

        // "strong" on rows 0-19, "weak" on rows 17-39: three shared rows, fewer than KSG's k + 1 = 4.
        var act = () => ksg.Assess(
        [
            new ModalityEvidence("strong", 0.9, strong, Mask(40, i => i < 20)),
            new ModalityEvidence("weak", 0.5, weak, Mask(40, i => i >= 17)),
        ]);
        act.Should().Throw<ArgumentException>().WithMessage("Modalities 'strong' (teacher candidate) and 'weak' (student) share 3 available row(s); 'ksg' needs at least 4 *");

        FluentActions.Invoking(() => new ModalityEvidence("weak", 0.5, weak, Mask(39, _ => true)))
            .Should().Throw<ArgumentException>().WithMessage("The availability mask of modality 'weak' has 39 entries but its outputs have 40 rows.*");
        FluentActions.Invoking(() => new ModalityEvidence("weak", 0.5, weak, Mask(40, _ => false)))
            .Should().Throw<ArgumentException>().WithMessage("The availability mask of modality 'weak' marks no row available.*");
        FluentActions.Invoking(() => new ModalityEvidence("weak", 0.5, Overwrite(weak, i => i != 5, double.NaN), Mask(40, i => i != 6)))
            .Should().Throw<ArgumentException>().WithMessage("The outputs of modality 'weak' are not finite at row 5, column 0*");
    }

    [Fact]
    public void A_student_whose_rows_hold_one_class_is_refused_under_the_complementarity_criterion()
    {
        var data = new SyntheticModalities(seed: 1, rows: 60);
        var labels = data.Labels;
        var strong = SyntheticModalities.Softmax(data.StrongLogits);
        var weak = SyntheticModalities.Softmax(data.WeakLogits);
        int only = labels[0];

        var act = () => Assessor(complementarity: true).Assess(
        [
            new ModalityEvidence("strong", 0.9, strong),
            new ModalityEvidence("weak", 0.5, weak, Mask(60, i => labels[i] == only)),
        ], labels);

        act.Should().Throw<ArgumentException>().WithMessage($"Every one of modality 'weak''s * available rows is class {only}*");
    }
    [Fact]
    public void With_every_modality_strong_nothing_is_estimated_or_reduced_however_few_rows_a_modality_has()
    {
        var data = new SyntheticModalities(seed: 1, rows: 20);
        var options = new ModalityAssessmentOptions { Seed = 1, Permutations = 0, UsePca = true, PcaComponents = 2 };

        var plan = new ModalityAssessor(Gaussian(), options).Assess(
        [
            new ModalityEvidence("a", 0.9, SyntheticModalities.Softmax(data.StrongLogits)),
            new ModalityEvidence("b", 0.9, SyntheticModalities.Softmax(data.WeakLogits), Mask(20, i => i == 3)),
        ]);

        plan.Modalities.Should().OnlyContain(m => m.IsStrong && m.MutualInformationWithTeacher == null);
    }
}
