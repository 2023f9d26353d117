using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace BalancedMultimodal.Cli.Baselines;

/// <summary>
/// Multinomial logistic regression with scikit-learn's L2 convention: minimise
/// sum_i CE(x_i W + b, y_i) + ||W||^2 / (2 C) (intercept not penalised), by L-BFGS. The baseline of issue 7's late fusion.
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
        Tensor Closure()
        {
            optimizer.zero_grad();
            var loss = F.cross_entropy(xt.matmul(weight) + bias, yt, reduction: nn.Reduction.Sum) + weight.pow(2).sum() / (2 * inverseRegularization);
            loss.backward();
            return loss;
        }
        for (int i = 0; i < 10; i++) optimizer.step(Closure);
        using var noGrad = no_grad();
        return F.softmax(x.matmul(weight) + bias, 1).detach().MoveToOuterDisposeScope();
    }
}
