using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// Separable critic f(x, y) = g(x)^T h(y) with g, h: Linear(d, H) -&gt; ReLU -&gt; Linear(H, H); the scores of a batch
/// are S = g(X) h(Y)^T, shape (N, N). Weights are drawn U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's Linear
/// default) from a private seeded generator, so construction never touches the global RNG (thread-safe).
/// </summary>
internal sealed class SeparableCritic : IDisposable
{
    private readonly Parameter[] _parameters;

    public SeparableCritic(long dx, long dy, int hidden, Generator generator, ScalarType dtype, Device device)
    {
        _parameters =
        [
            Uniform([hidden, dx], dx, generator, dtype, device), Uniform([hidden], dx, generator, dtype, device),
            Uniform([hidden, hidden], hidden, generator, dtype, device), Uniform([hidden], hidden, generator, dtype, device),
            Uniform([hidden, dy], dy, generator, dtype, device), Uniform([hidden], dy, generator, dtype, device),
            Uniform([hidden, hidden], hidden, generator, dtype, device), Uniform([hidden], hidden, generator, dtype, device),
        ];
    }

    public IEnumerable<Parameter> Parameters => _parameters;

    /// <summary>Scores S_ij = g(x_i)^T h(y_j) for x (N, d_x), y (N, d_y); returns (N, N).</summary>
    public Tensor Scores(Tensor x, Tensor y)
    {
        var gx = nn.functional.linear(nn.functional.relu(nn.functional.linear(x, _parameters[0], _parameters[1])), _parameters[2], _parameters[3]);
        var hy = nn.functional.linear(nn.functional.relu(nn.functional.linear(y, _parameters[4], _parameters[5])), _parameters[6], _parameters[7]);
        return gx.matmul(hy.t());
    }

    public void Dispose()
    {
        foreach (var p in _parameters) p.Dispose();
    }

    private static Parameter Uniform(long[] shape, long fanIn, Generator generator, ScalarType dtype, Device device)
    {
        double bound = 1.0 / Math.Sqrt(fanIn);
        using var raw = rand(shape, dtype: dtype, device: device, generator: generator);
        using var width = (2 * bound).ToScalar();
        using var offset = bound.ToScalar();
        using var scaled = raw.mul(width).sub_(offset);
        var parameter = new Parameter(scaled.detach().clone(), requires_grad: true);
        parameter.DetachFromDisposeScope(); // owned (and disposed) by the critic, not by the caller's scope
        return parameter;
    }
}
