using BalancedMultimodal.Core;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// What <see cref="ModalityAssessor"/> knows about one modality after pretraining: its validation score and its outputs
/// on the validation rows (class-probability vectors, shape (n, C), or embeddings, shape (n, d), to be reduced by PCA).
/// Row i of every modality's outputs must describe the same sample. A modality some of those samples lack says so with
/// <see cref="Available"/>: its outputs there are never read, and <see cref="ModalityAssessor"/> compares two modalities
/// on the rows both have.
/// </summary>
public sealed class ModalityEvidence
{
    /// <summary>Creates the evidence, validating it (name, finite score, finite non-empty outputs).</summary>
    /// <param name="name">The modality's name (non-empty; unique within one assessment).</param>
    /// <param name="score">Its validation score (macro-F1 by default; any finite number where higher is better).</param>
    /// <param name="outputs">Its outputs, shape (n, k), k &gt;= 1, finite. The array is not copied: do not modify it afterwards.</param>
    /// <exception cref="ArgumentException">An empty name, a non-finite score, or a non-finite output (naming the row and column).</exception>
    public ModalityEvidence(string name, double score, double[,] outputs)
        : this(name, score, outputs, null)
    {
    }

    /// <summary>Creates the evidence of a modality that some of the n samples lack, validating it.</summary>
    /// <param name="name">The modality's name (non-empty; unique within one assessment).</param>
    /// <param name="score">Its validation score (any finite number where higher is better).</param>
    /// <param name="outputs">Its outputs, shape (n, k), k &gt;= 1, finite at the available rows (the others are never
    /// read and may hold NaN). The array is not copied: do not modify it afterwards.</param>
    /// <param name="available">Which of the n rows have the modality (n flags, at least one true), or null for all. Copied;
    /// a mask without a false flag is stored as null.</param>
    /// <exception cref="ArgumentException">An empty name, a non-finite score, a mask of the wrong length or without an
    /// available row, or a non-finite output at an available row (naming the row and column).</exception>
    public ModalityEvidence(string name, double score, double[,] outputs, IReadOnlyList<bool>? available)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("The modality name must not be empty.", nameof(name));
        if (!double.IsFinite(score))
            throw new ArgumentException($"The score of modality '{name}' must be finite (was {score}).", nameof(score));
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.GetLength(0) == 0 || outputs.GetLength(1) == 0)
            throw new ArgumentException($"The outputs of modality '{name}' are empty (shape {outputs.GetLength(0)} x {outputs.GetLength(1)}).", nameof(outputs));
        if (available is not null)
        {
            if (available.Count != outputs.GetLength(0))
                throw new ArgumentException($"The availability mask of modality '{name}' has {available.Count} entries but its outputs have {outputs.GetLength(0)} rows.", nameof(available));
            if (!available.Any(a => a))
                throw new ArgumentException($"The availability mask of modality '{name}' marks no row available.", nameof(available));
        }
        for (int i = 0; i < outputs.GetLength(0); i++)
        {
            if (available is not null && !available[i]) continue;
            for (int j = 0; j < outputs.GetLength(1); j++)
            {
                if (!double.IsFinite(outputs[i, j]))
                    throw new ArgumentException($"The outputs of modality '{name}' are not finite at row {i}, column {j} ({outputs[i, j]}).", nameof(outputs));
            }
        }
        Name = name;
        Score = score;
        Outputs = outputs;
        Available = available is null || available.All(a => a) ? null : available.ToArray();
    }

    /// <summary>The modality's name.</summary>
    public string Name { get; }

    /// <summary>Its validation score.</summary>
    public double Score { get; }

    /// <summary>Its outputs, shape (n, k).</summary>
    public double[,] Outputs { get; }

    /// <summary>The number of rows n.</summary>
    public int Rows => Outputs.GetLength(0);

    /// <summary>Which rows have the modality (n flags), or null when every row has it.</summary>
    public IReadOnlyList<bool>? Available { get; }

    /// <summary>Whether row <paramref name="row"/> has the modality.</summary>
    /// <param name="row">A row in [0, n).</param>
    /// <returns>True when <see cref="Available"/> is null or marks the row.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="row"/> is outside [0, n) (whether or not every
    /// row is available).</exception>
    public bool IsAvailable(int row)
    {
        if ((uint)row >= (uint)Rows)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Modality '{Name}' has {Rows} rows; a row must lie in [0, {Rows}).");
        return Available is null || Available[row];
    }

    /// <summary>Creates the evidence from a tensor of outputs (any device, any floating dtype), shape (n, k) or (n).</summary>
    /// <param name="name">The modality's name.</param>
    /// <param name="score">Its validation score.</param>
    /// <param name="outputs">Its outputs; copied to a double array.</param>
    /// <returns>The validated evidence.</returns>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="outputs"/> is null.</exception>
    /// <exception cref="ArgumentException">The outputs are not an (n, k) or (n) floating-point tensor, or are empty or
    /// hold a non-finite value (naming <paramref name="outputs"/>, and the row and column of a non-finite value); a
    /// null, empty or white-space name; or a non-finite score.</exception>
    public static ModalityEvidence FromTensor(string name, double score, Tensor outputs)
    {
        TensorArgument.ThrowIfNullOrDisposed(outputs);
        if (outputs.dim() is not (1 or 2))
            throw new ArgumentException($"The outputs of modality '{name}' must be a (n, k) or (n) tensor; they have shape [{string.Join(", ", outputs.shape)}].", nameof(outputs));
        if (!outputs.is_floating_point())
            throw new ArgumentException($"The outputs of modality '{name}' must be floating point; they are {outputs.dtype}.", nameof(outputs));
        using var scope = NewDisposeScope();
        var matrix = outputs.dim() == 1 ? outputs.unsqueeze(1) : outputs;
        return new ModalityEvidence(name, score, matrix.ToMatrix());
    }
}
