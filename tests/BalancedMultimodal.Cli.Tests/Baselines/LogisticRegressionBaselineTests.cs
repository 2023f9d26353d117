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

    /// <summary>
    /// Largest violation of the multinomial optimum's stationarity, read from the probabilities alone: at the optimum
    /// W = -(divisor / 2) X_t^T (P_t - Y_t) (training rows t) and sum_t (P_t - Y_t) = 0 (free intercept), and every row's
    /// log-probabilities, centred over the classes, equal its centred logits x W + b; so centred(log p_i) - centred(x_i W)
    /// is the same vector (centred b) for every row, training or not.
    /// </summary>
    private static double StationarityViolation(double[,] x, int[] y, int[] train, double[,] p, double divisor)
    {
        int n = x.GetLength(0), d = x.GetLength(1), classes = p.GetLength(1);
        var residual = Matrix<double>.Build.Dense(train.Length, classes, (t, c) => p[train[t], c] - (y[train[t]] == c ? 1 : 0));
        var design = Matrix<double>.Build.Dense(train.Length, d, (t, j) => x[train[t], j]);
        var weight = design.TransposeThisAndMultiply(residual) * (-divisor / 2);
        double violation = residual.ColumnSums().InfinityNorm();
        var logits = Matrix<double>.Build.DenseOfArray(x) * weight;
        Vector<double> Offset(int i)
        {
            var v = Vector<double>.Build.Dense(classes, c => Math.Log(p[i, c]) - logits[i, c]);
            return v - v.Average();
        }
        var first = Offset(0);
        for (int i = 1; i < n; i++) violation = Math.Max(violation, (Offset(i) - first).InfinityNorm());
        return violation;
    }

    [Fact]
    public void Three_class_fit_is_the_stationary_point_of_the_multinomial_objective_with_penalty_W_squared_over_2C()
    {
        var generator = new Random(11);
        int n = 90, d = 4;
        var x = new double[n, d];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 3;
            for (int j = 0; j < d; j++) x[i, j] = generator.NextDouble() * 2 - 1 + (j == y[i] ? 0.7 : 0);
        }
        int[] train = Enumerable.Range(0, n).Where(i => i % 5 != 0).ToArray();       // every fifth row is predicted only
        using var features = tensor(x);
        using var labels = tensor(y.Select(v => (long)v).ToArray());

        using var probabilities = LogisticRegressionBaseline.FitPredict(features, labels, 3, train, inverseRegularization: 0.1);

        probabilities.shape.Should().Equal(n, 3);
        var p = new double[n, 3];
        var flat = probabilities.data<double>().ToArray();
        for (int i = 0; i < n; i++) for (int c = 0; c < 3; c++) p[i, c] = flat[i * 3 + c];
        StationarityViolation(x, y, train, p, divisor: 2 * 0.1).Should().BeLessThan(1e-5, "the fit is the optimum of sum CE + ||W||^2 / (2 C)");
        StationarityViolation(x, y, train, p, divisor: 0.1).Should().BeGreaterThan(1e-2, "the check must tell the penalty ||W||^2 / (2 C) from ||W||^2 / C");
    }

    [Fact]
    public void Bad_arguments_are_rejected_by_name_before_fitting()
    {
        using var features = tensor(new double[,] { { 0, 1 }, { 1, 0 }, { 1, 1 } });
        using var labels = tensor(new long[] { 0, 1, 2 });

        FluentActions.Invoking(() => LogisticRegressionBaseline.FitPredict(features, labels, 2, [0, 1, 2]))
            .Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().Contain("training row 2");
        FluentActions.Invoking(() => LogisticRegressionBaseline.FitPredict(features, labels, 3, [0, 3]))
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("trainRows");
        FluentActions.Invoking(() => LogisticRegressionBaseline.FitPredict(features, labels, 3, [0, 1], inverseRegularization: 0))
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("inverseRegularization");
    }

    [Fact]
    public void A_class_absent_from_the_training_rows_gets_probability_zero_and_the_others_the_fit_of_the_classes_present()
    {
        // Three classes, training rows of classes 0 and 2 only (e.g. a modality never measured on class 1): the absent
        // class's intercept would run to minus infinity, which L-BFGS cannot reach.
        var generator = new Random(5);
        int n = 60, d = 3;
        var x = new double[n, d];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 3;
            for (int j = 0; j < d; j++) x[i, j] = generator.NextDouble() * 2 - 1 + (j == y[i] ? 0.8 : 0);
        }
        int[] train = Enumerable.Range(0, n).Where(i => y[i] != 1).ToArray();
        using var features = tensor(x);
        using var labels = tensor(y.Select(v => (long)v).ToArray());
        using var twoClassLabels = tensor(y.Select(v => v == 2 ? 1L : 0L).ToArray());

        using var probabilities = LogisticRegressionBaseline.FitPredict(features, labels, 3, train);
        using var twoClass = LogisticRegressionBaseline.FitPredict(features, twoClassLabels, 2, train);

        probabilities.shape.Should().Equal(n, 3);
        probabilities[TensorIndex.Colon, 1].eq(0).all().item<bool>().Should().BeTrue();
        probabilities[TensorIndex.Colon, 0].allclose(twoClass[TensorIndex.Colon, 0], rtol: 0, atol: 0).Should().BeTrue("the classes present are fitted as the two-class model");
        probabilities[TensorIndex.Colon, 2].allclose(twoClass[TensorIndex.Colon, 1], rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void With_one_class_in_the_training_rows_every_row_gets_probability_one_for_it()
    {
        using var features = tensor(new double[,] { { 0.1 }, { 0.5 }, { -0.3 }, { 2.0 } });
        using var labels = tensor(new long[] { 1, 1, 0, 2 });

        using var probabilities = LogisticRegressionBaseline.FitPredict(features, labels, 3, [0, 1]);

        probabilities.data<double>().ToArray().Should().Equal(0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0);
    }
}
