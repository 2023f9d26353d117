using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Data;

public class MultimodalDatasetTests
{
    private static readonly double[,] A = { { 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 } };
    private static readonly double[,] B = { { 10, 20, 30 }, { 40, 50, 60 }, { 70, 80, 90 }, { 100, 110, 120 } };
    private static readonly int[] Y = { 0, 1, 0, 1 };

    private static MultimodalDataset Small() =>
        new(new[] { new Modality("a", A), new Modality("b", B, new[] { "x", "y", "z" }) }, Y,
            sampleIds: new[] { "s0", "s1", "s2", "s3" }, trainIndices: new[] { 0, 1 }, validationIndices: new[] { 2 }, testIndices: new[] { 3 });

    [Fact]
    public void A_valid_dataset_exposes_its_shapes_labels_and_splits()
    {
        var data = Small();

        data.SampleCount.Should().Be(4);
        data.ModalityCount.Should().Be(2);
        data.ClassCount.Should().Be(2);
        data.Modalities[1].FeatureCount.Should().Be(3);
        data.Modalities[1].FeatureNames.Should().Equal("x", "y", "z");
        data.Modalities[0][2, 1].Should().Be(6);
        data.Labels.Should().Equal(0, 1, 0, 1);
        data.TrainIndices.Should().Equal(0, 1);
        data.ValidationIndices.Should().Equal(2);
        data.TestIndices.Should().Equal(3);
        data.CountClasses(data.TrainIndices).Should().Equal(1, 1);
    }

    [Fact]
    public void The_list_views_cannot_be_cast_back_to_the_dataset_s_own_arrays()
    {
        var data = Small();

        (data.Modalities as Modality[]).Should().BeNull("a caller could otherwise replace a modality behind the checks");
        (data.SampleIds as string[]).Should().BeNull();
        (data.Modalities[1].FeatureNames as string[]).Should().BeNull();
        var replace = () => ((IList<Modality>)data.Modalities)[0] = data.Modalities[1];
        replace.Should().Throw<NotSupportedException>();
        data.Modalities[0].Name.Should().Be("a");
    }

    [Fact]
    public void Without_splits_every_row_is_a_training_row()
    {
        var data = MultimodalDataset.FromArrays(new[] { "a" }, new[] { A }, Y);

        data.TrainIndices.Should().Equal(0, 1, 2, 3);
        data.ValidationIndices.Should().BeEmpty();
        data.TestIndices.Should().BeEmpty();
    }

    [Fact]
    public void Modalities_with_different_sample_counts_are_rejected_naming_the_modality()
    {
        var act = () => new MultimodalDataset(new[] { new Modality("a", A), new Modality("short", new double[,] { { 1 }, { 2 }, { 3 } }) }, Y);

        act.Should().Throw<ArgumentException>().WithMessage("*'short' has 3 rows*4 labels*");
    }

    [Fact]
    public void A_non_finite_value_is_rejected_naming_modality_row_and_column()
    {
        var values = (double[,])B.Clone();
        values[2, 1] = double.NaN;
        values[3, 0] = double.PositiveInfinity;

        var act = () => new Modality("meth", values);

        act.Should().Throw<ArgumentException>().WithMessage("*'meth'*row 2, column 1*NaN*");
    }

    [Fact]
    public void A_label_out_of_range_is_rejected_naming_the_row()
    {
        var act = () => new MultimodalDataset(new[] { new Modality("a", A) }, new[] { 0, 1, 2, 1 }, classCount: 2);

        act.Should().Throw<ArgumentException>().WithMessage("*row 2 is 2*[0, 2)*");
    }

    [Fact]
    public void A_negative_label_is_rejected()
    {
        var act = () => new MultimodalDataset(new[] { new Modality("a", A) }, new[] { 0, 1, -1, 1 });

        act.Should().Throw<ArgumentException>().WithMessage("*row 2 is -1*");
    }

    [Fact]
    public void A_single_class_is_rejected()
    {
        var act = () => new MultimodalDataset(new[] { new Modality("a", A) }, new[] { 1, 1, 1, 1 }, classCount: 2);

        act.Should().Throw<ArgumentException>().WithMessage("*1 distinct class*at least two*");
    }

    [Fact]
    public void A_modality_without_features_is_rejected()
    {
        var act = () => new Modality("empty", new double[4, 0]);

        act.Should().Throw<ArgumentException>().WithMessage("*'empty' has no columns*");
    }

    [Fact]
    public void A_dataset_without_modalities_is_rejected()
    {
        var act = () => new MultimodalDataset(Array.Empty<Modality>(), Y);

        act.Should().Throw<ArgumentException>().WithMessage("*at least one modality*");
    }

    [Fact]
    public void Overlapping_splits_are_rejected_naming_the_row_and_both_splits()
    {
        var act = () => new MultimodalDataset(new[] { new Modality("a", A) }, Y, trainIndices: new[] { 0, 1, 2 }, testIndices: new[] { 3, 1 });

        act.Should().Throw<ArgumentException>().WithMessage("Row 1 is in both the train and the test split*");
    }

    [Fact]
    public void A_split_index_out_of_range_is_rejected()
    {
        var act = () => Small().WithSplits(new[] { 0, 1 }, Array.Empty<int>(), new[] { 4 });

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*test split holds row 4*");
    }

    [Fact]
    public void Repeated_sample_ids_are_rejected()
    {
        var act = () => new MultimodalDataset(new[] { new Modality("a", A) }, Y, sampleIds: new[] { "p", "q", "p", "r" });

        act.Should().Throw<ArgumentException>().WithMessage("*'p' appears at rows 0 and 2*");
    }

    [Fact]
    public void Repeated_modality_names_are_rejected()
    {
        var act = () => new MultimodalDataset(new[] { new Modality("a", A), new Modality("a", B) }, Y);

        act.Should().Throw<ArgumentException>().WithMessage("*'a' is used twice*");
    }

    [Fact]
    public void Class_names_must_match_the_class_count()
    {
        var act = () => new MultimodalDataset(new[] { new Modality("a", A) }, Y, classCount: 2, classNames: new[] { "x", "y", "z" });

        act.Should().Throw<ArgumentException>().WithMessage("*classCount is 2 but 3 class names*");
    }

    [Fact]
    public void A_missing_row_may_hold_NaN_when_masked_as_missing()
    {
        var values = (double[,])A.Clone();
        values[1, 0] = double.NaN;
        values[1, 1] = double.NaN;

        var modality = new Modality("partial", values, availability: new[] { true, false, true, true });
        var data = new MultimodalDataset(new[] { modality, new Modality("full", B) }, Y);

        data.Modalities[0].IsAvailable(1).Should().BeFalse();
        data.Modalities[0].AvailableCount.Should().Be(3);
        data.Modalities[0].HasMissingRows.Should().BeTrue();
    }

    [Fact]
    public void A_sample_missing_in_every_modality_is_rejected()
    {
        var act = () => new MultimodalDataset(new[]
        {
            new Modality("a", A, availability: new[] { true, true, false, true }),
            new Modality("b", B, availability: new[] { true, true, false, true }),
        }, Y);

        act.Should().Throw<ArgumentException>().WithMessage("Row 2 is missing in every modality*");
    }

    [Fact]
    public void From_tensors_copies_values_and_labels()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 3, 2 });
        var y = tensor(new long[] { 1, 0, 1 });

        var data = MultimodalDataset.FromTensors(new[] { "t" }, new[] { x }, y);

        data.Modalities[0].ToArray().Should().BeEquivalentTo(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        data.Labels.Should().Equal(1, 0, 1);
    }

    [Fact]
    public void From_tensors_rejects_floating_point_labels()
    {
        using var scope = NewDisposeScope();
        var act = () => MultimodalDataset.FromTensors(new[] { "t" }, new[] { ones(3, 2) }, tensor(new float[] { 1, 0, 1 }));

        act.Should().Throw<ArgumentException>().WithMessage("*integer tensor*Float32*");
    }

    [Fact]
    public void To_tensor_returns_the_values_with_the_requested_dtype_and_shape()
    {
        using var scope = NewDisposeScope();
        var data = Small();

        var t = data.ToTensor(1, dtype: ScalarType.Float32);

        t.dtype.Should().Be(ScalarType.Float32);
        t.shape.Should().Equal(4L, 3L);
        t[3, 2].item<float>().Should().Be(120f);
        data.LabelsTensor().data<long>().ToArray().Should().Equal(0L, 1L, 0L, 1L);
    }

    [Fact]
    public void Select_rows_reorders_samples_and_remaps_the_splits()
    {
        var data = Small();

        var subset = data.SelectRows(new[] { 3, 0, 2 });

        subset.SampleIds.Should().Equal("s3", "s0", "s2");
        subset.Labels.Should().Equal(1, 0, 0);
        subset.Modalities[0].GetRow(0).ToArray().Should().Equal(7, 8);
        subset.TrainIndices.Should().Equal(1);
        subset.ValidationIndices.Should().Equal(2);
        subset.TestIndices.Should().Equal(0);
    }

    [Fact]
    public void Select_rows_rejects_a_repeated_row()
    {
        var act = () => Small().SelectRows(new[] { 0, 1, 0 });

        act.Should().Throw<ArgumentException>().WithMessage("Row 0 is selected twice*");
    }

    [Fact]
    public void With_splits_returns_a_new_dataset_and_leaves_the_original_alone()
    {
        var data = Small();

        var resplit = data.WithSplits(new[] { 0, 1, 2 }, Array.Empty<int>(), new[] { 3 });

        resplit.TrainIndices.Should().Equal(0, 1, 2);
        data.TrainIndices.Should().Equal(0, 1);
    }
}
