using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>Each rule of <see cref="BalancedTrainingData"/>'s remarks, at its edge: the exception type, the parameter
/// and the modality, row or class the message names.</summary>
public class BalancedTrainingDataArgumentTests
{
    private static readonly string[] Names = ["a", "b"];

    private static readonly long[] EightLabels = [0, 1, 0, 1, 0, 1, 0, 1];

    /// <summary>Two valid modalities over 8 rows (3 and 2 features), labels alternating 0, 1.</summary>
    private static BalancedTrainingData Create(Tensor[]? features = null, Tensor? labels = null, int classCount = 2,
        int[]? train = null, int[]? validation = null, string[]? names = null) =>
        new(names ?? Names, features ?? Features(), labels ?? tensor(EightLabels), classCount, train ?? [0, 1, 2, 3], validation ?? [4, 5]);

    private static Tensor[] Features(long rows = 8, long secondWidth = 2, ScalarType dtype = ScalarType.Float32)
    {
        using var generator = new Generator(5);
        return [randn(rows, 3, dtype: dtype, generator: generator), randn(rows, secondWidth, dtype: dtype, generator: generator)];
    }

    [Fact]
    public void Null_arguments_are_rejected_by_name()
    {
        using var scope = NewDisposeScope();
        var features = Features();
        using var labels = tensor(EightLabels);

        FluentActions.Invoking(() => new BalancedTrainingData(null!, features, labels, 2, [0, 1], [4, 5])).Should().Throw<ArgumentNullException>().WithParameterName("modalityNames");
        FluentActions.Invoking(() => new BalancedTrainingData(Names, null!, labels, 2, [0, 1], [4, 5])).Should().Throw<ArgumentNullException>().WithParameterName("features");
        FluentActions.Invoking(() => new BalancedTrainingData(Names, features, null!, 2, [0, 1], [4, 5])).Should().Throw<ArgumentNullException>().WithParameterName("labels");
        FluentActions.Invoking(() => new BalancedTrainingData(Names, features, labels, 2, null!, [4, 5])).Should().Throw<ArgumentNullException>().WithParameterName("trainRows");
        FluentActions.Invoking(() => new BalancedTrainingData(Names, features, labels, 2, [0, 1], null!)).Should().Throw<ArgumentNullException>().WithParameterName("validationRows");
    }

    [Fact]
    public void A_null_feature_matrix_is_rejected_naming_its_modality()
    {
        using var scope = NewDisposeScope();
        var act = () => Create(features: [Features()[0], null!]);
        act.Should().Throw<ArgumentNullException>().WithParameterName("features").WithMessage("Modality 'b' has no features.*");
    }

    [Fact]
    public void A_name_count_that_differs_from_the_modality_count_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => Create(names: ["a", "b", "c"]);
        act.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("3 modality names were given for 2 feature matrices.*");
    }

    [Theory]
    [InlineData(null, "Modality 1 has a null name*")]
    [InlineData("", "Modality 1 has an empty name*")]
    public void A_missing_name_is_called_null_or_empty_as_it_is(string? name, string message)
    {
        using var scope = NewDisposeScope();
        var act = () => Create(names: ["a", name!]);
        act.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage(message);
    }

    [Fact]
    public void Three_modalities_and_three_classes_are_accepted_and_kept_as_given()
    {
        using var scope = NewDisposeScope();
        using var labels = tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1, 2 });
        var nine = new[] { Features(9)[0], Features(9)[1], Features(9)[1] };

        var data = new BalancedTrainingData(["a", "b", "c"], nine, labels, 3, [0, 1, 2], [3, 4, 5]);

        data.ModalityCount.Should().Be(3);
        data.ClassCount.Should().Be(3);
        data.SampleCount.Should().Be(9);
        data.ModalityNames.Should().Equal("a", "b", "c");
        data.TrainRows.Should().Equal(0, 1, 2);
        data.ValidationRows.Should().Equal(3, 4, 5);
        data.LabelValues.Should().Equal(0, 1, 2, 0, 1, 2, 0, 1, 2);
        data.Features.Should().Equal(nine);
    }

    [Fact]
    public void A_single_feature_column_is_accepted()
    {
        using var scope = NewDisposeScope();
        var data = Create(features: Features(secondWidth: 1));
        data.Features[1].shape.Should().Equal(8, 1);
    }

    [Fact]
    public void Fewer_than_two_classes_are_rejected_by_name()
    {
        using var scope = NewDisposeScope();
        var act = () => Create(classCount: 1);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("classCount").WithMessage("At least two classes are needed.*");
    }

    [Fact]
    public void Labels_that_are_not_a_1_d_int64_tensor_are_rejected()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => Create(labels: tensor(EightLabels.Select(v => (int)v).ToArray())))
            .Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Labels must be a 1-D int64 tensor, got Int32 of shape (8).*");
        FluentActions.Invoking(() => Create(labels: tensor(EightLabels).reshape(8, 1)))
            .Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*got Int64 of shape (8, 1).*");
    }

    [Theory]
    [InlineData(7, 2, "Modality 'b': features must have shape (8, d >= 1), got (7, 2).*")]
    [InlineData(8, 0, "Modality 'b': features must have shape (8, d >= 1), got (8, 0).*")]
    public void Features_of_the_wrong_shape_are_rejected_naming_the_modality(long rows, long width, string message)
    {
        using var scope = NewDisposeScope();
        var features = Features();
        features[1] = zeros(rows, width);
        var act = () => Create(features: features);
        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage(message);
    }

    [Fact]
    public void A_1_d_feature_vector_is_rejected_naming_the_modality()
    {
        using var scope = NewDisposeScope();
        var features = Features();
        features[0] = randn(8);
        var act = () => Create(features: features);
        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("Modality 'a': features must have shape (8, d >= 1), got (8).*");
    }

    [Fact]
    public void Integer_features_are_rejected_naming_the_modality()
    {
        using var scope = NewDisposeScope();
        var features = Features();
        features[1] = ones(8, 2, dtype: ScalarType.Int32);
        var act = () => Create(features: features);
        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("Modality 'b': features must be floating point, got Int32.*");
    }

    [Fact]
    public void Modalities_of_different_dtypes_are_rejected_naming_both()
    {
        using var scope = NewDisposeScope();
        var features = Features();
        features[1] = features[1].to(ScalarType.Float64);
        var act = () => Create(features: features);
        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("Modality 'b' is Float64 on cpu, but modality 'a' is Float32 on cpu; all must match.*");
    }

    [Theory]
    [InlineData(new int[0], new[] { 4, 5 }, "trainRows")]
    [InlineData(new[] { 0, 1 }, new int[0], "validationRows")]
    public void An_empty_split_is_rejected_by_name(int[] train, int[] validation, string parameter)
    {
        using var scope = NewDisposeScope();
        var act = () => Create(train: train, validation: validation);
        act.Should().Throw<ArgumentException>().WithParameterName(parameter).WithMessage("At least one row is required.*");
    }

    [Theory]
    [InlineData(new[] { 0, 1, 8 }, new[] { 4, 5 }, "trainRows", 8)]    // n = 8: the first row past the end
    [InlineData(new[] { 0, 1 }, new[] { 4, -1, 5 }, "validationRows", -1)]
    public void A_row_outside_the_samples_is_rejected_naming_it(int[] train, int[] validation, string parameter, int row)
    {
        using var scope = NewDisposeScope();
        var act = () => Create(train: train, validation: validation);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter).WithMessage($"Row {row} is outside [0, 8).*")
            .Which.ActualValue.Should().Be(row);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 0 }, new[] { 4, 5 }, "trainRows")]
    [InlineData(new[] { 0, 1 }, new[] { 5, 4, 5 }, "validationRows")]
    public void A_row_listed_twice_is_rejected_naming_it(int[] train, int[] validation, string parameter)
    {
        using var scope = NewDisposeScope();
        var act = () => Create(train: train, validation: validation);
        act.Should().Throw<ArgumentException>().WithParameterName(parameter).WithMessage("Row * is listed twice.*");
    }

    [Fact]
    public void Row_zero_in_both_splits_is_an_overlap()
    {
        using var scope = NewDisposeScope();
        var act = () => Create(train: [0, 1, 2, 3], validation: [0, 4, 5]);
        act.Should().Throw<ArgumentException>().WithParameterName("validationRows").WithMessage("Row 0 is both a training and a validation row.*");
    }

    [Theory]
    [InlineData(2)]    // C itself: the first label past [0, C)
    [InlineData(-1)]
    public void A_label_outside_the_classes_is_rejected_naming_the_row(long label)
    {
        using var scope = NewDisposeScope();
        var labels = tensor(EightLabels);
        labels[5] = tensor(label);
        var act = () => Create(labels: labels);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("labels").WithMessage($"Row 5 has label {label}, outside [0, 2) (a validation row*");
    }

    [Fact]
    public void Labels_of_another_length_than_every_modalitys_rows_are_blamed_on_the_labels()
    {
        using var scope = NewDisposeScope();
        var act = () => Create(labels: tensor(EightLabels.Take(7).ToArray()), train: [0, 1, 2, 3], validation: [4, 5]);
        act.Should().Throw<ArgumentException>().WithParameterName("labels")
            .WithMessage("The labels have 7 entries, but every modality's features have 8 rows; give one label per row*");
    }

    [Fact]
    public void Labels_of_rows_outside_both_splits_are_not_read()
    {
        using var scope = NewDisposeScope();
        var labels = tensor(EightLabels);
        labels[7] = tensor(99L);
        var data = Create(labels: labels);
        data.LabelValues[7].Should().Be(99);
    }
}
