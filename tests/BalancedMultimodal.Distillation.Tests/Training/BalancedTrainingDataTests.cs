using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

public class BalancedTrainingDataTests
{
    private static readonly string[] Names = ["a", "b"];

    private static Tensor[] Features(int n = 8) => [randn(n, 3, generator: new Generator(1)), randn(n, 2, generator: new Generator(2))];

    private static Tensor Labels(params long[] values) => tensor(values);

    [Fact]
    public void A_single_modality_is_rejected()
    {
        var act = () => new BalancedTrainingData(["a"], [randn(8, 3, generator: new Generator(19))], Labels(0, 1, 0, 1, 0, 1, 0, 1), 2, [0, 1, 2, 3], [4, 5]);
        act.Should().Throw<ArgumentException>().WithMessage("*at least two modalities*");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void An_empty_modality_name_is_rejected_naming_the_modality_index(string? name)
    {
        var act = () => new BalancedTrainingData(["a", name!], Features(), Labels(0, 1, 0, 1, 0, 1, 0, 1), 2, [0, 1, 2, 3], [4, 5]);
        act.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("Modality 1 has a* name*");
    }

    [Fact]
    public void A_repeated_modality_name_is_rejected_naming_both_modalities()
    {
        var act = () => new BalancedTrainingData(["a", "a"], Features(), Labels(0, 1, 0, 1, 0, 1, 0, 1), 2, [0, 1, 2, 3], [4, 5]);
        act.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("*'a' names modalities 0 and 1*");
    }

    [Fact]
    public void A_modality_with_only_zero_variance_columns_is_rejected_by_name()
    {
        var act = () => new BalancedTrainingData(Names, [randn(8, 3, generator: new Generator(26)), ones(8, 2)], Labels(0, 1, 0, 1, 0, 1, 0, 1), 2, [0, 1, 2, 3], [4, 5]);
        act.Should().Throw<ArgumentException>().WithMessage("*'b'*zero variance*");
    }

    [Fact]
    public void Float16_features_are_rejected_naming_the_modality_because_adam_cannot_train_them()
    {
        var half = Features().Select(x => x.to(ScalarType.Float16)).ToArray();
        var act = () => new BalancedTrainingData(Names, half, Labels(0, 1, 0, 1, 0, 1, 0, 1), 2, [0, 1, 2, 3], [4, 5]);
        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("Modality 'a': float16 features are not supported*float32*");
    }

    [Fact]
    public void A_class_missing_from_the_training_rows_is_rejected()
    {
        var act = () => new BalancedTrainingData(Names, Features(), Labels(0, 0, 0, 0, 1, 1, 0, 1), 2, [0, 1, 2, 3], [4, 6]);
        act.Should().Throw<ArgumentException>().WithMessage("*Class 1 has no training row*");
    }

    [Fact]
    public void A_validation_split_without_a_class_is_rejected_as_too_small()
    {
        var act = () => new BalancedTrainingData(Names, Features(), Labels(0, 1, 0, 1, 0, 0, 0, 1), 2, [0, 1, 2, 3], [4, 5]);
        act.Should().Throw<ArgumentException>().WithMessage("*Class 1 has no validation row*too small*");
    }

    [Fact]
    public void A_label_out_of_range_is_rejected_with_its_row()
    {
        var act = () => new BalancedTrainingData(Names, Features(), Labels(0, 1, 0, 7, 0, 1, 0, 1), 2, [0, 1, 2, 3], [4, 5]);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Row 3 has label 7*");
    }

    [Fact]
    public void Overlapping_training_and_validation_rows_are_rejected()
    {
        var act = () => new BalancedTrainingData(Names, Features(), Labels(0, 1, 0, 1, 0, 1, 0, 1), 2, [0, 1, 2, 3], [3, 4, 5]);
        act.Should().Throw<ArgumentException>().WithMessage("*Row 3 is both*");
    }

    [Fact]
    public void A_non_finite_feature_is_rejected_with_modality_row_and_column()
    {
        var features = Features();
        features[1][5, 1] = tensor(float.NaN);
        var act = () => new BalancedTrainingData(Names, features, Labels(0, 1, 0, 1, 0, 1, 0, 1), 2, [0, 1, 2, 3], [4, 5]);
        act.Should().Throw<ArgumentException>().WithMessage("*'b'*row 5, column 1*");
    }

    [Fact]
    public void Invalid_options_are_rejected_when_the_trainer_is_built()
    {
        var options = TrainingFixtures.FastOptions();
        options.LearningRate = -1;
        var act = () => TrainingFixtures.Trainer(options);
        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*BalancedTrainingOptions.LearningRate*");
    }
}
