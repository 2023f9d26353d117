namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>What the cross-fitting folds are stratified by (<see cref="PipelineOptions.FoldStratification"/>;
/// docs/pipeline.md, "Incomplete samples", the row "folds"). On complete data both give the same folds.</summary>
public enum FoldStratification
{
    /// <summary>The default (twenty-fifth session): by class and by which modalities a sample has
    /// (<see cref="BalancedMultimodal.Core.Data.StratifiedSplitter"/>'s k-fold with attributes: iterative stratification
    /// of the availability flags under the class counts of the folds by class), so the rarest modality reaches every
    /// fold's training and validation rows once it is on as many labelled samples as there are folds, and every
    /// other modality is spread greedily and swapped within a class into a fold that lacks it (usually reaching every
    /// fold, not always); what the folds cannot place, the fold check
    /// refuses before any work.</summary>
    ClassAndAvailability,

    /// <summary>By class only, as before the twenty-fifth session: a modality on few samples can miss a fold's training
    /// or validation rows, which the pipeline then refuses before training.</summary>
    Class,
}
