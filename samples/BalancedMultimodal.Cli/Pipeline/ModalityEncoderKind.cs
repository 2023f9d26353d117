namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>The per-modality encoder the pipeline trains (<see cref="PipelineOptions.EncoderKind"/>).</summary>
public enum ModalityEncoderKind
{
    /// <summary>A relational graph convolution encoder over the fused patient graph (<see cref="PipelineOptions.Encoder"/>):
    /// h_i = act(x_i Theta_root + sum_r mean_{j in N_r(i)} x_j Theta_r + b), MOGONET-style.</summary>
    RelationalGcn,

    /// <summary>A graph-free MLP encoder on the modality's own features (<see cref="PipelineOptions.MlpEncoder"/>):
    /// h = act(Dropout(x) W_1 + b_1) ..., the graph is then not used by the networks.</summary>
    Mlp,

    /// <summary>Both side by side (<see cref="BalancedMultimodal.Core.Encoding.ConcatenatedEncoder"/>): h = [RGCN(X), MLP(X)],
    /// a graph path and a graph-free path into every head.</summary>
    RelationalGcnAndMlp,
}
