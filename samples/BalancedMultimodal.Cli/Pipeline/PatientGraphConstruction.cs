namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>When the pipeline builds the SNF patient graph (<see cref="PipelineOptions.PatientGraph"/>; docs/pipeline.md,
/// "The patient graph").</summary>
public enum PatientGraphConstruction
{
    /// <summary>The default (twenty-fourth session): only when an encoder reads it
    /// (<see cref="ModalityEncoderKind.RelationalGcn"/> or <see cref="ModalityEncoderKind.RelationalGcnAndMlp"/>). The
    /// graph-free <see cref="ModalityEncoderKind.Mlp"/> encoder's predictions do not depend on it, while its affinities
    /// and SNF cost O(n^2) memory (about ten n x n float64 matrices at the peak): skipping it lets the default pipeline
    /// scale to cohorts whose n x n matrices would not fit. Without the graph, <c>metrics.json</c>'s <c>graph</c> is
    /// null, the graph's sample-count floors for incomplete samples do not apply, and a saved model holds an edgeless
    /// graph of its cohort.</summary>
    WhenAnEncoderReadsIt,

    /// <summary>Always, as before the twenty-fourth session (for its connectivity diagnostics in <c>metrics.json</c>
    /// with the MLP encoder; the predictions are the same either way, and an MLP model does not attach new samples to
    /// it).</summary>
    Always,
}
