using BalancedMultimodal.Distillation.Losses;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Losses;

/// <summary>The argument checks of <see cref="DistillationLoss"/> and its handling of empty masks and missing embeddings.</summary>
public class DistillationLossInputTests
{
    private static readonly double[][] StudentLogits = [[1.0, 0.0, -1.0], [0.5, 0.2, 0.1], [-0.3, 0.8, 0.0], [2.0, -1.0, 0.5]];
    private static readonly double[][] TeacherLogits = [[2.0, -0.5, 0.0], [0.0, 1.5, -1.0], [0.3, 0.3, 1.2], [1.0, 0.0, -2.0]];
    private static readonly int[] Labels = [0, 1, 2, -1];
    private static readonly bool[] LabelledMask = [true, true, true, false];
    private static readonly bool[] DistillMask = [false, true, true, true];

    private static Tensor Matrix(double[][] rows, ScalarType dtype = ScalarType.Float64) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], dtype: dtype);

    private static DistillationLoss Loss(double a1 = 1, double a2 = 1, double a3 = 0.1, int ds = 2, int dt = 2) =>
        new(ds, dt, new DistillationLossOptions { CrossEntropyWeight = a1, KullbackLeiblerWeight = a2, RepresentationWeight = a3 },
            dtype: ScalarType.Float64);

    private static Tensor StudentEmbedding() => tensor(new double[] { 1, 2, 0, 1, -1, 0.5, 3, -2 }, [4, 2]);

    private static Tensor TeacherEmbedding() => tensor(new double[] { 0.5, 1, 1, -1, 2, 0, -1, 1 }, [4, 2]);

    private static Tensor LabelTensor(params long[] labels) => tensor(labels.Length == 0 ? Labels.Select(l => (long)l).ToArray() : labels);

    private static Action Computing(DistillationLoss loss, Tensor? studentLogits = null, Tensor? studentEmbedding = null,
        Tensor? teacherLogits = null, Tensor? teacherEmbedding = null, Tensor? labels = null, Tensor? labelledMask = null,
        Tensor? distillMask = null, bool omitEmbeddings = false) =>
        () => loss.Compute(studentLogits ?? Matrix(StudentLogits), omitEmbeddings ? null : studentEmbedding ?? StudentEmbedding(),
            teacherLogits ?? Matrix(TeacherLogits), omitEmbeddings ? null : teacherEmbedding ?? TeacherEmbedding(),
            labels ?? LabelTensor(), labelledMask ?? tensor(LabelledMask), distillMask);

    [Theory]
    [InlineData(0, 2, "studentDimension")]
    [InlineData(2, 0, "teacherDimension")]
    public void A_dimension_below_one_is_rejected_naming_it(int ds, int dt, string parameter)
    {
        var act = () => new DistillationLoss(ds, dt, new DistillationLossOptions());

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
    }

    [Theory]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Bool)]
    public void A_non_floating_parameter_dtype_is_rejected(ScalarType dtype)
    {
        var act = () => new DistillationLoss(2, 2, new DistillationLossOptions(), dtype: dtype);

        act.Should().Throw<ArgumentException>().WithParameterName("dtype").WithMessage($"*floating type*{dtype}*");
    }

    [Fact]
    public void The_options_monitor_constructor_uses_the_monitored_value_and_rejects_null()
    {
        var options = new DistillationLossOptions { Temperature = 3 };
        var loss = new DistillationLoss(2, 3, Options.Create(options));
        var act = () => new DistillationLoss(2, 3, (IOptions<DistillationLossOptions>)null!);

        loss.Options.Should().BeSameAs(options);
        loss.StudentDimension.Should().Be(2);
        loss.TeacherDimension.Should().Be(3);
        loss.Projection.weight!.shape.Should().Equal(3, 2);
        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Student_logits_that_are_not_a_matrix_are_rejected()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), studentLogits: zeros(4, dtype: ScalarType.Float64));

        act.Should().Throw<ArgumentException>().WithParameterName("studentLogits").WithMessage("*2-D*[4]*");
    }

    [Fact]
    public void Integer_student_logits_are_rejected()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), studentLogits: zeros(4, 3, dtype: ScalarType.Int64));

        act.Should().Throw<ArgumentException>().WithParameterName("studentLogits").WithMessage("*floating-point*Int64*");
    }

    [Fact]
    public void Teacher_logits_with_another_row_count_are_rejected_naming_both_counts()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), teacherLogits: zeros(3, 3, dtype: ScalarType.Float64));

        act.Should().Throw<ArgumentException>().WithParameterName("teacherLogits").WithMessage("*3 rows; expected 4*");
    }

    [Fact]
    public void Teacher_logits_with_another_class_count_are_rejected_naming_both_counts()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), teacherLogits: zeros(4, 2, dtype: ScalarType.Float64));

        act.Should().Throw<ArgumentException>().WithParameterName("teacherLogits").WithMessage("*2 classes*studentLogits has 3*");
    }

    [Fact]
    public void Teacher_logits_of_another_dtype_are_rejected()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), teacherLogits: Matrix(TeacherLogits, ScalarType.Float32));

        act.Should().Throw<ArgumentException>().WithParameterName("teacherLogits").WithMessage("*Float32*Float64*");
    }

    [Fact]
    public void Labels_that_are_not_int64_are_rejected()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), labels: tensor(new[] { 0, 1, 2, 0 }));

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*int64*Int32*");
    }

    [Fact]
    public void Labels_of_the_wrong_length_are_rejected()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), labels: LabelTensor(0, 1, 2));

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*length 4*[3]*");
    }

    [Fact]
    public void A_negative_label_at_a_labelled_row_is_rejected_naming_the_row()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), labels: LabelTensor(0, 1, -1, 0));

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("labels").WithMessage("*labels[2] = -1 is outside [0, 3)*");
    }

    [Fact]
    public void A_label_equal_to_the_class_count_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), labels: LabelTensor(3, 1, 2, 0));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*labels[0] = 3*");
    }

    [Fact]
    public void A_labelled_mask_that_is_not_boolean_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), labelledMask: tensor(new long[] { 1, 1, 1, 0 }));

        act.Should().Throw<ArgumentException>().WithParameterName("labelledMask").WithMessage("*boolean*Int64*");
    }

    [Fact]
    public void A_distill_mask_of_the_wrong_length_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), distillMask: tensor(new[] { true, true }));

        act.Should().Throw<ArgumentException>().WithParameterName("distillMask").WithMessage("*length 4*[2]*");
    }

    [Fact]
    public void An_empty_distill_mask_is_rejected_when_the_kl_weight_is_positive()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(a3: 0), distillMask: zeros(4, dtype: ScalarType.Bool), omitEmbeddings: true);

        act.Should().Throw<ArgumentException>().WithParameterName("distillMask").WithMessage("*selects no row*");
    }

    [Fact]
    public void An_empty_distill_mask_is_rejected_when_only_the_representation_weight_is_positive()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(a1: 1, a2: 0, a3: 0.1), distillMask: zeros(4, dtype: ScalarType.Bool));

        act.Should().Throw<ArgumentException>().WithParameterName("distillMask");
    }

    [Fact]
    public void With_cross_entropy_only_an_empty_distill_mask_reports_nan_kl_and_representation_and_a_finite_total()
    {
        using var scope = NewDisposeScope();
        var terms = Loss(a1: 1, a2: 0, a3: 0).Compute(Matrix(StudentLogits), StudentEmbedding(), Matrix(TeacherLogits), TeacherEmbedding(),
            LabelTensor(), tensor(LabelledMask), zeros(4, dtype: ScalarType.Bool));

        double ce = HandComputed.CrossEntropy(StudentLogits, Labels, LabelledMask);
        double.IsNaN(terms.KullbackLeibler.item<double>()).Should().BeTrue();
        double.IsNaN(terms.Representation.item<double>()).Should().BeTrue();
        terms.CrossEntropy.item<double>().Should().BeApproximately(ce, 1e-12);
        terms.Total.item<double>().Should().BeApproximately(ce, 1e-12);
    }

    [Fact]
    public void With_a_zero_cross_entropy_weight_an_empty_labelled_mask_is_allowed_and_leaves_the_total_finite()
    {
        using var scope = NewDisposeScope();
        var loss = Loss(a1: 0, a2: 1, a3: 0);

        // The labels are not read when no row is labelled, so an out-of-range label is not an error here.
        var terms = loss.Compute(Matrix(StudentLogits), null, Matrix(TeacherLogits), null, LabelTensor(7, 7, 7, 7),
            zeros(4, dtype: ScalarType.Bool), tensor(DistillMask));

        double kl = HandComputed.DistillationKl(StudentLogits, TeacherLogits, DistillMask, 2.0);
        double.IsNaN(terms.CrossEntropy.item<double>()).Should().BeTrue();
        terms.KullbackLeibler.item<double>().Should().BeApproximately(kl, 1e-12);
        terms.Total.item<double>().Should().BeApproximately(kl, 1e-12);
    }

    [Fact]
    public void A_zero_weight_cross_entropy_is_still_reported_without_gradient()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(StudentLogits.SelectMany(r => r).ToArray(), [4, 3], dtype: ScalarType.Float64, requires_grad: true);
        var terms = Loss(a1: 0, a2: 1, a3: 0).Compute(logits, null, Matrix(TeacherLogits), null, LabelTensor(), tensor(LabelledMask), tensor(DistillMask));

        terms.CrossEntropy.item<double>().Should().BeApproximately(HandComputed.CrossEntropy(StudentLogits, Labels, LabelledMask), 1e-12);
        terms.CrossEntropy.requires_grad.Should().BeFalse();
        terms.Total.item<double>().Should().BeApproximately(terms.KullbackLeibler.item<double>(), 1e-15);
    }

    [Fact]
    public void Without_embeddings_and_a_zero_representation_weight_the_representation_term_is_nan_and_left_out_of_the_total()
    {
        using var scope = NewDisposeScope();
        var terms = Loss(a1: 0.5, a2: 2, a3: 0).Compute(Matrix(StudentLogits), null, Matrix(TeacherLogits), null,
            LabelTensor(), tensor(LabelledMask), tensor(DistillMask));

        double expected = 0.5 * HandComputed.CrossEntropy(StudentLogits, Labels, LabelledMask)
            + 2 * HandComputed.DistillationKl(StudentLogits, TeacherLogits, DistillMask, 2.0);
        double.IsNaN(terms.Representation.item<double>()).Should().BeTrue();
        terms.Representation.dtype.Should().Be(ScalarType.Float64);
        terms.Total.item<double>().Should().BeApproximately(expected, 1e-12);
    }

    [Theory]
    [InlineData(true, "studentEmbedding")]
    [InlineData(false, "teacherEmbedding")]
    public void A_missing_embedding_is_rejected_when_the_representation_weight_is_positive(bool missingStudent, string parameter)
    {
        using var scope = NewDisposeScope();
        var loss = Loss();
        Action act = () => loss.Compute(Matrix(StudentLogits), missingStudent ? null : StudentEmbedding(), Matrix(TeacherLogits),
            missingStudent ? TeacherEmbedding() : null, LabelTensor(), tensor(LabelledMask));

        act.Should().Throw<ArgumentNullException>().WithParameterName(parameter);
    }

    [Fact]
    public void A_student_embedding_of_the_wrong_width_is_rejected_even_when_the_representation_weight_is_zero()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(a3: 0, ds: 3));

        act.Should().Throw<ArgumentException>().WithParameterName("studentEmbedding").WithMessage("*2 columns*d_s = 3*");
    }

    [Fact]
    public void A_teacher_embedding_of_the_wrong_width_is_rejected_even_when_the_representation_weight_is_zero()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(a3: 0, dt: 3));

        act.Should().Throw<ArgumentException>().WithParameterName("teacherEmbedding").WithMessage("*2 columns*d_t = 3*");
    }

    [Fact]
    public void A_teacher_embedding_with_another_row_count_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), teacherEmbedding: zeros(3, 2, dtype: ScalarType.Float64));

        act.Should().Throw<ArgumentException>().WithParameterName("teacherEmbedding").WithMessage("*3 rows; expected 4*");
    }

    [Fact]
    public void A_student_embedding_of_another_dtype_than_the_projection_is_rejected_with_the_fix()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), studentEmbedding: StudentEmbedding().to(ScalarType.Float32));

        act.Should().Throw<ArgumentException>().WithParameterName("studentEmbedding").WithMessage("*Float32*Float64*dtype: Float32*");
    }

    [Theory]
    [InlineData(RepresentationLossKind.ProjectedMse)]
    [InlineData(RepresentationLossKind.Cosine)]
    public void A_teacher_embedding_of_another_dtype_than_the_student_embedding_is_rejected_naming_both_dtypes(RepresentationLossKind kind)
    {
        // Before, P h_s was converted to the teacher's float32: the representation term came back float32 (the
        // projection's output and gradient rounded through float32) while the other terms were float64.
        using var scope = NewDisposeScope();
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions { Representation = kind }, dtype: ScalarType.Float64);
        var act = Computing(loss, teacherEmbedding: TeacherEmbedding().to(ScalarType.Float32));

        act.Should().Throw<ArgumentException>().WithParameterName("teacherEmbedding")
            .WithMessage("teacherEmbedding is Float32 but the projection (whose dtype studentEmbedding must have) is Float64*");
    }

    [Theory]
    [InlineData(RepresentationLossKind.ProjectedMse, ScalarType.Float64)]
    [InlineData(RepresentationLossKind.Cosine, ScalarType.Float64)]
    [InlineData(RepresentationLossKind.ProjectedMse, ScalarType.Float32)]
    [InlineData(RepresentationLossKind.Cosine, ScalarType.Float32)]
    public void Logits_and_embeddings_of_one_dtype_give_every_term_in_that_dtype(RepresentationLossKind kind, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions { Representation = kind }, dtype: dtype);
        var terms = loss.Compute(Matrix(StudentLogits, dtype), StudentEmbedding().to(dtype), Matrix(TeacherLogits, dtype),
            TeacherEmbedding().to(dtype), LabelTensor(), tensor(LabelledMask), tensor(DistillMask));

        new[] { terms.Total, terms.CrossEntropy, terms.KullbackLeibler, terms.Representation }.Select(t => t.dtype)
            .Should().AllBeEquivalentTo(dtype);
    }

    [Fact]
    public void Embeddings_of_another_dtype_than_the_logits_keep_their_dtype_in_the_representation_term()
    {
        // Documented: float32 embeddings (and projection) under float64 logits are accepted; RE is float32 and is
        // converted to float64 only where a3 RE enters the float64 total.
        using var scope = NewDisposeScope();
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions());
        var terms = loss.Compute(Matrix(StudentLogits), StudentEmbedding().to(ScalarType.Float32), Matrix(TeacherLogits),
            TeacherEmbedding().to(ScalarType.Float32), LabelTensor(), tensor(LabelledMask), tensor(DistillMask));

        terms.Representation.dtype.Should().Be(ScalarType.Float32);
        new[] { terms.Total, terms.CrossEntropy, terms.KullbackLeibler }.Select(t => t.dtype).Should().AllBeEquivalentTo(ScalarType.Float64);
    }

    [Fact]
    public void A_projection_on_another_device_than_the_embeddings_is_rejected_naming_the_argument()
    {
        // On a GPU machine: a loss built without device: (so on the CPU) fed CUDA embeddings. Here the projection is
        // on the meta device, the inputs on the CPU; before, libtorch's "same device" error surfaced from the product.
        using var scope = NewDisposeScope();
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions(), META, ScalarType.Float64);
        var act = Computing(loss);

        act.Should().Throw<ArgumentException>().WithParameterName("studentEmbedding")
            .WithMessage("studentEmbedding is on cpu* but the projection is on meta*; create the loss with device:*");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void The_functional_kl_rejects_a_temperature_that_is_not_finite_and_positive(double temperature)
    {
        using var scope = NewDisposeScope();
        var act = () => DistillationLoss.KullbackLeiblerBatchMean(zeros(2, 2), zeros(2, 2), temperature);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("temperature");
    }

    [Fact]
    public void The_functional_kl_refuses_logits_without_a_class()
    {
        using var scope = NewDisposeScope();
        var act = () => DistillationLoss.KullbackLeiblerBatchMean(zeros(2, 0), zeros(2, 0), 2.0);

        act.Should().Throw<ArgumentException>().WithParameterName("studentLogits").WithMessage("*[2, 0]*at least one row and one class*");
    }

    [Fact]
    public void The_functional_kl_refuses_logits_of_different_class_counts()
    {
        using var scope = NewDisposeScope();
        var act = () => DistillationLoss.KullbackLeiblerBatchMean(zeros(2, 3), zeros(2, 2), 2.0);

        act.Should().Throw<ArgumentException>().WithParameterName("teacherLogits").WithMessage("*[2, 3]*[2, 2]*one shape*");
    }

    [Fact]
    public void The_functional_kl_names_a_non_finite_student_row()
    {
        using var scope = NewDisposeScope();
        var student = zeros(3, 2);
        student[2, 1] = tensor(float.PositiveInfinity);

        var act = () => DistillationLoss.KullbackLeiblerBatchMean(student, zeros(3, 2), 2.0);

        act.Should().Throw<ArgumentException>().WithParameterName("studentLogits").WithMessage("*row 2*");
    }

    [Fact]
    public void The_functional_kl_of_identical_logits_is_zero_and_scales_with_t_squared_over_the_batch()
    {
        // Two rows, T = 3: row 0 identical (KL 0), row 1 student uniform vs teacher (3 ln 3, 0) -> p_t = (3/4, 1/4) at T = 3.
        using var scope = NewDisposeScope();
        var student = zeros(2, 2, dtype: ScalarType.Float64);
        var teacher = tensor(new[] { 0, 0, 3 * Math.Log(3), 0 }, [2, 2]);

        var kl = DistillationLoss.KullbackLeiblerBatchMean(student, teacher, 3.0);

        double row = 0.75 * Math.Log(1.5) + 0.25 * Math.Log(0.5);
        kl.item<double>().Should().BeApproximately(9 * row / 2, 1e-14);
        DistillationLoss.KullbackLeiblerBatchMean(teacher, teacher, 3.0).item<double>().Should().BeApproximately(0, 1e-15);
    }

    [Fact]
    public void The_projection_is_a_registered_parameter_of_the_module()
    {
        using var loss = Loss(ds: 3, dt: 2);

        loss.parameters().Select(p => p.shape).Should().BeEquivalentTo([new long[] { 2, 3 }, new long[] { 2 }]);
    }

    [Theory]
    [InlineData("studentLogits")]
    [InlineData("teacherLogits")]
    [InlineData("labels")]
    [InlineData("labelledMask")]
    public void A_null_required_tensor_is_rejected_naming_it(string parameter)
    {
        using var scope = NewDisposeScope();
        var loss = Loss();
        Action act = () => loss.Compute(parameter == "studentLogits" ? null! : Matrix(StudentLogits), StudentEmbedding(),
            parameter == "teacherLogits" ? null! : Matrix(TeacherLogits), TeacherEmbedding(),
            parameter == "labels" ? null! : LabelTensor(), parameter == "labelledMask" ? null! : tensor(LabelledMask));

        act.Should().Throw<ArgumentNullException>().WithParameterName(parameter);
    }

    [Fact]
    public void Labels_of_two_dimensions_are_rejected_even_with_one_entry_per_row()
    {
        using var scope = NewDisposeScope();
        var act = Computing(Loss(), labels: tensor(new long[] { 0, 1, 2, 0 }, [4, 1]));

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*1-D*[4, 1]*");
    }

    [Fact]
    public void With_a_zero_representation_weight_a_lone_student_embedding_gives_a_nan_representation_term()
    {
        using var scope = NewDisposeScope();
        var terms = Loss(a3: 0).Compute(Matrix(StudentLogits), StudentEmbedding(), Matrix(TeacherLogits), null,
            LabelTensor(), tensor(LabelledMask), tensor(DistillMask));

        double.IsNaN(terms.Representation.item<double>()).Should().BeTrue();
        double.IsNaN(terms.Total.item<double>()).Should().BeFalse();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_functional_kl_rejects_a_null_argument(bool nullStudent)
    {
        using var scope = NewDisposeScope();
        var act = () => DistillationLoss.KullbackLeiblerBatchMean(nullStudent ? null! : zeros(2, 2), nullStudent ? zeros(2, 2) : null!, 2.0);

        act.Should().Throw<ArgumentNullException>().WithParameterName(nullStudent ? "studentLogits" : "teacherLogits");
    }
}
