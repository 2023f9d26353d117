using BalancedMultimodal.Cli.Baselines;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Baselines;

public sealed class LogisticRegressionBaselineTests
{
    /// <summary>
    /// scikit-learn's binary model: one weight vector, minimise sum_i log(1 + exp(-s_i (x_i w + b))) + ||w||^2 / (2 C),
    /// intercept free; solved here independently by Newton's method (MathNet) to machine precision.
    /// </summary>
    private static double[] SklearnBinaryProbabilities(double[,] x, int[] y, double c)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var design = Matrix<double>.Build.Dense(n, d + 1, (i, j) => j < d ? x[i, j] : 1.0);
        var target = Vector<double>.Build.Dense(n, i => y[i]);
        var penalty = Matrix<double>.Build.DiagonalOfDiagonalArray(Enumerable.Range(0, d + 1).Select(j => j < d ? 1 / c : 0).ToArray());
        var beta = Vector<double>.Build.Dense(d + 1);
        for (int iteration = 0; iteration < 50; iteration++)
        {
            var p = (design * beta).Map(z => 1 / (1 + Math.Exp(-z)));
            var gradient = design.TransposeThisAndMultiply(p - target) + penalty * beta;
            var weights = Matrix<double>.Build.DiagonalOfDiagonalVector(p.Map(q => q * (1 - q)));
            var hessian = design.TransposeThisAndMultiply(weights * design) + penalty;
            beta -= hessian.Solve(gradient);
        }
        return (design * beta).Map(z => 1 / (1 + Math.Exp(-z))).ToArray();
    }

    [Fact]
    public void Two_class_fit_is_scikit_learns_binary_model_with_the_same_C()
    {
        var generator = new Random(5);
        var x = new double[40, 3];
        var y = new int[40];
        for (int i = 0; i < 40; i++)
        {
            y[i] = i % 2;
            for (int j = 0; j < 3; j++) x[i, j] = generator.NextDouble() * 2 - 1 + (j == 0 ? 0.8 * y[i] : 0);
        }
        var expected = SklearnBinaryProbabilities(x, y, c: 0.1);
        var halvedPenalty = SklearnBinaryProbabilities(x, y, c: 0.2);
        expected.Zip(halvedPenalty, (a, b) => Math.Abs(a - b)).Max().Should().BeGreaterThan(1e-3, "the check must tell C = 0.1 from C = 0.2");
        using var features = tensor(x);
        using var labels = tensor(y.Select(v => (long)v).ToArray());

        using var probabilities = LogisticRegressionBaseline.FitPredict(features, labels, 2, Enumerable.Range(0, 40).ToList(), 0.1);

        var actual = probabilities[TensorIndex.Colon, 1].data<double>().ToArray();
        // L-BFGS stops at its gradient tolerance, a few 1e-6 from the exact optimum.
        for (int i = 0; i < 40; i++) actual[i].Should().BeApproximately(expected[i], 1e-5, $"row {i}");
    }
}
