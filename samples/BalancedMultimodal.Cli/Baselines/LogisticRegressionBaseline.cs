using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace BalancedMultimodal.Cli.Baselines;

/// <summary>
/// Logistic regression with scikit-learn's L2 convention (intercept not penalised), by L-BFGS; the baseline of issue
/// 7's late fusion. Several classes: multinomial, minimise sum_i CE(x_i W + b, y_i) + ||W||^2 / (2 C). Two classes:
/// scikit-learn fits one weight vector w (sigmoid) with ||w||^2 / (2 C); in the softmax parameterisation w = W_1 - W_0
/// and the optimum has W_0 = -W_1, so ||w||^2 = 2 ||W||^2 and the same model is sum_i CE + ||W||^2 / C. (Using
/// ||W||^2 / (2 C) for two classes, as the first version did, halves the regularisation: it is sklearn's C = 0.2.)
/// </summary>
public static class LogisticRegressionBaseline
{
    /// <summary>Fits on <paramref name="trainRows"/> and returns class probabilities for all rows, (n, C), float64.</summary>
    public static Tensor FitPredict(Tensor features, Tensor labels, int classCount, IReadOnlyList<int> trainRows, double inverseRegularization = 0.1)
    {
        using var scope = NewDisposeScope();
        var x = features.to(ScalarType.Float64);
        var rows = tensor(trainRows.Select(r => (long)r).ToArray(), device: x.device);
        var xt = x.index_select(0, rows);
        var yt = labels.to(x.device).index_select(0, rows);
        var weight = new TorchSharp.Modules.Parameter(zeros(x.shape[1], classCount, dtype: ScalarType.Float64, device: x.device));
        var bias = new TorchSharp.Modules.Parameter(zeros(classCount, dtype: ScalarType.Float64, device: x.device));
        var optimizer = optim.LBFGS(new[] { weight, bias }, lr: 1, max_iter: 500, history_size: 20);
        double penaltyDivisor = classCount == 2 ? inverseRegularization : 2 * inverseRegularization;
        Tensor Closure()
        {
            optimizer.zero_grad();
            var loss = F.cross_entropy(xt.matmul(weight) + bias, yt, reduction: nn.Reduction.Sum) + weight.pow(2).sum() / penaltyDivisor;
            loss.backward();
            return loss;
        }
        for (int i = 0; i < 10; i++) optimizer.step(Closure);
        using var noGrad = no_grad();
        return F.softmax(x.matmul(weight) + bias, 1).detach().MoveToOuterDisposeScope();
    }
}
