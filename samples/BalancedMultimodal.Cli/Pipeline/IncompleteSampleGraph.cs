namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>How the patient graph is built when some samples lack modalities
/// (<see cref="PipelineOptions.IncompleteSampleGraph"/>; docs/pipeline.md, "Incomplete samples").</summary>
public enum IncompleteSampleGraph
{
    /// <summary>The twenty-second session's rule: SNF over the samples that have every modality; every other sample is attached to that graph as
    /// <c>bmm predict</c> attaches new samples (<see cref="InductiveGraph"/>: incoming edges from its k most similar
    /// complete samples). Needs more complete samples than <see cref="PipelineOptions.GraphNeighbours"/> and
    /// <c>Affinity.K</c>; incomplete samples never change a complete sample's embedding.</summary>
    AttachToCompleteSamples,

    /// <summary>The default (twenty-third session, chosen on validation): SNF over every sample with each modality's availability mask (snfpy's missing-data semantics,
    /// <see cref="BalancedMultimodal.Graph.Fusion.SimilarityNetworkFusion"/>): a modality's affinity is computed over the
    /// samples that have it, and the fused entry (i, j) diffuses through the modalities both i and j have. Needs each
    /// modality on more samples than <c>Affinity.K</c>, <c>Fusion.K</c> and <see cref="PipelineOptions.GraphNeighbours"/>,
    /// however few samples have every modality;
    /// a per-modality relation (<see cref="PipelineOptions.ModalityGraphRelations"/>) links only samples having that
    /// modality. New samples (<c>bmm predict</c>) are attached to every cohort sample, each modality's kernel over the
    /// cohort samples that have it.</summary>
    FuseAvailableModalities,
}
