using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>
/// An encoder for one modality: a TorchSharp module mapping the feature matrix of all n samples, shape
/// (n, d_in), to embeddings of shape (n, <see cref="EmbeddingDim"/>).
/// </summary>
/// <remarks>
/// The training schedule of <c>BalancedMultimodal.Distillation</c> only sees this abstraction. An encoder may use
/// more than the rows it is given through its features: the relational-GCN encoder of
/// <c>BalancedMultimodal.Graph</c> binds the patient graph over the same n samples (transductive learning), an MLP
/// encoder treats rows independently. Row i of the input and of the output always describe sample i.
/// </remarks>
public abstract class ModalityEncoder : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module with a name (used as the prefix of its parameters).</summary>
    /// <param name="name">Module name.</param>
    protected ModalityEncoder(string name) : base(name)
    {
    }

    /// <summary>Width h of the embeddings returned by <c>forward</c>.</summary>
    public abstract long EmbeddingDim { get; }

    /// <summary>
    /// The weight tensors that multiply the input features themselves (the first layer's weights, one row or column per
    /// input feature), whose size grows with d_in. The balanced trainer can give them a width-scaled L2 penalty
    /// (<c>BalancedTrainingOptions.InputWeightDecayWidthExponent</c>). Biases and deeper layers are not listed.
    /// Default: none (an encoder that does not say gets the common weight decay on every parameter).
    /// </summary>
    public virtual IReadOnlyList<Parameter> InputWeights => [];
}
