namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>The content of <c>manifest.json</c>, the table of contents of a saved <see cref="TrainedPipeline"/> folder.</summary>
public sealed class PipelineManifest
{
    /// <summary>Folder format version (<see cref="TrainedPipeline.FormatVersion"/>).</summary>
    public int FormatVersion { get; set; }

    /// <summary>Library version that wrote the folder.</summary>
    public string LibraryVersion { get; set; } = "";

    /// <summary>When the folder was written (UTC, ISO 8601).</summary>
    public string CreatedUtc { get; set; } = "";

    /// <summary>The M modality names.</summary>
    public string[] ModalityNames { get; set; } = [];

    /// <summary>Raw feature count of every modality.</summary>
    public int[] FeatureCounts { get; set; } = [];

    /// <summary>Model-input width of every modality (the latent width when autoencoders are used).</summary>
    public long[] InputDims { get; set; } = [];

    /// <summary>The C class names.</summary>
    public string[] ClassNames { get; set; } = [];

    /// <summary>Number of cohort nodes.</summary>
    public long CohortSize { get; set; }

    /// <summary>Compute dtype (TorchSharp scalar type name).</summary>
    public string DType { get; set; } = "";

    /// <summary>Whether <c>autoencoder_{m}.bin</c> files are present.</summary>
    public bool HasAutoencoders { get; set; }

    /// <summary>Whether <c>quantiles.json</c> (the rank-Gauss transform applied before the standardiser) is present; needs format version 2.</summary>
    public bool HasQuantileNormalizer { get; set; }

    /// <summary>Number of folds (<c>fold_{k}.bin</c> and <c>fold_{k}.json</c>).</summary>
    public int FoldCount { get; set; }

    /// <summary>Relation names of the cohort graph, in order.</summary>
    public string[] GraphRelations { get; set; } = [];

    /// <summary>Every file of the folder with its SHA-256 and, for tensor files, the tensors it holds.</summary>
    public PipelineFile[] Files { get; set; } = [];
}
