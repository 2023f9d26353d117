using BalancedMultimodal.Distillation.Losses;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Losses;

public class DistillationLossTests
{
    private static readonly double[][] StudentLogits = [[1.0, 0.0, -1.0], [0.5, 0.2, 0.1], [-0.3, 0.8, 0.0], [2.0, -1.0, 0.5]];
    private static readonly double[][] TeacherLogits = [[2.0, -0.5, 0.0], [0.0, 1.5, -1.0], [0.3, 0.3, 1.2], [1.0, 0.0, -2.0]];
    private static readonly int[] Labels = [0, 1, 2, -1];
    private static readonly bool[] LabelledMask = [true, true, true, false];
    private static readonly bool[] DistillMask = [false, true, true, true];

    private static Tensor Matrix(double[][] rows, ScalarType dtype = ScalarType.Float64, bool requiresGrad = false) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], dtype: dtype, requires_grad: requiresGrad);

    private static DistillationLoss Loss(double a1, double a2, double a3, double temperature = 2.0,
        RepresentationLossKind kind = RepresentationLossKind.ProjectedMse, int ds = 2, int dt = 2) =>
        new(ds, dt, new DistillationLossOptions
        {
            CrossEntropyWeight = a1,
            KullbackLeiblerWeight = a2,
            RepresentationWeight = a3,
            Temperature = temperature,
            Representation = kind,
        }, dtype: ScalarType.Float64);

    private static DistillationLossTerms Compute(DistillationLoss loss, Tensor? studentLogits = null, Tensor? teacherLogits = null,
        Tensor? hs = null, Tensor? ht = null, bool useDistillMask = true)
    {
        hs ??= tensor(new double[] { 1, 2, 0, 1, -1, 0.5, 3, -2 }, [4, 2]);
        ht ??= tensor(new double[] { 0.5, 1, 1, -1, 2, 0, -1, 1 }, [4, 2]);
        return loss.Compute(studentLogits ?? Matrix(StudentLogits), hs, teacherLogits ?? Matrix(TeacherLogits),
            ht, tensor(Labels.Select(l => (long)l).ToArray()), tensor(LabelledMask), useDistillMask ? tensor(DistillMask) : null);
    }

    [Fact]
    public void Cross_entropy_term_matches_the_hand_computed_mean_over_labelled_rows()
    {
        using var scope = NewDisposeScope();
        var terms = Compute(Loss(1, 1, 0.1));

        terms.CrossEntropy.item<double>().Should().BeApproximately(HandComputed.CrossEntropy(StudentLogits, Labels, LabelledMask), 1e-12);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(4.0)]
    public void Kl_term_is_t_squared_times_batchmean_kl_over_the_distill_mask(double temperature)
    {
        using var scope = NewDisposeScope();
        var terms = Compute(Loss(1, 1, 0.1, temperature));

        terms.KullbackLeibler.item<double>().Should().BeApproximately(
            HandComputed.DistillationKl(StudentLogits, TeacherLogits, DistillMask, temperature), 1e-12);
    }

    [Fact]
    public void Kl_term_of_a_known_pair_equals_its_closed_form()
    {
        // Uniform student, teacher (ln 3, 0) at T = 1: p_t = (3/4, 1/4), KL = 3/4 ln(3/2) + 1/4 ln(1/2); one row, B = 1.
        using var scope = NewDisposeScope();
        var kl = DistillationLoss.KullbackLeiblerBatchMean(zeros(1, 2, dtype: ScalarType.Float64),
            tensor(new[] { Math.Log(3), 0.0 }, [1, 2]), 1.0);

        kl.item<double>().Should().BeApproximately(0.75 * Math.Log(1.5) + 0.25 * Math.Log(0.5), 1e-15);
    }

    [Fact]
    public void The_functional_kl_refuses_an_empty_batch_instead_of_returning_nan()
    {
        using var scope = NewDisposeScope();
        var act = () => DistillationLoss.KullbackLeiblerBatchMean(zeros(0, 3), zeros(0, 3), 2.0);

        act.Should().Throw<ArgumentException>().WithMessage("*at least one row*").And.ParamName.Should().Be("studentLogits");
    }

    [Fact]
    public void The_functional_kl_names_a_non_finite_teacher_row()
    {
        using var scope = NewDisposeScope();
        var teacher = zeros(3, 2);
        teacher[1, 0] = tensor(float.NaN);

        var act = () => DistillationLoss.KullbackLeiblerBatchMean(zeros(3, 2), teacher, 2.0);

        act.Should().Throw<ArgumentException>().WithMessage("*non-finite*row 1*").And.ParamName.Should().Be("teacherLogits");
    }

    [Fact]
    public void The_functional_kl_refuses_logits_of_different_dtypes()
    {
        using var scope = NewDisposeScope();
        var act = () => DistillationLoss.KullbackLeiblerBatchMean(zeros(2, 2), zeros(2, 2, dtype: ScalarType.Float64), 2.0);

        act.Should().Throw<ArgumentException>().WithMessage("*Float64*Float32*").And.ParamName.Should().Be("teacherLogits");
    }

    [Fact]
    public void Without_a_distill_mask_kl_averages_over_every_row()
    {
        using var scope = NewDisposeScope();
        var terms = Compute(Loss(1, 1, 0.1), useDistillMask: false);

        terms.KullbackLeibler.item<double>().Should().BeApproximately(
            HandComputed.DistillationKl(StudentLogits, TeacherLogits, [true, true, true, true], 2.0), 1e-12);
    }

    [Fact]
    public void Projected_mse_term_is_the_mean_squared_error_of_the_projected_student_embedding()
    {
        using var scope = NewDisposeScope();
        var loss = Loss(1, 1, 0.1);
        using (no_grad())
        {
            loss.Projection.weight!.copy_(tensor(new double[] { 2, 0, 1, -1 }, [2, 2]));
            loss.Projection.bias!.copy_(tensor(new double[] { 0.5, 0 }));
        }
        // Rows 1..3 (distill mask): P h = (2 h1 + 0.5, h1 - h2).
        double[][] hs = [[0, 1], [-1, 0.5], [3, -2]];
        double[][] ht = [[1, -1], [2, 0], [-1, 1]];
        double expected = 0;
        foreach (var (s, t) in hs.Zip(ht))
            expected += Math.Pow(2 * s[0] + 0.5 - t[0], 2) + Math.Pow(s[0] - s[1] - t[1], 2);
        expected /= 3 * 2;

        Compute(loss).Representation.item<double>().Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Cosine_term_is_one_minus_the_mean_cosine_of_projected_student_and_teacher()
    {
        using var scope = NewDisposeScope();
        var loss = Loss(1, 1, 0.1, kind: RepresentationLossKind.Cosine);
        using (no_grad())
        {
            loss.Projection.weight!.copy_(eye(2, dtype: ScalarType.Float64));
            loss.Projection.bias!.zero_();
        }
        double[][] hs = [[0, 1], [-1, 0.5], [3, -2]];
        double[][] ht = [[1, -1], [2, 0], [-1, 1]];
        double expected = hs.Zip(ht).Average(p =>
            1 - (p.First[0] * p.Second[0] + p.First[1] * p.Second[1]) /
            (Math.Sqrt(p.First[0] * p.First[0] + p.First[1] * p.First[1]) * Math.Sqrt(p.Second[0] * p.Second[0] + p.Second[1] * p.Second[1])));

        Compute(loss).Representation.item<double>().Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Total_is_the_weighted_sum_of_the_three_terms()
    {
        using var scope = NewDisposeScope();
        var terms = Compute(Loss(0.7, 1.3, 0.2));

        terms.Total.item<double>().Should().BeApproximately(
            0.7 * terms.CrossEntropy.item<double>() + 1.3 * terms.KullbackLeibler.item<double>() + 0.2 * terms.Representation.item<double>(), 1e-12);
    }

    [Fact]
    public void The_teacher_receives_no_gradient_and_the_student_and_projection_do()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var teacher = nn.Linear(5, 3, dtype: ScalarType.Float64);
        var teacherEncoder = nn.Linear(5, 2, dtype: ScalarType.Float64);
        var student = nn.Linear(5, 3, dtype: ScalarType.Float64);
        var studentEncoder = nn.Linear(5, 2, dtype: ScalarType.Float64);
        var x = randn(4, 5, dtype: ScalarType.Float64);
        var loss = Loss(1, 1, 0.1);

        var terms = Compute(loss, student.forward(x), teacher.forward(x), studentEncoder.forward(x), teacherEncoder.forward(x));
        terms.Total.backward();

        teacher.weight!.grad.Should().BeNull();
        teacherEncoder.weight!.grad.Should().BeNull();
        student.weight!.grad!.abs().sum().item<double>().Should().BeGreaterThan(0);
        studentEncoder.weight!.grad!.abs().sum().item<double>().Should().BeGreaterThan(0);
        loss.Projection.weight!.grad!.abs().sum().item<double>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void A_zero_kl_weight_removes_the_kl_gradient_exactly()
    {
        using var scope = NewDisposeScope();
        var withoutKl = Compute(Loss(1, 0, 0.1), Matrix(StudentLogits, requiresGrad: true));
        var logitsA = Matrix(StudentLogits, requiresGrad: true);
        Compute(Loss(1, 0, 0.1), logitsA).Total.backward();
        var logitsB = Matrix(StudentLogits, requiresGrad: true);
        HandlessCrossEntropy(logitsB).backward();

        withoutKl.KullbackLeibler.requires_grad.Should().BeFalse();
        withoutKl.KullbackLeibler.item<double>().Should().BeGreaterThan(0, "the term is still reported for logging");
        logitsA.grad!.data<double>().ToArray().Should().Equal(logitsB.grad!.data<double>().ToArray());
    }

    [Fact]
    public void A_zero_representation_weight_leaves_the_projection_without_gradient()
    {
        using var scope = NewDisposeScope();
        var loss = Loss(1, 1, 0);
        var hs = tensor(new double[] { 1, 2, 0, 1, -1, 0.5, 3, -2 }, [4, 2], requires_grad: true);

        Compute(loss, Matrix(StudentLogits, requiresGrad: true), hs: hs).Total.backward();

        loss.Projection.weight!.grad.Should().BeNull();
        hs.grad.Should().BeNull();
    }

    [Fact]
    public void Float32_inputs_give_float32_terms_matching_the_float64_values()
    {
        using var scope = NewDisposeScope();
        var loss = new DistillationLoss(2, 2, new DistillationLossOptions { RepresentationWeight = 0 });
        var terms = loss.Compute(Matrix(StudentLogits, ScalarType.Float32), null, Matrix(TeacherLogits, ScalarType.Float32), null,
            tensor(Labels.Select(l => (long)l).ToArray()), tensor(LabelledMask), tensor(DistillMask));

        terms.Total.dtype.Should().Be(ScalarType.Float32);
        terms.KullbackLeibler.item<float>().Should().BeApproximately(
            (float)HandComputed.DistillationKl(StudentLogits, TeacherLogits, DistillMask, 2.0), 1e-5f);
    }

    [Fact]
    public void A_label_outside_the_classes_at_a_labelled_row_is_rejected_naming_the_row()
    {
        using var scope = NewDisposeScope();
        var act = () => Loss(1, 1, 0.1).Compute(Matrix(StudentLogits), tensor(new double[8], [4, 2]), Matrix(TeacherLogits),
            tensor(new double[8], [4, 2]), tensor(new long[] { 0, 3, 1, -1 }), tensor(LabelledMask));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*labels[1] = 3*");
    }

    [Fact]
    public void A_mask_of_the_wrong_length_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => Loss(1, 1, 0.1).Compute(Matrix(StudentLogits), tensor(new double[8], [4, 2]), Matrix(TeacherLogits),
            tensor(new double[8], [4, 2]), tensor(new long[] { 0, 1, 1, 0 }), tensor(new[] { true, false }));

        act.Should().Throw<ArgumentException>().WithParameterName("labelledMask");
    }

    [Fact]
    public void An_empty_labelled_mask_is_rejected_when_the_cross_entropy_weight_is_positive()
    {
        using var scope = NewDisposeScope();
        var act = () => Loss(1, 1, 0.1).Compute(Matrix(StudentLogits), tensor(new double[8], [4, 2]), Matrix(TeacherLogits),
            tensor(new double[8], [4, 2]), tensor(new long[] { 0, 1, 1, 0 }), zeros(4, dtype: ScalarType.Bool));

        act.Should().Throw<ArgumentException>().WithMessage("*labelledMask selects no row*");
    }

    [Fact]
    public void Teacher_logits_with_another_class_count_are_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => Loss(1, 1, 0.1).Compute(Matrix(StudentLogits), tensor(new double[8], [4, 2]), zeros(4, 2, dtype: ScalarType.Float64),
            tensor(new double[8], [4, 2]), tensor(new long[] { 0, 1, 1, 0 }), tensor(LabelledMask));

        act.Should().Throw<ArgumentException>().WithParameterName("teacherLogits");
    }

    [Fact]
    public void A_student_embedding_of_the_wrong_width_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => Compute(Loss(1, 1, 0.1, ds: 3));

        act.Should().Throw<ArgumentException>().WithParameterName("studentEmbedding");
    }

    [Theory]
    [InlineData(-1, 1, 0.1, 2, "CrossEntropyWeight")]
    [InlineData(1, -0.5, 0.1, 2, "KullbackLeiblerWeight")]
    [InlineData(1, 1, -0.1, 2, "RepresentationWeight")]
    [InlineData(1, 1, 0.1, 0, "Temperature")]
    [InlineData(1, 1, 0.1, -2, "Temperature")]
    [InlineData(0, 0, 0, 2, "DistillationLossOptions.CrossEntropyWeight, DistillationLossOptions.KullbackLeiblerWeight and DistillationLossOptions.RepresentationWeight are all 0")]
    public void Invalid_options_are_rejected_naming_the_option(double a1, double a2, double a3, double temperature, string named)
    {
        var act = () => Loss(a1, a2, a3, temperature);

        act.Should().Throw<ArgumentException>().WithMessage($"*{named}*");
    }

    [Fact]
    public void Options_made_invalid_through_the_loss_after_construction_are_rejected_by_Compute()
    {
        var loss = Loss(1, 1, 0.1);
        loss.Options.Temperature = 0;

        var act = () => Compute(loss);

        act.Should().Throw<ArgumentException>().WithParameterName("Options").WithMessage("*Temperature*");
    }

    [Fact]
    public void Options_made_invalid_through_the_factory_after_construction_are_rejected_by_Create()
    {
        var factory = new DistillationLossFactory(new DistillationLossOptions());
        factory.Options.CrossEntropyWeight = double.NaN;

        var act = () => factory.Create(2, 2);

        act.Should().Throw<ArgumentException>().WithParameterName("Options").WithMessage("*CrossEntropyWeight*");
    }

    private static Tensor HandlessCrossEntropy(Tensor logits)
    {
        var rows = tensor(new long[] { 0, 1, 2 });
        return nn.functional.cross_entropy(logits.index_select(0, rows), tensor(new long[] { 0, 1, 2 }));
    }
}
