using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

/// <summary>
/// The strong rule, the teacher choice and each gate condition of <see cref="ModalityAssessor"/> at their boundaries,
/// with scripted mutual-information values and p-values (so every number in the plan is known exactly).
/// </summary>
public class ModalityAssessorGateTests
{
    private const int Rows = 6;

    /// <summary>Outputs of <paramref name="columns"/> columns whose first entry is <paramref name="marker"/> (the scripted
    /// estimator's key) and the rest varied, so PCA has something to reduce.</summary>
    private static double[,] Outputs(double marker, int columns = 2)
    {
        var outputs = new double[Rows, columns];
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < columns; j++)
                outputs[i, j] = i == 0 && j == 0 ? marker : Math.Sin(marker + 3 * i + 7 * j);
        return outputs;
    }

    private static ModalityEvidence Modality(string name, double score, double marker, int columns = 2) => new(name, score, Outputs(marker, columns));

    /// <summary>Teacher "a" (marker 1, score 0.9) and student "b" (marker 2, score 0.5) with I(a; b) = <paramref name="mi"/>.</summary>
    private static (ModalityAssessor Assessor, ScriptedMutualInformationEstimator Estimator, ScriptedSignificanceTest Test) Pair(
        ModalityAssessmentOptions options, double mi, double pValue = 0.01, double withLabels = 0)
    {
        var estimator = new ScriptedMutualInformationEstimator(new Dictionary<(double, double), double> { [(1, 2)] = mi, [(2, 0)] = withLabels, [(2, 1)] = withLabels });
        var test = new ScriptedSignificanceTest(pValue, 0.01);
        return (new ModalityAssessor(estimator, options, labelEstimator: estimator, significanceTest: test), estimator, test);
    }

    private static ModalityEvidence[] TeacherAndStudent() => [Modality("a", 0.9, 1), Modality("b", 0.5, 2)];

    [Fact]
    public void A_p_value_equal_to_the_significance_level_opens_the_gate()
    {
        var (assessor, _, test) = Pair(new ModalityAssessmentOptions { Permutations = 19, SignificanceLevel = 0.05 }, mi: 0.3, pValue: 0.05);

        var b = assessor.Assess(TeacherAndStudent())["b"];

        b.GateOpen.Should().BeTrue();
        b.TeacherPValue.Should().Be(0.05);
        b.Teacher!.NullMean.Should().Be(0.01);
        b.Reason.Should().Contain("gate open: p = 0.0500 <= 0.05 (19 permutations, null mean 0.0100); I = 0.3000 > threshold 0");
        b.Reason.Should().NotContain("cross-entropy alone");
        test.Calls.Should().ContainSingle().Which.Permutations.Should().Be(19);
    }

    [Fact]
    public void A_p_value_above_the_significance_level_closes_the_gate()
    {
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions { Permutations = 19, SignificanceLevel = 0.05 }, mi: 0.3, pValue: 0.06);

        var b = assessor.Assess(TeacherAndStudent())["b"];

        b.GateOpen.Should().BeFalse();
        b.Reason.Should().Contain("gate closed: p = 0.0600 > 0.05").And.EndWith("; trains on cross-entropy alone");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    public void A_p_value_outside_zero_one_is_refused(double pValue)
    {
        // A NaN p-value would compare false with the significance level and close the gate silently.
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions { Permutations = 19, SignificanceLevel = 0.05 }, mi: 0.3, pValue: pValue);

        var act = () => assessor.Assess(TeacherAndStudent());

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"The significance test ScriptedSignificanceTest with the estimator 'scripted' gave observed I = 0.3 and p = {pValue} " +
                "for teacher candidate 'a' and student 'b'; the gate needs a finite estimate and a p-value in [0, 1].");
    }

    [Fact]
    public void Mutual_information_equal_to_the_threshold_closes_the_gate()
    {
        var (assessor, _, test) = Pair(new ModalityAssessmentOptions { Permutations = 0, MinimumMutualInformation = 0.2 }, mi: 0.2);

        var b = assessor.Assess(TeacherAndStudent())["b"];

        b.GateOpen.Should().BeFalse();
        b.TeacherPValue.Should().BeNull();
        b.Teacher!.NullMean.Should().BeNull();
        b.Reason.Should().Contain("gate closed: I = 0.2000 <= threshold 0.2").And.NotContain("p = ");
        test.Calls.Should().BeEmpty("no permutation test runs when Permutations is 0");
    }

    [Fact]
    public void Mutual_information_just_above_the_threshold_opens_the_gate()
    {
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions { Permutations = 0, MinimumMutualInformation = 0.2 }, mi: 0.2001);

        var plan = assessor.Assess(TeacherAndStudent());

        plan["b"].GateOpen.Should().BeTrue();
        plan["b"].Reason.Should().Be("weak: score 0.5000 < 0.8500; teacher 'a' (highest I = 0.2001 nats among 1 strong candidate(s)); gate open: I = 0.2001 > threshold 0.2");
        plan["a"].Reason.Should().Be("strong: score 0.9000 >= best 0.9000 - delta 0.05; teaches, is not taught");
        plan.TeacherOf("b").Should().Be("a");
        plan.Students.Should().ContainSingle().Which.Name.Should().Be("b");
    }

    [Theory]
    [InlineData(0.3, 0.3, false, "<=")]
    [InlineData(0.3, 0.29, true, ">")]
    public void Complementarity_needs_the_teacher_to_know_strictly_more_than_the_labels(double mi, double withLabels, bool open, string comparison)
    {
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions { Permutations = 0, RequireComplementarity = true }, mi, withLabels: withLabels);

        var b = assessor.Assess(TeacherAndStudent(), [0, 1, 0, 1, 1, 0])["b"];

        b.GateOpen.Should().Be(open);
        b.MutualInformationWithLabels.Should().Be(withLabels);
        b.Reason.Should().Contain($"complementarity I(teacher; student) = 0.3000 {comparison} I(student; labels) = {withLabels:F4}");
    }

    [Fact]
    public void The_labels_reach_the_label_estimator_as_one_column_of_class_indices()
    {
        var (assessor, estimator, _) = Pair(new ModalityAssessmentOptions { Permutations = 0 }, mi: 0.3);

        var b = assessor.Assess(TeacherAndStudent(), [1, 0, 2, 1, 1, 0])["b"];

        b.MutualInformationWithLabels.Should().Be(0);
        var column = estimator.YInputs.Single(y => y.GetLength(1) == 1);
        Enumerable.Range(0, Rows).Select(i => column[i, 0]).Should().Equal(1, 0, 2, 1, 1, 0);
    }

    [Fact]
    public void Without_labels_no_label_information_is_estimated_or_reported()
    {
        var (assessor, estimator, _) = Pair(new ModalityAssessmentOptions { Permutations = 0 }, mi: 0.3);

        var b = assessor.Assess(TeacherAndStudent())["b"];

        b.MutualInformationWithLabels.Should().BeNull();
        estimator.Widths.Should().ContainSingle();
    }

    [Fact]
    public void Tied_candidates_give_the_teacher_listed_first_and_the_higher_one_wins_otherwise()
    {
        var values = new Dictionary<(double, double), double> { [(1, 3)] = 0.4, [(2, 3)] = 0.4, [(1, 4)] = 0.1, [(2, 4)] = 0.5 };
        var assessor = new ModalityAssessor(new ScriptedMutualInformationEstimator(values), new ModalityAssessmentOptions { Permutations = 0 });

        var plan = assessor.Assess([Modality("a", 0.9, 1), Modality("b", 0.88, 2), Modality("c", 0.5, 3), Modality("d", 0.4, 4)]);

        plan.StrongModalities.Select(m => m.Name).Should().Equal("a", "b");
        plan["c"].TeacherName.Should().Be("a");
        plan["c"].TeacherIndex.Should().Be(0);
        plan["d"].TeacherName.Should().Be("b");
        plan["d"].TeacherIndex.Should().Be(1);
        plan["d"].Candidates.Select(c => (c.Index, c.Name, c.MutualInformation)).Should().Equal((0, "a", 0.1), (1, "b", 0.5));
        plan["d"].Reason.Should().Contain("among 2 strong candidate(s)");
    }

    [Fact]
    public void Each_pair_has_its_own_seed_which_does_not_change_when_a_modality_is_added()
    {
        var values = new Dictionary<(double, double), double> { [(1, 2)] = 0.3, [(1, 3)] = 0.3, [(1, 4)] = 0.3 };
        ScriptedSignificanceTest Run(int seed, params ModalityEvidence[] modalities)
        {
            var test = new ScriptedSignificanceTest(0.01, 0);
            new ModalityAssessor(new ScriptedMutualInformationEstimator(values), new ModalityAssessmentOptions { Seed = seed, Permutations = 99 }, significanceTest: test)
                .Assess(modalities);
            return test;
        }

        var three = Run(5, Modality("a", 0.9, 1), Modality("b", 0.5, 2), Modality("c", 0.4, 3));
        var four = Run(5, Modality("a", 0.9, 1), Modality("b", 0.5, 2), Modality("c", 0.4, 3), Modality("d", 0.3, 4));
        var otherSeed = Run(6, Modality("a", 0.9, 1), Modality("b", 0.5, 2), Modality("c", 0.4, 3));

        three.Calls.Select(c => c.Seed).Should().OnlyHaveUniqueItems();
        four.Calls.Take(2).Should().Equal(three.Calls);
        otherSeed.Calls.Select(c => c.Seed).Should().NotIntersectWith(three.Calls.Select(c => c.Seed));
    }

    [Fact]
    public void Pca_reduces_only_outputs_wider_than_the_component_count()
    {
        var values = new Dictionary<(double, double), double>();
        var estimator = new ScriptedMutualInformationEstimator(values);
        var assessor = new ModalityAssessor(estimator, new ModalityAssessmentOptions { Permutations = 0, UsePca = true, PcaComponents = 2 });
        var teacher = Modality("a", 0.9, 1, columns: 5);
        var student = Modality("b", 0.5, 2, columns: 2);
        // After PCA the teacher's first entry is no longer its marker: script every value the projection can give.
        var projected = PrincipalComponentProjection.Project(teacher.Outputs, 2);
        values[(projected[0, 0], 2)] = 0.3;

        var b = assessor.Assess([teacher, student])["b"];

        b.MutualInformationWithTeacher.Should().Be(0.3);
        estimator.Widths.Should().Equal((2, 2));
    }

    [Fact]
    public void Without_pca_wide_outputs_reach_the_estimator_unchanged()
    {
        var (assessor, estimator, _) = Pair(new ModalityAssessmentOptions { Permutations = 0, PcaComponents = 1 }, mi: 0.3);

        assessor.Assess(TeacherAndStudent());

        estimator.Widths.Should().Equal((2, 2));
    }

    [Fact]
    public void The_plan_records_the_best_score_delta_estimator_and_seed_and_prints_them()
    {
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions { Permutations = 0, Delta = 0.1, Seed = 7 }, mi: 0.3);

        var plan = assessor.Assess(TeacherAndStudent());

        plan.BestScore.Should().Be(0.9);
        plan.Delta.Should().Be(0.1);
        plan.Seed.Should().Be(7);
        plan.EstimatorName.Should().Be("scripted");
        plan.Modalities.Select(m => m.Index).Should().Equal(0, 1);
        plan.ToString().Split('\n').Should().Equal(
            "distillation plan (estimator scripted, best score 0.9000, delta 0.1, seed 7)",
            "  a: strong: score 0.9000 >= best 0.9000 - delta 0.1; teaches, is not taught",
            "  b: " + plan["b"].Reason);
    }

    [Fact]
    public void Looking_up_an_unknown_modality_names_the_known_ones()
    {
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions { Permutations = 0 }, mi: 0.3);
        var plan = assessor.Assess(TeacherAndStudent());

        var unknown = () => plan["c"];
        var teacherOfUnknown = () => plan.TeacherOf("c");
        var nullName = () => plan[null!];

        unknown.Should().Throw<KeyNotFoundException>().WithMessage("The plan has no modality 'c' (it has a, b).");
        teacherOfUnknown.Should().Throw<KeyNotFoundException>();
        nullName.Should().Throw<ArgumentNullException>();
        plan.TeacherOf("a").Should().BeNull("a strong modality has no teacher");
    }

    [Fact]
    public void A_single_modality_is_rejected()
    {
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions(), mi: 0.3);

        var act = () => assessor.Assess([Modality("a", 0.9, 1)]);

        act.Should().Throw<ArgumentException>().WithParameterName("modalities").WithMessage("At least two modalities*got 1.*");
    }

    [Fact]
    public void A_null_modality_is_rejected_naming_its_position()
    {
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions(), mi: 0.3);

        var act = () => assessor.Assess([Modality("a", 0.9, 1), null!]);

        act.Should().Throw<ArgumentNullException>().WithParameterName("modalities").WithMessage("Modality 1 is null*");
    }

    [Fact]
    public void Fewer_than_three_rows_are_rejected()
    {
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions(), mi: 0.3);

        var act = () => assessor.Assess([new ModalityEvidence("a", 0.9, new double[2, 2]), new ModalityEvidence("b", 0.5, new double[2, 2])]);

        act.Should().Throw<ArgumentException>().WithParameterName("modalities").WithMessage("At least 3 rows*'scripted'; got 2.*");
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(6, 7)]
    public void A_ksg_estimator_needs_k_plus_one_rows(int k, int minimum)
    {
        var assessor = new ModalityAssessor(new KsgEstimator(new KsgEstimatorOptions { K = k }), new ModalityAssessmentOptions { Permutations = 0 });
        var rows = minimum - 1;

        var act = () => assessor.Assess([new ModalityEvidence("a", 0.9, new double[rows, 2]), new ModalityEvidence("b", 0.5, new double[rows, 2])]);

        act.Should().Throw<ArgumentException>().WithMessage($"At least {minimum} rows*got {rows}.*");
    }

    [Fact]
    public void A_bias_corrected_gaussian_estimator_needs_more_rows_than_the_joint_columns()
    {
        var assessor = new ModalityAssessor(new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = true }),
            new ModalityAssessmentOptions { Permutations = 0, UsePca = true, PcaComponents = 2 });

        // 4 output columns, reduced to 2 by PCA: 2 * 2 + 1 = 5 rows are needed.
        var act = () => assessor.Assess([new ModalityEvidence("a", 0.9, new double[4, 4]), new ModalityEvidence("b", 0.5, new double[4, 4])]);

        act.Should().Throw<ArgumentException>().WithMessage("At least 5 rows*got 4.*");
    }

    [Fact]
    public void A_negative_label_is_rejected_naming_its_row()
    {
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions { Permutations = 0 }, mi: 0.3);

        var act = () => assessor.Assess(TeacherAndStudent(), [0, 1, 0, -2, 1, 0]);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("labels").WithMessage("labels[3] = -2 is negative*");
    }

    [Fact]
    public void The_constructors_reject_null_dependencies_and_use_the_monitored_options()
    {
        var estimator = new ScriptedMutualInformationEstimator(new Dictionary<(double, double), double>());
        var options = new ModalityAssessmentOptions();
        var nullEstimator = () => new ModalityAssessor(null!, options);
        var nullMonitor = () => new ModalityAssessor(estimator, (IOptions<ModalityAssessmentOptions>)null!);

        nullEstimator.Should().Throw<ArgumentNullException>().WithParameterName("estimator");
        nullMonitor.Should().Throw<ArgumentNullException>().WithParameterName("options");
        new ModalityAssessor(estimator, Options.Create(options)).Options.Should().BeSameAs(options);
    }

    [Fact]
    public void Null_modalities_are_rejected()
    {
        var (assessor, _, _) = Pair(new ModalityAssessmentOptions(), mi: 0.3);

        var act = () => assessor.Assess(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("modalities");
    }
}
