namespace BalancedMultimodal.Core.Encoding;

/// <summary>Which rows an autoencoder is fitted on.</summary>
public enum AutoencoderFitRows
{
    /// <summary>Only the training rows (inductive: test rows never influence the compression).</summary>
    Training,

    /// <summary>All rows, labels unused (unsupervised, transductive: test features shape the compression).</summary>
    All,
}
