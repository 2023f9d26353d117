namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>One file of a saved pipeline folder.</summary>
public sealed class PipelineFile
{
    /// <summary>File name, relative to the folder.</summary>
    public string Name { get; set; } = "";

    /// <summary>Lower-case hexadecimal SHA-256 of the file's bytes.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>For tensor files (TorchSharp state dicts): the name, shape and dtype of every entry; else null.</summary>
    public TensorDescription[]? Tensors { get; set; }
}
