using BalancedMultimodal.Core.Encoding;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.TestDoubles;

/// <summary>An encoder without parameters that returns its features as the embedding, declaring the width the test
/// chooses (which may be invalid, e.g. 0).</summary>
internal sealed class PassThroughEncoder(long width) : ModalityEncoder(nameof(PassThroughEncoder))
{
    public override long EmbeddingDim => width;

    public override Tensor forward(Tensor input) => input.alias();
}
