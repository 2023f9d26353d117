using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Losses;

/// <summary>A NaN or an infinity where a loss reads it is refused naming the argument and the row (it would make the
/// loss and every gradient NaN without a word); rows no term reads may hold anything. Integer logits are refused by the
/// pooling weights.</summary>
public class NonFiniteLossInputTests
{
    private static Tensor Matrix(double[,] values) => tensor(values, dtype: ScalarType.Float64);

    private static readonly double[,] Student = { { 1.0, 0.0 }, { 0.5, 0.2 }, { -0.3, 0.8 }, { 2.0, -1.0 } };
    private static readonly double[,] Teacher = { { 2.0, -0.5 }, { 0.0, 1.5 }, { 0.3, 0.3 }, { 1.0, 0.0 } };

    private static DistillationLossTerms Distill(Tensor student, Tensor teacher)
    {
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions { RepresentationWeight = 0 }, dtype: ScalarType.Float64);
        // Rows 0-2 labelled, rows 1-3 distilled.
        return loss.Compute(student, null, teacher, null, tensor(new long[] { 0, 1, 1, 0 }), tensor(new[] { true, true, true, false }),
            tensor(new[] { false, true, true, true }));
    }

    [Fact]
    public void A_nan_student_logit_on_a_labelled_row_is_refused_naming_the_row_and_the_term()
    {
        using var scope = NewDisposeScope();
        var student = Matrix(Student);
        student[0, 1] = tensor(double.NaN);

        var act = () => Distill(student, Matrix(Teacher));

        act.Should().Throw<ArgumentException>().WithParameterName("studentLogits")
            .WithMessage("studentLogits holds a non-finite value (NaN or infinity) at row 0, a row of the cross-entropy (labelledMask).*");
    }

    [Fact]
    public void An_infinite_teacher_logit_on_a_distilled_row_is_refused_naming_the_row_and_the_term()
    {
        using var scope = NewDisposeScope();
        var teacher = Matrix(Teacher);
        teacher[3, 0] = tensor(double.PositiveInfinity);

        var act = () => Distill(Matrix(Student), teacher);

        act.Should().Throw<ArgumentException>().WithParameterName("teacherLogits")
            .WithMessage("teacherLogits holds a non-finite value (NaN or infinity) at row 3, a row of the KL term (distillMask).*");
    }

    [Fact]
    public void Only_the_rows_of_weighted_terms_are_searched_for_the_culprit()
    {
        // With CrossEntropyWeight = 0 the labelled rows do not enter the total: the infinite teacher row of the KL term
        // is named, not the NaN on a labelled row that the total never read.
        using var scope = NewDisposeScope();
        var student = Matrix(Student);
        student[0, 1] = tensor(double.NaN);
        var teacher = Matrix(Teacher);
        teacher[3, 0] = tensor(double.PositiveInfinity);
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions { CrossEntropyWeight = 0, RepresentationWeight = 0 }, dtype: ScalarType.Float64);

        var act = () => loss.Compute(student, null, teacher, null, tensor(new long[] { 0, 1, 1, 0 }), tensor(new[] { true, true, true, false }),
            tensor(new[] { false, true, true, true }));

        act.Should().Throw<ArgumentException>().WithParameterName("teacherLogits")
            .WithMessage("teacherLogits holds a non-finite value (NaN or infinity) at row 3, a row of the KL term (distillMask).*");
    }

    [Fact]
    public void A_non_finite_value_on_a_row_no_term_reads_changes_nothing()
    {
        using var scope = NewDisposeScope();
        var teacher = Matrix(Teacher);
        teacher[0, 0] = tensor(double.NaN);   // row 0 is labelled but not distilled: the teacher's row 0 is never read

        var terms = Distill(Matrix(Student), teacher);

        terms.Total.item<double>().Should().Be(Distill(Matrix(Student), Matrix(Teacher)).Total.item<double>());
    }

    [Fact]
    public void The_multitask_loss_refuses_a_nan_logit_on_a_labelled_row_and_a_nan_distillation_loss()
    {
        using var scope = NewDisposeScope();
        var loss = new MultitaskLoss(new UniformWeighter(2));
        var labels = tensor(new long[] { 0, 1, 1 });
        var mask = tensor(new[] { true, false, true });
        var fused = Matrix(new double[,] { { 1, -1 }, { 0.2, 0.4 }, { 0, 2 } });
        var head = Matrix(new double[,] { { 0.5, 0.5 }, { double.NaN, -1 }, { -0.5, double.NaN } });

        var nanHead = () => loss.Compute(fused, [fused, head], labels, mask);
        var nanDistillation = () => loss.Compute(fused, [fused, fused], labels, mask, [tensor(double.NaN)]);

        nanHead.Should().Throw<ArgumentException>().WithParameterName("modalityLogits[1]")
            .WithMessage("modalityLogits[1] holds a non-finite value (NaN or infinity) at row 2, a row of the cross-entropy (labelledMask).*");
        nanDistillation.Should().Throw<ArgumentException>().WithParameterName("distillationLosses")
            .WithMessage("distillationLosses[0] is NaN; it must be finite.*");
    }

    [Fact]
    public void Every_weighter_refuses_a_non_finite_modality_loss_naming_the_modality()
    {
        using var scope = NewDisposeScope();
        IModalityLossWeighter[] weighters =
        [
            new UniformWeighter(3), new PerformanceGatedWeighter(3, new PerformanceGatedWeighterOptions()),
            new UncertaintyWeighter(3, new UncertaintyWeighterOptions(), dtype: ScalarType.Float64), new OgmGeWeighter(3, new OgmGeWeighterOptions()),
        ];

        foreach (var weighter in weighters)
            FluentActions.Invoking(() => weighter.WeightedLoss([tensor(0.5), tensor(double.PositiveInfinity), tensor(2.0)]))
                .Should().Throw<ArgumentException>().WithMessage("The loss of modality 1 is Infinity; a loss must be finite.*", weighter.GetType().Name);
    }

    [Fact]
    public void Integer_logits_are_refused_by_the_pooling_weights_naming_the_head()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new long[] { 1, 0, 0, 1 }).reshape(2, 2);

        var act = () => HeadPoolingWeights.FromValidation([Matrix(new double[,] { { 1, 0 }, { 0, 1 } }), logits.to(ScalarType.Int32)], tensor(new long[] { 0, 1 }));

        act.Should().Throw<ArgumentException>().WithParameterName("validationLogits").WithMessage("Head 1's logits must be floating point, got Int32.*");
    }
}
