using BalancedMultimodal.Distillation.Losses;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Losses;

/// <summary>The cosine representation term does not depend on the embeddings' norms, however small or large, and at
/// usual norms it is PyTorch's <c>cosine_similarity</c> to the bit; its gradient is the cosine's.</summary>
public class CosineRepresentationScaleTests
{
    private static DistillationLoss IdentityProjection(ScalarType dtype)
    {
        var loss = new DistillationLoss(3, 3, new DistillationLossOptions
        {
            CrossEntropyWeight = 0,
            KullbackLeiblerWeight = 0,
            RepresentationWeight = 1,
            Representation = RepresentationLossKind.Cosine,
        }, dtype: dtype);
        using (no_grad())
        {
            loss.Projection.weight!.copy_(eye(3, dtype: dtype));
            loss.Projection.bias!.zero_();
        }
        return loss;
    }

    private static double Representation(DistillationLoss loss, Tensor student, Tensor teacher)
    {
        using var scope = NewDisposeScope();
        var rows = student.shape[0];
        var logits = zeros(rows, 2, dtype: student.dtype);
        var terms = loss.Compute(logits, student, logits, teacher, zeros(rows, dtype: ScalarType.Int64), ones(rows, dtype: ScalarType.Bool));
        return terms.Representation.to(ScalarType.Float64).item<double>();
    }

    private static readonly double[,] Student = { { 1, 2, 3 }, { -4, 0.5, 2 } };
    private static readonly double[,] Teacher = { { 2, -1, 1 }, { -3, 1, 0.25 } };

    [Theory]
    [InlineData(1e-10)]    // 0.998 before for identical rows: PyTorch clamps norms below 1e-8
    [InlineData(1e-200)]
    [InlineData(1e160)]    // 1.0 before: the squared norms overflowed
    [InlineData(1e300)]
    public void In_float64_the_term_at_any_norm_is_the_term_at_unit_norm(double unit)
    {
        using var loss = IdentityProjection(ScalarType.Float64);
        double reference = Representation(loss, tensor(Student), tensor(Teacher));

        Representation(loss, tensor(Student) * unit, tensor(Teacher) * unit).Should().BeApproximately(reference, 1e-12);
        Representation(loss, tensor(Student) * unit, tensor(Student) * unit).Should().BeApproximately(0, 1e-12, "identical rows");
    }

    [Theory]
    [InlineData(1e-9f)]
    [InlineData(1e19f)]
    public void In_float32_the_term_at_any_norm_is_the_term_at_unit_norm(float unit)
    {
        using var loss = IdentityProjection(ScalarType.Float32);
        var student = tensor(Student).to(ScalarType.Float32);
        var teacher = tensor(Teacher).to(ScalarType.Float32);
        double reference = Representation(loss, student, teacher);

        Representation(loss, student * unit, teacher * unit).Should().BeApproximately(reference, 1e-6);
        Representation(loss, student * unit, student * unit).Should().BeApproximately(0, 1e-6, "identical rows");
    }

    [Fact]
    public void At_usual_norms_the_term_is_pytorchs_cosine_similarity_to_the_bit_and_a_zero_row_has_cosine_zero()
    {
        using var loss = IdentityProjection(ScalarType.Float64);
        var student = tensor(new double[,] { { 1, 2, 3 }, { -4, 0.5, 2 }, { 0, 0, 0 } }) * 3.7;
        var teacher = tensor(new double[,] { { 2, -1, 1 }, { -3, 1, 0.25 }, { 1, 1, 1 } }) * 0.3;
        double plain = nn.functional.cosine_similarity(student, teacher, 1, 1e-8).neg().add(1.0).mean().item<double>();

        Representation(loss, student, teacher).Should().Be(plain);
    }

    [Fact]
    public void The_gradient_is_the_cosines_gradient_at_any_norm()
    {
        using var loss = IdentityProjection(ScalarType.Float64);
        Tensor Gradient(double unit)
        {
            var student = (tensor(Student) * unit).requires_grad_(true);
            var logits = zeros(2, 2, dtype: ScalarType.Float64);
            var terms = loss.Compute(logits, student, logits, tensor(Teacher), zeros(2, dtype: ScalarType.Int64), ones(2, dtype: ScalarType.Bool));
            terms.Total.backward();
            return student.grad!.detach().clone() * unit;   // d cos / d(u h) = (1 / u) d cos / d h
        }

        using var reference = Gradient(1.0);
        using var tiny = Gradient(1e-12);

        (tiny - reference).abs().max().item<double>().Should().BeLessThan(1e-9);
        reference.abs().max().item<double>().Should().BeGreaterThan(1e-3);
    }
}
