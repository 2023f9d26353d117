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

    /// <summary>The options: the object given at construction, not a copy.</summary>
    /// <remarks>Changes made through this object apply to the losses created afterwards; <see cref="Create"/> validates
    /// the options again with <see cref="DistillationLossOptionsValidator"/> (as the constructor) and gives every loss
    /// its own copy, so that a change to one loss's <see cref="DistillationLoss.Options"/> (e.g. in one of two training
    /// jobs sharing a singleton factory) does not reach the factory or the other losses.</remarks>
    public DistillationLossOptions Options { get; }

    /// <summary>Creates a loss for one student-teacher pair.</summary>
    /// <param name="studentDimension">d_s, the student embedding width.</param>
    /// <param name="teacherDimension">d_t, the teacher embedding width.</param>
    /// <param name="device">Device of the projection.</param>
    /// <param name="dtype">Dtype of the projection (default float32).</param>
    /// <returns>A new module with its own learnable projection and its own copy of <see cref="Options"/>; the caller owns
    /// and disposes it (its parameters survive the dispose scope it is created in, as any module's).</returns>
    /// <exception cref="ArgumentException"><see cref="Options"/> changed since construction and are no longer valid (naming
    /// the option), or a non-floating <paramref name="dtype"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension below 1.</exception>
    public DistillationLoss Create(int studentDimension, int teacherDimension, Device? device = null, ScalarType? dtype = null)
    {
        OptionsGuard.Validate(new DistillationLossOptionsValidator(), Options, nameof(Options));
        var copy = new DistillationLossOptions
        {
            CrossEntropyWeight = Options.CrossEntropyWeight, KullbackLeiblerWeight = Options.KullbackLeiblerWeight,
            RepresentationWeight = Options.RepresentationWeight, Temperature = Options.Temperature, Representation = Options.Representation,
        };
        return new(studentDimension, teacherDimension, copy, device, dtype);
    }
}
