namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>What the cross-fitting folds are stratified by (<see cref="PipelineOptions.FoldStratification"/>;
/// docs/pipeline.md, "Folds on incomplete samples"). On complete data both give the same folds.</summary>
public enum FoldStratification
{
    /// <summary>The default (twenty-fifth session): by class and, within each class, by which modalities a sample has
    /// (<see cref="BalancedMultimodal.Core.Data.StratifiedSplitter"/>'s k-fold with subgroups; the rarest modality's
    /// samples are dealt as one run), so every fold trains and scores every modality measured on at least as many
    /// labelled samples as there are folds, and each modality's share of a fold's rows is the same in every fold.</summary>
    ClassAndAvailability,

    /// <summary>By class only, as before the twenty-fifth session: a modality on few samples can miss a fold's training
    /// or validation rows, which the pipeline then refuses before training.</summary>
    Class,
}
