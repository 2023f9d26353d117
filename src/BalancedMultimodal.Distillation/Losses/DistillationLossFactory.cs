using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Losses;

/// <summary>
/// Creates <see cref="DistillationLoss"/> modules with the configured options once the embedding widths are known
/// (registered by the dependency-injection extension).
/// </summary>
public sealed class DistillationLossFactory
{
    /// <summary>Creates the factory from validated options.</summary>
    /// <param name="options">Validated by <see cref="DistillationLossOptionsValidator"/>.</param>
    public DistillationLossFactory(DistillationLossOptions options)
    {
        Options = OptionsGuard.Validate(new DistillationLossOptionsValidator(), options, nameof(options));
    }

    /// <inheritdoc cref="DistillationLossFactory(DistillationLossOptions)" />
    public DistillationLossFactory(IOptions<DistillationLossOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>The validated options.</summary>
    public DistillationLossOptions Options { get; }

    /// <summary>Creates a loss for one student-teacher pair.</summary>
    /// <param name="studentDimension">d_s, the student embedding width.</param>
    /// <param name="teacherDimension">d_t, the teacher embedding width.</param>
    /// <param name="device">Device of the projection.</param>
    /// <param name="dtype">Dtype of the projection (default float32).</param>
    /// <returns>A new module with its own learnable projection.</returns>
    public DistillationLoss Create(int studentDimension, int teacherDimension, Device? device = null, ScalarType? dtype = null) =>
        new(studentDimension, teacherDimension, Options, device, dtype);
}
