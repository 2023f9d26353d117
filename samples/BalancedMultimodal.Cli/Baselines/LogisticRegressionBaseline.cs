using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Baselines;

/// <summary>
/// Logistic regression with scikit-learn's L2 convention (intercept not penalised), by MathNet's L-BFGS; the baseline
/// of issue 7's late fusion. Several classes: multinomial, minimise sum_i CE(x_i W + b, y_i) + ||W||^2 / (2 C). Two
/// classes: scikit-learn fits one weight vector w (sigmoid) with ||w||^2 / (2 C); in the softmax parameterisation
/// w = W_1 - W_0 and the optimum has W_0 = -W_1, so ||w||^2 = 2 ||W||^2 and the same model is sum_i CE + ||W||^2 / C.
/// (Using ||W||^2 / (2 C) for two classes, as the first version did, halves the regularisation: it is sklearn's C = 0.2.)
/// Classes absent from the training rows get probability 0 (the limit of their unpenalised intercepts) and the others are
/// fitted as a model of the classes present (one class present: probability 1 for it).
/// The fit runs in managed float64 (MathNet), not in TorchSharp: the objective is strictly convex, so any solver reaches
/// the same optimum, and MathNet's creates no native temporaries (docs/native-runtime.md, the Scalar-finalizer race).
/// </summary>
public static class LogisticRegressionBaseline
{
    /// <summary>Fits on <paramref name="trainRows"/> and returns class probabilities for all rows, (n, C), float64, on the features' device.</summary>
    /// <param name="features">Features (n, d), floating point.</param>
    /// <param name="labels">Class indices (n), int64; only the training rows are read and must lie in [0, C).</param>
    /// <param name="classCount">C &gt;= 2.</param>
    /// <param name="trainRows">The rows to fit on (at least one).</param>
    /// <param name="inverseRegularization">scikit-learn's C &gt; 0.</param>
    public static Tensor FitPredict(Tensor features, Tensor labels, int classCount, IReadOnlyList<int> trainRows, double inverseRegularization = 0.1)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(trainRows);
        if (features.dim() != 2) throw new ArgumentException($"The features must be (n, d), got ({string.Join(", ", features.shape)}).", nameof(features));
        if (labels.dim() != 1 || labels.shape[0] != features.shape[0])
            throw new ArgumentException($"The labels must be a vector of {features.shape[0]} class indices, got ({string.Join(", ", labels.shape)}).", nameof(labels));
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        if (trainRows.Count == 0) throw new ArgumentException("At least one training row is needed.", nameof(trainRows));
        if (!(inverseRegularization > 0) || double.IsInfinity(inverseRegularization))
            throw new ArgumentOutOfRangeException(nameof(inverseRegularization), inverseRegularization, "C must be finite and > 0.");

        int n = (int)features.shape[0], d = (int)features.shape[1], classes = classCount;
        double[] all;                                                        // every row, row-major
        using (var host = features.to(ScalarType.Float64).cpu().contiguous()) all = host.data<double>().ToArray();
        long[] allLabels = labels.to(ScalarType.Int64).cpu().data<long>().ToArray();
        foreach (int row in trainRows)
        {
            if (row < 0 || row >= n) throw new ArgumentOutOfRangeException(nameof(trainRows), row, $"Training row {row} is outside [0, {n}).");
            if (allLabels[row] < 0 || allLabels[row] >= classes)
                throw new ArgumentOutOfRangeException(nameof(labels), allLabels[row], $"The label of training row {row} is outside [0, {classes}).");
        }
        int rows = trainRows.Count;
        var design = new double[rows * d];                                   // the training rows, row-major
        var target = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            all.AsSpan(trainRows[i] * d, d).CopyTo(design.AsSpan(i * d, d));
            target[i] = (int)allLabels[trainRows[i]];
        }
        // Only the classes the training rows hold are fitted: an absent class's unpenalised intercept would run to minus
        // infinity, which L-BFGS chases until its line search fails. Its probability is that limit, 0; with one class
        // present, that class has probability 1.
        var present = target.Distinct().Order().ToArray();
        if (present.Length == 1)
        {
            var certain = new double[n, classCount];
            for (int i = 0; i < n; i++) certain[i, present[0]] = 1;
            return tensor(certain, dtype: ScalarType.Float64, device: features.device);
        }
        for (int i = 0; i < rows; i++) target[i] = Array.BinarySearch(present, target[i]);
        classes = present.Length;
        double penaltyDivisor = classes == 2 ? inverseRegularization : 2 * inverseRegularization;
        var logits = new double[classes];

        // theta = [W row-major (d x C), b (C)]; loss sum_i CE + ||W||^2 / divisor, gradient X^T (P - Y) + 2 W / divisor and sum_i (P - Y).
        (double, Vector<double>) Objective(Vector<double> parameters)
        {
            var theta = parameters.AsArray() ?? parameters.ToArray();
            var gradient = new double[theta.Length];
            double loss = 0;
            for (int k = 0; k < d * classes; k++)
            {
                loss += theta[k] * theta[k] / penaltyDivisor;
                gradient[k] = 2 * theta[k] / penaltyDivisor;
            }
            for (int i = 0; i < rows; i++)
            {
                var x = design.AsSpan(i * d, d);
                var (max, sum) = Logits(x, theta, classes, logits);
                double logSum = max + Math.Log(sum);
                loss += logSum - logits[target[i]];
                for (int c = 0; c < classes; c++)
                {
                    double residual = Math.Exp(logits[c] - logSum) - (c == target[i] ? 1 : 0);
                    for (int j = 0; j < d; j++) gradient[j * classes + c] += x[j] * residual;
                    gradient[d * classes + c] += residual;
                }
            }
            return (loss, Vector<double>.Build.Dense(gradient));
        }

        var minimizer = new LimitedMemoryBfgsMinimizer(gradientTolerance: 1e-9, parameterTolerance: 1e-14, functionProgressTolerance: 1e-15,
            memory: 20, maximumIterations: 5000);
        var optimum = minimizer.FindMinimum(ObjectiveFunction.Gradient(Objective), Vector<double>.Build.Dense(d * classes + classes)).MinimizingPoint;

        var fitted = optimum.AsArray() ?? optimum.ToArray();
        var probabilities = new double[n, classCount];
        for (int i = 0; i < n; i++)
        {
            var (max, sum) = Logits(all.AsSpan(i * d, d), fitted, classes, logits);
            for (int c = 0; c < classes; c++) probabilities[i, present[c]] = Math.Exp(logits[c] - max) / sum;
        }
        return tensor(probabilities, dtype: ScalarType.Float64, device: features.device);
    }

    /// <summary>z = x W + b into <paramref name="logits"/> (theta = [W row-major (d x C), b]); returns max_c z_c and
    /// sum_c exp(z_c - max), the stable pieces of the log-sum-exp.</summary>
    private static (double Max, double Sum) Logits(ReadOnlySpan<double> x, ReadOnlySpan<double> theta, int classes, Span<double> logits)
    {
        int d = x.Length;
        double max = double.NegativeInfinity;
        for (int c = 0; c < classes; c++)
        {
            double z = theta[d * classes + c];
            for (int j = 0; j < d; j++) z += x[j] * theta[j * classes + c];
            logits[c] = z;
            max = Math.Max(max, z);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) sum += Math.Exp(logits[c] - max);
        return (max, sum);
    }
}
