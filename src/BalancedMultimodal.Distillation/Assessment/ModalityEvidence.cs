using BalancedMultimodal.Core;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// What <see cref="ModalityAssessor"/> knows about one modality after pretraining: its validation score and its outputs
/// on the validation rows (class-probability vectors, shape (n, C), or embeddings, shape (n, d), to be reduced by PCA).
/// Row i of every modality's outputs must describe the same sample.
/// </summary>
public sealed class ModalityEvidence
{
    /// <summary>Creates the evidence, validating it (name, finite score, finite non-empty outputs).</summary>
    /// <param name="name">The modality's name (non-empty; unique within one assessment).</param>
    /// <param name="score">Its validation score (macro-F1 by default; any finite number where higher is better).</param>
    /// <param name="outputs">Its outputs, shape (n, k), k &gt;= 1, finite. The array is not copied: do not modify it afterwards.</param>
    /// <exception cref="ArgumentException">An empty name, a non-finite score, or a non-finite output (naming the row and column).</exception>
    public ModalityEvidence(string name, double score, double[,] outputs)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("The modality name must not be empty.", nameof(name));
        if (!double.IsFinite(score))
            throw new ArgumentException($"The score of modality '{name}' must be finite (was {score}).", nameof(score));
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.GetLength(0) == 0 || outputs.GetLength(1) == 0)
            throw new ArgumentException($"The outputs of modality '{name}' are empty (shape {outputs.GetLength(0)} x {outputs.GetLength(1)}).", nameof(outputs));
        for (int i = 0; i < outputs.GetLength(0); i++)
        {
            for (int j = 0; j < outputs.GetLength(1); j++)
            {
                if (!double.IsFinite(outputs[i, j]))
                    throw new ArgumentException($"The outputs of modality '{name}' are not finite at row {i}, column {j} ({outputs[i, j]}).", nameof(outputs));
            }
        }
        Name = name;
        Score = score;
        Outputs = outputs;
    }

    /// <summary>The modality's name.</summary>
    public string Name { get; }

    /// <summary>Its validation score.</summary>
    public double Score { get; }

    /// <summary>Its outputs, shape (n, k).</summary>
    public double[,] Outputs { get; }

    /// <summary>The number of rows n.</summary>
    public int Rows => Outputs.GetLength(0);

    /// <summary>Creates the evidence from a tensor of outputs (any device, any floating dtype), shape (n, k) or (n).</summary>
    /// <param name="name">The modality's name.</param>
    /// <param name="score">Its validation score.</param>
    /// <param name="outputs">Its outputs; copied to a double array.</param>
    /// <returns>The validated evidence.</returns>
    public static ModalityEvidence FromTensor(string name, double score, Tensor outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.dim() is not (1 or 2))
            throw new ArgumentException($"The outputs of modality '{name}' must be a (n, k) or (n) tensor; they have shape [{string.Join(", ", outputs.shape)}].", nameof(outputs));
        if (!outputs.is_floating_point())
            throw new ArgumentException($"The outputs of modality '{name}' must be floating point; they are {outputs.dtype}.", nameof(outputs));
        using var scope = NewDisposeScope();
        var matrix = outputs.dim() == 1 ? outputs.unsqueeze(1) : outputs;
        return new ModalityEvidence(name, score, matrix.ToMatrix());
    }
}
