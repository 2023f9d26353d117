using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using FluentAssertions;
using MathNet.Numerics.Distributions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

public class ModalityAssessorTests
{
    /// <summary>Core's closed-form Gaussian estimator, I = 1/2 ln(det S_xx det S_yy / det S) (with its small ridge,
    /// which keeps the probability outputs, whose rows sum to 1, finite).</summary>
    private static GaussianMutualInformationEstimator Gaussian() => new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false });

    private static ModalityAssessor Assessor(ModalityAssessmentOptions? options = null) =>
        new(Gaussian(), options ?? new ModalityAssessmentOptions { Seed = 42 });

    [Fact]
    public void The_strong_modality_teaches_the_related_weak_one_and_the_gate_closes_for_noise()
    {
        var data = new SyntheticModalities(seed: 1);
        var plan = Assessor().Assess(data.Evidence(), data.Labels);

        plan["mrna"].IsStrong.Should().BeTrue();
        plan["methylation"].IsStrong.Should().BeFalse();
        plan["methylation"].TeacherName.Should().Be("mrna");
        plan["methylation"].GateOpen.Should().BeTrue();
        plan["methylation"].TeacherPValue.Should().Be(1.0 / 200);
        plan["noise"].GateOpen.Should().BeFalse();
        plan["noise"].TeacherPValue.Should().BeGreaterThan(0.05);
        plan.TeacherOf("methylation").Should().Be("mrna");
        plan.TeacherOf("noise").Should().BeNull();
        plan.Students.Select(s => s.Name).Should().Equal("methylation");
    }

    [Fact]
    public void The_plan_reports_the_mi_values_and_the_reasons()
    {
        var data = new SyntheticModalities(seed: 1);
        var plan = Assessor().Assess(data.Evidence(), data.Labels);
        var weak = plan["methylation"];

        weak.Candidates.Should().ContainSingle().Which.Name.Should().Be("mrna");
        weak.MutualInformationWithTeacher.Should().BeGreaterThan(0.2);
        plan["noise"].MutualInformationWithTeacher.Should().BeLessThan(0.05);
        weak.MutualInformationWithLabels.Should().BeGreaterThan(0.05, "the weak modality's logits are a damped copy of the label-carrying ones");
        weak.Reason.Should().Contain("gate open").And.Contain("teacher 'mrna'");
        plan["noise"].Reason.Should().Contain("gate closed").And.Contain("p = ").And.Contain("cross-entropy alone");
        plan["mrna"].Reason.Should().StartWith("strong");
        plan.EstimatorName.Should().Be("gaussian");
    }

    [Fact]
    public void The_teacher_is_the_strong_candidate_with_the_highest_mutual_information()
    {
        var data = new SyntheticModalities(seed: 2);
        var evidence = data.Evidence();
        // A second strong modality, independent of the weak one: the weak modality must still pick mrna.
        var modalities = new List<ModalityEvidence>(evidence)
        {
            new("proteins", 0.90, SyntheticModalities.Softmax(new SyntheticModalities(seed: 99).StrongLogits)),
        };
        var plan = Assessor().Assess(modalities);

        plan["proteins"].IsStrong.Should().BeTrue();
        plan["methylation"].Candidates.Select(c => c.Name).Should().Equal("mrna", "proteins");
        plan["methylation"].TeacherName.Should().Be("mrna");
    }

    [Fact]
    public void Strong_means_a_score_at_least_best_minus_delta()
    {
        var data = new SyntheticModalities(seed: 3);
        var modalities = new[]
        {
            new ModalityEvidence("a", 0.90, SyntheticModalities.Softmax(data.StrongLogits)),
            new ModalityEvidence("b", 0.85, SyntheticModalities.Softmax(data.WeakLogits)),
            new ModalityEvidence("c", 0.8499, SyntheticModalities.Softmax(data.NoiseLogits)),
        };
        var plan = Assessor(new ModalityAssessmentOptions { Delta = 0.05, Permutations = 0 }).Assess(modalities);

        plan.StrongModalities.Select(m => m.Name).Should().Equal("a", "b");
        plan["a"].TeacherName.Should().BeNull();
        plan["c"].IsStrong.Should().BeFalse();
    }

    [Theory]
    [InlineData(0.52, 0.47, 0.05)]   // 0.52 - 0.05 = 0.47000000000000003 in double
    [InlineData(0.8, 0.7, 0.1)]      // 0.8 - 0.1 = 0.7000000000000001
    [InlineData(0.9, 0.85, 0.05)]
    [InlineData(100000.52, 100000.47, 0.05)]   // best - other = 0.05000000000291038: the tolerance scales with the scores
    [InlineData(-3.25, -3.3, 0.05)]
    [InlineData(0.87, -42210.41, 42211.28)]   // best - other = 42211.280000000006, one ulp above delta: the tolerance scales with delta too
    public void A_score_exactly_delta_below_the_best_is_strong_despite_rounding(double best, double other, double delta)
    {
        var data = new SyntheticModalities(seed: 3);
        var modalities = new[]
        {
            new ModalityEvidence("a", best, SyntheticModalities.Softmax(data.StrongLogits)),
            new ModalityEvidence("b", other, SyntheticModalities.Softmax(data.WeakLogits)),
            new ModalityEvidence("c", other - 1e-9 * Math.Max(1, Math.Max(Math.Abs(best), delta)), SyntheticModalities.Softmax(data.NoiseLogits)),
        };
        var plan = Assessor(new ModalityAssessmentOptions { Delta = delta, Permutations = 0 }).Assess(modalities);

        plan["b"].IsStrong.Should().BeTrue("METHOD.md section 7: strong iff s_m >= best - delta, exactly");
        plan["c"].IsStrong.Should().BeFalse("1e-9 (relative) below the boundary is beyond the rounding tolerance");
    }

    [Fact]
    public void A_gap_of_exactly_delta_plus_tolerance_is_strong()
    {
        // With delta = 0 and best = 0 the tolerance is BoundaryTolerance x max(1, 0, 0) = 1e-12, and 0 - (-1e-12) = 1e-12
        // exactly: the gap equals delta + tolerance, which the rule (<=) still counts as strong.
        var data = new SyntheticModalities(seed: 3);
        var modalities = new[]
        {
            new ModalityEvidence("a", 0, SyntheticModalities.Softmax(data.StrongLogits)),
            new ModalityEvidence("b", -ModalityAssessor.BoundaryTolerance, SyntheticModalities.Softmax(data.WeakLogits)),
        };
        var plan = Assessor(new ModalityAssessmentOptions { Delta = 0, Permutations = 0 }).Assess(modalities);

        plan["a"].IsStrong.Should().BeTrue();
        plan["b"].IsStrong.Should().BeTrue("best - s = 1e-12 = delta + 1e-12 max(1, |best|, delta), at the boundary, which is included");
    }

    [Fact]
    public void The_same_seed_gives_the_same_plan_and_another_seed_other_p_values()
    {
        var data = new SyntheticModalities(seed: 4);
        var first = Assessor(new ModalityAssessmentOptions { Seed = 7, Permutations = 99 }).Assess(data.Evidence());
        var second = Assessor(new ModalityAssessmentOptions { Seed = 7, Permutations = 99 }).Assess(data.Evidence());
        var other = Assessor(new ModalityAssessmentOptions { Seed = 8, Permutations = 99 }).Assess(data.Evidence());

        second.ToString().Should().Be(first.ToString());
        second["noise"].TeacherPValue.Should().Be(first["noise"].TeacherPValue);
        other["noise"].Teacher!.NullMean.Should().NotBe(first["noise"].Teacher!.NullMean);
    }

    [Fact]
    public void A_threshold_alone_closes_the_gate_below_it()
    {
        var data = new SyntheticModalities(seed: 5);
        var plan = Assessor(new ModalityAssessmentOptions { Permutations = 0, MinimumMutualInformation = 0.1 }).Assess(data.Evidence());

        plan["methylation"].GateOpen.Should().BeTrue();
        plan["methylation"].TeacherPValue.Should().BeNull();
        plan["noise"].GateOpen.Should().BeFalse();
        plan["noise"].Reason.Should().Contain("<= threshold 0.1");
    }

    [Fact]
    public void Complementarity_closes_the_gate_when_the_student_knows_the_labels_better_than_the_teacher_does()
    {
        // Teacher and student both read the label, independently: I(t; s) < I(s; y) by the data-processing inequality.
        var random = new Random(6);
        const int n = 400;
        var labels = Enumerable.Range(0, n).Select(_ => random.Next(2)).ToArray();
        var teacher = new double[n, 1];
        var student = new double[n, 1];
        for (int i = 0; i < n; i++)
        {
            teacher[i, 0] = labels[i] + 0.3 * Normal.Sample(random, 0, 1);
            student[i, 0] = labels[i] + 0.6 * Normal.Sample(random, 0, 1);
        }
        var modalities = new[] { new ModalityEvidence("t", 0.95, teacher), new ModalityEvidence("s", 0.7, student) };

        var without = Assessor(new ModalityAssessmentOptions { Permutations = 99 }).Assess(modalities, labels);
        var with = Assessor(new ModalityAssessmentOptions { Permutations = 99, RequireComplementarity = true }).Assess(modalities, labels);

        without["s"].GateOpen.Should().BeTrue();
        with["s"].GateOpen.Should().BeFalse();
        with["s"].MutualInformationWithTeacher.Should().BeLessThan(with["s"].MutualInformationWithLabels!.Value);
        with["s"].Reason.Should().Contain("complementarity");
    }

    [Fact]
    public void Complementarity_lets_a_teacher_that_adds_information_through()
    {
        var data = new SyntheticModalities(seed: 1);
        var plan = Assessor(new ModalityAssessmentOptions { Seed = 42, RequireComplementarity = true }).Assess(data.Evidence(), data.Labels);

        // Premise: the teacher adds information beyond the labels, which is what the rule lets through.
        plan["methylation"].MutualInformationWithTeacher!.Value.Should().BeGreaterThan(plan["methylation"].MutualInformationWithLabels!.Value);
        plan["methylation"].GateOpen.Should().BeTrue();
    }

    [Fact]
    public void A_separate_label_estimator_is_used_for_the_label_term()
    {
        var data = new SyntheticModalities(seed: 1);
        var estimator = new CountingMutualInformationEstimator(Gaussian());
        var labelEstimator = new CountingMutualInformationEstimator(Gaussian());
        new ModalityAssessor(estimator, new ModalityAssessmentOptions { Permutations = 0 }, labelEstimator)
            .Assess(data.Evidence(), data.Labels);

        // I(outputs; labels) for the two weak modalities; the teacher terms (one strong candidate each) stay with the other.
        labelEstimator.Calls.Should().Be(2);
        estimator.Calls.Should().Be(2);
    }

    [Fact]
    public void Embeddings_reduced_by_pca_give_the_same_decisions()
    {
        var data = new SyntheticModalities(seed: 1);
        var random = new Random(8);
        var modalities = new[]
        {
            new ModalityEvidence("mrna", 0.92, SyntheticModalities.Embed(data.StrongLogits, 40, random)),
            new ModalityEvidence("methylation", 0.61, SyntheticModalities.Embed(data.WeakLogits, 40, random)),
            new ModalityEvidence("noise", 0.34, SyntheticModalities.Embed(data.NoiseLogits, 40, random)),
        };
        var plan = Assessor(new ModalityAssessmentOptions { Seed = 1, UsePca = true, PcaComponents = 3, Permutations = 99 }).Assess(modalities);

        plan["methylation"].GateOpen.Should().BeTrue();
        plan["methylation"].TeacherName.Should().Be("mrna");
        plan["noise"].GateOpen.Should().BeFalse();
    }

    [Fact]
    public void Tensor_outputs_are_accepted()
    {
        using var scope = NewDisposeScope();
        var data = new SyntheticModalities(seed: 1);
        var evidence = data.Evidence().Select(e =>
            ModalityEvidence.FromTensor(e.Name, e.Score, tensor(e.Outputs.Cast<double>().ToArray(), [e.Rows, 3], dtype: ScalarType.Float32))).ToArray();

        evidence[1].Outputs[5, 2].Should().BeApproximately(data.Evidence()[1].Outputs[5, 2], 1e-7);
        Assessor().Assess(evidence)["methylation"].GateOpen.Should().BeTrue();
    }

    [Fact]
    public void Complementarity_without_labels_is_rejected()
    {
        var act = () => Assessor(new ModalityAssessmentOptions { RequireComplementarity = true }).Assess(new SyntheticModalities(1).Evidence());

        act.Should().Throw<ArgumentException>().WithParameterName("labels");
    }

    [Fact]
    public void Modalities_with_different_row_counts_are_rejected_naming_the_modality()
    {
        var act = () => Assessor().Assess([new ModalityEvidence("a", 0.9, new double[10, 2]), new ModalityEvidence("b", 0.5, new double[9, 2])]);

        act.Should().Throw<ArgumentException>().WithMessage("*'b' has 9 output rows*");
    }

    [Fact]
    public void A_duplicate_modality_name_is_rejected()
    {
        var act = () => Assessor().Assess([new ModalityEvidence("a", 0.9, new double[10, 2]), new ModalityEvidence("a", 0.5, new double[10, 2])]);

        act.Should().Throw<ArgumentException>().WithMessage("*'a' appears twice*");
    }

    [Fact]
    public void Labels_of_the_wrong_length_are_rejected()
    {
        var act = () => Assessor().Assess(new SyntheticModalities(1).Evidence(), new int[10]);

        act.Should().Throw<ArgumentException>().WithMessage("*labels has 10 entries*");
    }

    [Fact]
    public void Labels_of_a_single_class_are_rejected_before_any_mutual_information_is_estimated()
    {
        var counting = new CountingMutualInformationEstimator(Gaussian());
        var assessor = new ModalityAssessor(counting, new ModalityAssessmentOptions { Seed = 42, Permutations = 19 });

        var act = () => assessor.Assess(new SyntheticModalities(1).Evidence(), new int[300]);

        act.Should().Throw<ArgumentException>().WithMessage("*labels is class 0*at least two classes*").And.ParamName.Should().Be("labels");
        counting.Calls.Should().Be(0);
    }

    [Fact]
    public void A_non_finite_output_is_rejected_naming_the_modality_row_and_column()
    {
        var outputs = new double[4, 3];
        outputs[2, 1] = double.NaN;
        var act = () => new ModalityEvidence("rna", 0.5, outputs);

        act.Should().Throw<ArgumentException>().WithMessage("*'rna'*row 2, column 1*");
    }

    [Fact]
    public void Options_made_invalid_through_the_assessor_after_construction_are_rejected_by_Assess()
    {
        var assessor = Assessor();
        assessor.Options.Delta = double.NaN;

        var act = () => assessor.Assess(new SyntheticModalities(1).Evidence());

        act.Should().Throw<ArgumentException>().WithParameterName("Options").WithMessage("*Delta*");
    }

    [Theory]
    [InlineData(-0.01, 199, 0.05, 0, 10, "Delta")]
    [InlineData(0.05, -1, 0.05, 0, 10, "Permutations")]
    [InlineData(0.05, 199, 1.5, 0, 10, "SignificanceLevel")]
    [InlineData(0.05, 9, 0.05, 0, 10, "SignificanceLevel")]
    [InlineData(0.05, 199, 0.05, -1, 10, "MinimumMutualInformation")]
    [InlineData(0.05, 199, 0.05, 0, 0, "PcaComponents")]
    public void Invalid_options_are_rejected_naming_the_option(double delta, int permutations, double level, double threshold, int components, string named)
    {
        var options = new ModalityAssessmentOptions
        {
            Delta = delta, Permutations = permutations, SignificanceLevel = level, MinimumMutualInformation = threshold, PcaComponents = components,
        };
        var act = () => Assessor(options);

        act.Should().Throw<ArgumentException>().WithMessage($"*{named}*");
    }
}
