using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Losses;

/// <summary>The optional class weights of <see cref="DistillationLoss.Compute"/> and <c>MultitaskLoss.Compute</c>:
/// the CE terms become sum_i w_{y_i} CE_i / sum_i w_{y_i}, checked against plain double arithmetic.</summary>
public class ClassWeightedLossTests
{
    private static readonly double[][] Student = [[1.0, 0.0, -1.0], [0.5, 0.2, 0.1], [-0.3, 0.8, 0.0], [2.0, -1.0, 0.5], [0.1, 0.1, 1.5]];
    private static readonly double[][] Teacher = [[2.0, -0.5, 0.0], [0.0, 1.5, -1.0], [0.3, 0.3, 1.2], [1.0, 0.0, -2.0], [0.0, 0.5, 0.5]];
    private static readonly double[][] Other = [[0.3, -0.2, 0.4], [1.0, 1.0, -1.0], [0.0, 0.0, 0.0], [-1.0, 2.0, 0.5], [0.7, -0.7, 0.2]];
    private static readonly int[] Labels = [0, 1, 2, 0, 2];
    private static readonly bool[] Labelled = [true, true, true, true, false];
    private static readonly double[] Weights = [0.5, 2.0, 1.25];

    private static Tensor Matrix(double[][] rows, ScalarType dtype = ScalarType.Float64) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], dtype: dtype);

    private static Tensor LabelTensor() => tensor(Labels.Select(l => (long)l).ToArray());

    private static DistillationLoss Loss() => new(2, 2, new DistillationLossOptions
    {
        CrossEntropyWeight = 1, KullbackLeiblerWeight = 0.7, RepresentationWeight = 0.3, Temperature = 2,
    }, dtype: ScalarType.Float64);

    private static DistillationLossTerms Distill(DistillationLoss loss, Tensor? classWeights, ScalarType dtype = ScalarType.Float64) =>
        loss.Compute(Matrix(Student, dtype), tensor(new double[] { 1, 2, 0, 1, -1, 0.5, 3, -2, 0, 1 }, [5, 2]), Matrix(Teacher, dtype),
            tensor(new double[] { 0.5, 1, 1, -1, 2, 0, -1, 1, 1, 1 }, [5, 2]), LabelTensor(), tensor(Labelled), null, classWeights);

    [Fact]
    public void The_distillation_cross_entropy_is_the_class_weighted_mean_and_the_other_terms_are_unchanged()
    {
        using var scope = NewDisposeScope();
        using var loss = Loss();
        var plain = Distill(loss, null);
        var weighted = Distill(loss, tensor(Weights));

        weighted.CrossEntropy.item<double>().Should().BeApproximately(HandComputed.WeightedCrossEntropy(Student, Labels, Labelled, Weights), 1e-12);
        weighted.CrossEntropy.item<double>().Should().NotBeApproximately(plain.CrossEntropy.item<double>(), 1e-3);
        weighted.KullbackLeibler.item<double>().Should().Be(plain.KullbackLeibler.item<double>());
        weighted.Representation.item<double>().Should().Be(plain.Representation.item<double>());
        weighted.Total.item<double>().Should().BeApproximately(
            weighted.CrossEntropy.item<double>() + 0.7 * weighted.KullbackLeibler.item<double>() + 0.3 * weighted.Representation.item<double>(), 1e-12);
    }

    [Fact]
    public void Equal_class_weights_of_any_size_give_the_plain_mean()
    {
        using var scope = NewDisposeScope();
        using var loss = Loss();

        Distill(loss, tensor(new[] { 3.0, 3.0, 3.0 })).CrossEntropy.item<double>()
            .Should().BeApproximately(HandComputed.CrossEntropy(Student, Labels, Labelled), 1e-12);
    }

    [Fact]
    public void Float32_logits_take_float64_weights_and_give_float32_terms_matching_float64()
    {
        using var scope = NewDisposeScope();
        using var loss = Loss();
        var single = Distill(loss, tensor(Weights), ScalarType.Float32);

        single.CrossEntropy.dtype.Should().Be(ScalarType.Float32);
        single.CrossEntropy.to(ScalarType.Float64).item<double>().Should().BeApproximately(HandComputed.WeightedCrossEntropy(Student, Labels, Labelled, Weights), 1e-6);
    }

    [Fact]
    public void A_heavier_class_gets_a_larger_share_of_the_gradient()
    {
        using var scope = NewDisposeScope();
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions { CrossEntropyWeight = 1, KullbackLeiblerWeight = 0, RepresentationWeight = 0 }, dtype: ScalarType.Float64);
        double GradientNorm(int row, double[]? weights)
        {
            var logits = Matrix(Student).requires_grad_(true);
            loss.Compute(logits, null, Matrix(Teacher), null, LabelTensor(), tensor(Labelled), null, weights is null ? null : tensor(weights)).Total.backward();
            return logits.grad!.index_select(0, tensor(new long[] { row })).norm().item<double>();
        }

        // d CE / d z_i = w_{y_i} (p_i - e_{y_i}) / sum_j w_{y_j}: row 1 (class 1, weight 2) against row 0 (class 0, weight
        // 0.5) gains exactly the factor 2 / 0.5 = 4 over the unweighted ratio.
        (GradientNorm(1, Weights) / GradientNorm(0, Weights)).Should().BeApproximately(4 * GradientNorm(1, null) / GradientNorm(0, null), 1e-12);
    }

    [Fact]
    public void The_multitask_cross_entropies_are_class_weighted_means()
    {
        using var scope = NewDisposeScope();
        var terms = new MultitaskLoss(new UniformWeighter(2)).Compute(Matrix(Student), [Matrix(Teacher), Matrix(Other)], LabelTensor(),
            tensor(Labelled), classWeights: tensor(Weights));

        terms.Fused.item<double>().Should().BeApproximately(HandComputed.WeightedCrossEntropy(Student, Labels, Labelled, Weights), 1e-12);
        terms.ModalityLosses[0].item<double>().Should().BeApproximately(HandComputed.WeightedCrossEntropy(Teacher, Labels, Labelled, Weights), 1e-12);
        terms.ModalityLosses[1].item<double>().Should().BeApproximately(HandComputed.WeightedCrossEntropy(Other, Labels, Labelled, Weights), 1e-12);
        terms.Total.item<double>().Should().BeApproximately(
            terms.Fused.item<double>() + terms.ModalityLosses[0].item<double>() + terms.ModalityLosses[1].item<double>(), 1e-12);
    }

    public static TheoryData<string, string> BadWeights => new()
    {
        { "length", "*1-D tensor of 3 class weights*shape [2]*" },
        { "matrix", "*1-D tensor of 3 class weights*shape [1, 3]*" },
        { "integer", "*floating-point*Int64*" },
        { "negative", "*classWeights[1] = -1*finite and positive*" },
        { "zero", "*classWeights[2] = 0*finite and positive*" },
        { "nan", "*classWeights[0] = NaN*finite and positive*" },
        { "infinite", "*classWeights[1] = Infinity*finite and positive*" },
    };

    private static Tensor Bad(string kind) => kind switch
    {
        "length" => tensor(new[] { 1.0, 2.0 }),
        "matrix" => tensor(new[] { 1.0, 2.0, 3.0 }, [1, 3]),
        "integer" => tensor(new long[] { 1, 2, 3 }),
        "negative" => tensor(new[] { 1.0, -1.0, 1.0 }),
        "zero" => tensor(new[] { 1.0, 1.0, 0.0 }),
        "infinite" => tensor(new[] { 1.0, double.PositiveInfinity, 1.0 }),
        _ => tensor(new[] { double.NaN, 1.0, 1.0 }),
    };

    [Theory]
    [InlineData(1e-50, "0")]
    [InlineData(1e39, "Infinity")]
    public void Float64_weights_that_float32_logits_cannot_hold_are_refused_before_they_turn_the_loss_to_nan(double weight, string converted)
    {
        using var scope = NewDisposeScope();
        using var loss = Loss();
        var weights = tensor(new[] { 1.0, weight, 1.0 });
        var distill = () => Distill(loss, weights, ScalarType.Float32);
        var multitask = () => new MultitaskLoss(new UniformWeighter(1)).Compute(Matrix(Student, ScalarType.Float32), [Matrix(Teacher, ScalarType.Float32)], LabelTensor(),
            tensor(Labelled), classWeights: weights);

        distill.Should().Throw<ArgumentException>().WithMessage($"classWeights[1] = {weight} becomes {converted} in Float32*").Which.ParamName.Should().Be("classWeights");
        multitask.Should().Throw<ArgumentException>().WithMessage($"classWeights[1] = {weight} becomes {converted} in Float32*");
        Distill(loss, weights, ScalarType.Float64).CrossEntropy.item<double>().Should().BeApproximately(
            HandComputed.WeightedCrossEntropy(Student, Labels, Labelled, [1.0, weight, 1.0]), 1e-9, "float64 logits hold them");
    }

    [Theory]
    [MemberData(nameof(BadWeights))]
    public void Bad_class_weights_are_refused_by_both_losses_naming_the_argument(string kind, string message)
    {
        using var scope = NewDisposeScope();
        using var loss = Loss();
        var distill = () => Distill(loss, Bad(kind));
        var multitask = () => new MultitaskLoss(new UniformWeighter(1)).Compute(Matrix(Student), [Matrix(Teacher)], LabelTensor(), tensor(Labelled), classWeights: Bad(kind));

        distill.Should().Throw<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be("classWeights");
        multitask.Should().Throw<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be("classWeights");
    }
}
