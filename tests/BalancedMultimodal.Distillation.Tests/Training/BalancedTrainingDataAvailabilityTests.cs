using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>The availability argument of <see cref="BalancedTrainingData"/>: what it accepts and what it refuses.</summary>
public class BalancedTrainingDataAvailabilityTests
{
    private const int N = 40;

    private static bool[] Missing(params int[] rows) => Enumerable.Range(0, N).Select(i => !rows.Contains(i)).ToArray();

    private static BalancedTrainingData Create(IReadOnlyList<IReadOnlyList<bool>?>? availability, Action<Tensor[]>? edit = null)
    {
        var tiny = TrainingFixtures.Tiny();
        var features = tiny.Features.Select(f => f.clone()).ToArray();
        edit?.Invoke(features);
        return new BalancedTrainingData(tiny.ModalityNames, features, tiny.Labels, 2, tiny.TrainRows, tiny.ValidationRows, availability);
    }

    [Fact]
    public void The_flags_are_reported_per_modality_and_row()
    {
        var data = Create([null, Missing(3, 30), null]);

        data.HasMissingRows.Should().BeTrue();
        data.IsAvailable(1, 3).Should().BeFalse();
        data.IsAvailable(1, 30).Should().BeFalse();
        data.IsAvailable(1, 4).Should().BeTrue();
        data.IsAvailable(0, 3).Should().BeTrue();
        FluentActions.Invoking(() => data.IsAvailable(3, 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => data.IsAvailable(0, N)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Non_finite_values_are_accepted_at_unavailable_rows_and_refused_at_available_ones_naming_the_row()
    {
        FluentActions.Invoking(() => Create([null, Missing(5), null], f => f[1][5, 2] = float.NaN)).Should().NotThrow();

        FluentActions.Invoking(() => Create([null, Missing(5), null], f => f[1][8, 2] = float.PositiveInfinity))
            .Should().Throw<ArgumentException>().WithMessage("*'faint': row 8, column 2 is not finite*");
    }

    [Fact]
    public void A_row_lacking_every_modality_is_refused_naming_it()
    {
        FluentActions.Invoking(() => Create([Missing(12), Missing(12, 13), Missing(12)]))
            .Should().Throw<ArgumentException>().WithMessage("Row 12 lacks every modality*");
    }

    [Fact]
    public void A_modality_missing_on_every_training_row_is_refused_naming_it()
    {
        FluentActions.Invoking(() => Create([null, null, Missing(Enumerable.Range(0, 20).ToArray())]))
            .Should().Throw<ArgumentException>().WithMessage("Modality 'noise' is missing on every one of the 20 training rows*");
    }

    [Fact]
    public void A_modality_missing_on_every_validation_row_is_refused_naming_it()
    {
        FluentActions.Invoking(() => Create([null, Missing(Enumerable.Range(20, 12).ToArray()), null]))
            .Should().Throw<ArgumentException>().WithMessage("Modality 'faint' is missing on every one of the 12 validation rows*");
    }

    [Fact]
    public void A_modality_missing_on_every_row_is_refused_naming_it()
    {
        FluentActions.Invoking(() => Create([new bool[N], null, null]))
            .Should().Throw<ArgumentException>().WithMessage("Modality 'clear' is missing on every row*");
    }

    [Fact]
    public void Masks_of_the_wrong_count_or_length_are_refused()
    {
        FluentActions.Invoking(() => Create([null, null]))
            .Should().Throw<ArgumentException>().WithMessage("2 availability masks were given for 3 modalities*");
        FluentActions.Invoking(() => Create([null, new bool[N - 1], null]))
            .Should().Throw<ArgumentException>().WithMessage("Modality 'faint': the availability mask has 39 entries for 40 rows*");
    }

    [Fact]
    public void The_variance_check_reads_the_available_rows_only()
    {
        // "noise" is constant on its available rows; the unavailable ones hold varied values that must not count.
        FluentActions.Invoking(() => Create([null, null, Missing(0, 1, 2)], f =>
            {
                f[2].fill_(1f);
                f[2][0] = tensor(new[] { 5f, -3f, 2f });
            }))
            .Should().Throw<ArgumentException>().WithMessage("Modality 'noise' has zero variance in every column*");
    }
}
