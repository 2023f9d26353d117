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
    [Fact]
    public void Null_modalities_labels_or_a_null_modality_are_rejected()
    {
        var noModalities = () => new MultimodalDataset(null!, Y);
        var noLabels = () => new MultimodalDataset(new[] { new Modality("a", A) }, null!);
        var nullModality = () => new MultimodalDataset(new[] { new Modality("a", A), null! }, Y);

        noModalities.Should().Throw<ArgumentNullException>().WithParameterName("modalities");
        noLabels.Should().Throw<ArgumentNullException>().WithParameterName("labels");
        nullModality.Should().Throw<ArgumentException>().WithParameterName("modalities").WithMessage("Modality 1 is null.*");
    }

    [Fact]
    public void A_class_count_below_two_is_rejected_even_when_the_labels_fit()
    {
        var act = () => new MultimodalDataset(new[] { new Modality("a", A) }, new[] { 0, 0, 0, 0 }, classCount: 1);

        act.Should().Throw<ArgumentException>().WithParameterName("classCount")
            .WithMessage("A classification dataset needs at least two classes; the class count is 1.*");
    }

    [Fact]
    public void The_class_count_defaults_to_the_class_names_then_to_the_largest_label_plus_one()
    {
        var named = new MultimodalDataset(new[] { new Modality("a", A) }, Y, classNames: new[] { "x", "y", "z" });
        var unnamed = new MultimodalDataset(new[] { new Modality("a", A) }, new[] { 0, 2, 0, 2 });

        named.ClassCount.Should().Be(3);
        named.ClassNames.Should().Equal("x", "y", "z");
        named.CountClasses().Should().Equal(2, 2, 0);
        unnamed.ClassCount.Should().Be(3);
        unnamed.ClassNames.Should().BeNull();
        unnamed.SampleIds.Should().BeNull();
    }

    [Fact]
    public void A_matching_class_count_with_class_names_is_accepted_and_a_null_class_name_is_rejected()
    {
        var matching = new MultimodalDataset(new[] { new Modality("a", A) }, Y, classCount: 2, classNames: new[] { "x", "y" });
        var act = () => new MultimodalDataset(new[] { new Modality("a", A) }, Y, classNames: new[] { "x", null! });

        matching.ClassNames.Should().Equal("x", "y");
        act.Should().Throw<ArgumentException>().WithParameterName("classNames").WithMessage("Class name 1 is null.*");
    }

    [Fact]
    public void The_first_label_out_of_range_is_named_with_the_range()
    {
        var act = () => new MultimodalDataset(new[] { new Modality("a", A) }, new[] { 0, 1, 1, 3 }, classCount: 3);

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label at row 3 is 3; labels must lie in [0, 3).*");
    }

    [Fact]
    public void Sample_ids_must_number_the_samples_and_none_may_be_null()
    {
        var tooFew = () => new MultimodalDataset(new[] { new Modality("a", A) }, Y, sampleIds: new[] { "p", "q", "r" });
        var nullId = () => new MultimodalDataset(new[] { new Modality("a", A) }, Y, sampleIds: new[] { "p", "q", null!, "r" });

        tooFew.Should().Throw<ArgumentException>().WithParameterName("sampleIds").WithMessage("There are 4 samples but 3 sample IDs.*");
        nullId.Should().Throw<ArgumentException>().WithParameterName("sampleIds").WithMessage("Sample ID at row 2 is null.*");
    }

    [Fact]
    public void The_exact_messages_of_shape_and_name_conflicts_name_both_sides()
    {
        var twice = () => new MultimodalDataset(new[] { new Modality("a", A), new Modality("b", B), new Modality("a", B) }, Y);
        var rows = () => new MultimodalDataset(new[] { new Modality("a", A) }, new[] { 0, 1, 0 });
        var ids = () => new MultimodalDataset(new[] { new Modality("a", A) }, Y, sampleIds: new[] { "p", "q", "r", "q" });

        twice.Should().Throw<ArgumentException>().WithParameterName("modalities").WithMessage("Modality name 'a' is used twice (modalities 2 and an earlier one).*");
        rows.Should().Throw<ArgumentException>().WithParameterName("modalities")
            .WithMessage("Modality 'a' has 4 rows but there are 3 labels; every modality needs one row per sample.*");
        ids.Should().Throw<ArgumentException>().WithParameterName("sampleIds").WithMessage("Sample ID 'q' appears at rows 1 and 3; IDs must be distinct.*");
    }

    [Fact]
    public void Labels_of_another_count_than_the_rows_all_modalities_agree_on_are_blamed_not_a_modality()
    {
        // Both modalities have 4 rows: the 5 labels are the mistake (the message blamed modality 'a').
        var tooMany = () => new MultimodalDataset(new[] { new Modality("a", A), new Modality("b", B) }, new[] { 0, 1, 0, 1, 0 });
        // The modalities disagree: the first one off the label count is named, as before.
        var disagreeing = () => new MultimodalDataset(new[] { new Modality("a", A), new Modality("c", new double[5, 2]) }, Y);

        tooMany.Should().Throw<ArgumentException>().WithParameterName("labels")
            .WithMessage("There are 5 labels but every modality has 4 rows; give one label per sample.*");
        disagreeing.Should().Throw<ArgumentException>().WithParameterName("modalities")
            .WithMessage("Modality 'c' has 5 rows but there are 4 labels; every modality needs one row per sample.*");
    }

    [Fact]
    public void When_the_first_modality_alone_is_off_the_label_count_it_is_named_not_the_labels()
    {
        // The labels are blamed only when every modality agrees on its row count: here 'b' agrees with the 4 labels.
        var firstOff = () => new MultimodalDataset(new[] { new Modality("c", new double[5, 2]), new Modality("b", B) }, Y);

        firstOff.Should().Throw<ArgumentException>().WithParameterName("modalities")
            .WithMessage("Modality 'c' has 5 rows but there are 4 labels; every modality needs one row per sample.*");
    }

    [Fact]
    public void A_row_available_in_one_modality_only_is_kept()
    {
        var data = new MultimodalDataset(new[]
        {
            new Modality("a", A, availability: new[] { true, false, true, true }),
            new Modality("b", B, availability: new[] { true, true, true, false }),
        }, Y);

        data.SampleCount.Should().Be(4);
    }

    [Fact]
    public void Splits_given_in_part_leave_the_other_splits_empty()
    {
        var onlyTest = new MultimodalDataset(new[] { new Modality("a", A) }, Y, testIndices: new[] { 3 });
        var onlyValidation = new MultimodalDataset(new[] { new Modality("a", A) }, Y, validationIndices: new[] { 1 });

        onlyTest.TrainIndices.Should().BeEmpty();
        onlyTest.TestIndices.Should().Equal(3);
        onlyValidation.TrainIndices.Should().BeEmpty();
        onlyValidation.ValidationIndices.Should().Equal(1);
        onlyValidation.TestIndices.Should().BeEmpty();
    }

    [Fact]
    public void A_row_repeated_within_a_split_or_negative_is_rejected_naming_the_split()
    {
        var repeated = () => new MultimodalDataset(new[] { new Modality("a", A) }, Y, trainIndices: new[] { 0 }, validationIndices: new[] { 2, 2 });
        var negative = () => new MultimodalDataset(new[] { new Modality("a", A) }, Y, trainIndices: new[] { 0, -1 });
        var across = () => new MultimodalDataset(new[] { new Modality("a", A) }, Y, trainIndices: new[] { 0 }, validationIndices: new[] { 1 }, testIndices: new[] { 1 });

        repeated.Should().Throw<ArgumentException>().WithParameterName("validationIndices").WithMessage("The validation split holds row 2 twice.*");
        negative.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("trainIndices")
            .WithMessage("The train split holds row -1 at position 1; rows must lie in [0, 4).*");
        across.Should().Throw<ArgumentException>().WithParameterName("testIndices").WithMessage("Row 1 is in both the validation and the test split; splits must be disjoint.*");
    }

    [Fact]
    public void From_arrays_rejects_null_arguments_and_a_name_count_other_than_the_matrix_count()
    {
        var noNames = () => MultimodalDataset.FromArrays(null!, new[] { A }, Y);
        var noValues = () => MultimodalDataset.FromArrays(new[] { "a" }, null!, Y);
        var mismatch = () => MultimodalDataset.FromArrays(new[] { "a", "b" }, new[] { A }, Y);

        noNames.Should().Throw<ArgumentNullException>().WithParameterName("modalityNames");
        noValues.Should().Throw<ArgumentNullException>().WithParameterName("values");
        mismatch.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("2 modality names were given for 1 matrices.*");
    }

    [Fact]
    public void From_arrays_passes_the_class_count_on()
    {
        var data = MultimodalDataset.FromArrays(new[] { "a", "b" }, new[] { A, B }, Y, classCount: 4);

        data.ClassCount.Should().Be(4);
        data.Modalities[1][3, 2].Should().Be(120);
    }

    [Fact]
    public void From_tensors_rejects_bad_arguments_naming_them()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, 2);
        var y = tensor(new long[] { 1, 0, 1 });

        var noNames = () => MultimodalDataset.FromTensors(null!, new[] { x }, y);
        var noValues = () => MultimodalDataset.FromTensors(new[] { "t" }, null!, y);
        var noLabels = () => MultimodalDataset.FromTensors(new[] { "t" }, new[] { x }, null!);
        var mismatch = () => MultimodalDataset.FromTensors(new[] { "t", "u" }, new[] { x }, y);
        var matrixLabels = () => MultimodalDataset.FromTensors(new[] { "t" }, new[] { x }, y.reshape(3, 1));
        var hugeLabel = () => MultimodalDataset.FromTensors(new[] { "t" }, new[] { x }, tensor(new long[] { 0, 1L << 31, 1 }));
        var tinyLabel = () => MultimodalDataset.FromTensors(new[] { "t" }, new[] { x }, tensor(new long[] { 0, 1, -(1L << 31) - 1 }));

        noNames.Should().Throw<ArgumentNullException>().WithParameterName("modalityNames");
        noValues.Should().Throw<ArgumentNullException>().WithParameterName("values");
        noLabels.Should().Throw<ArgumentNullException>().WithParameterName("labels");
        mismatch.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("2 modality names were given for 1 tensors.*");
        matrixLabels.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("labels must be a 1-D tensor (n), got 2 dimensions.*");
        hugeLabel.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label at row 1 is 2147483648, outside the int range.*");
        tinyLabel.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label at row 2 is -2147483649, outside the int range.*");
    }

    [Theory]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Int8)]
    [InlineData(ScalarType.Int16)]
    [InlineData(ScalarType.Int32)]
    public void From_tensors_accepts_every_integer_label_dtype_and_the_class_count(ScalarType dtype)
    {
        using var scope = NewDisposeScope();

        var data = MultimodalDataset.FromTensors(new[] { "t" }, new[] { ones(3, 2) }, tensor(new long[] { 2, 0, 2 }).to(dtype), classCount: 4);

        data.Labels.Should().Equal(2, 0, 2);
        data.ClassCount.Should().Be(4);
    }

    [Fact]
    public void A_modality_is_found_by_name_and_an_unknown_name_lists_the_modalities()
    {
        var data = Small();

        data.GetModality("b").FeatureCount.Should().Be(3);
        var act = () => data.GetModality("c");
        act.Should().Throw<ArgumentException>().WithParameterName("name").WithMessage("No modality is named 'c'; the modalities are a, b.*");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public void To_tensor_rejects_a_modality_index_outside_the_modalities(int index)
    {
        var act = () => Small().ToTensor(index);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("modality").WithMessage("Modality index must lie in [0, 2).*");
    }

    [Fact]
    public void The_labels_tensor_is_int64_on_the_cpu_and_the_default_to_tensor_is_float64()
    {
        using var scope = NewDisposeScope();
        var data = Small();

        var labels = data.LabelsTensor();
        var values = data.ToTensor(0);

        labels.dtype.Should().Be(ScalarType.Int64);
        labels.device_type.Should().Be(TorchSharp.DeviceType.CPU);
        values.dtype.Should().Be(ScalarType.Float64);
        values.data<double>().ToArray().Should().Equal(1, 2, 3, 4, 5, 6, 7, 8);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void Count_classes_rejects_a_row_outside_the_samples(int row)
    {
        var act = () => Small().CountClasses(new[] { 0, row });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("rows").WithMessage("Row index at position 1 must lie in [0, 4).*");
    }

    [Fact]
    public void Count_classes_counts_every_row_by_default_and_repeated_rows_each_time()
    {
        var data = new MultimodalDataset(new[] { new Modality("a", A) }, new[] { 0, 1, 1, 1 });

        data.CountClasses().Should().Equal(1, 3);
        data.CountClasses(new[] { 0, 0, 1 }).Should().Equal(2, 1);
    }

    [Fact]
    public void With_splits_rejects_null_splits_and_keeps_class_names_and_ids()
    {
        var data = new MultimodalDataset(new[] { new Modality("a", A) }, Y, classNames: new[] { "x", "y" }, sampleIds: new[] { "s0", "s1", "s2", "s3" });

        var resplit = data.WithSplits(new[] { 3 }, new[] { 2 }, new[] { 0, 1 });

        resplit.ClassNames.Should().Equal("x", "y");
        resplit.SampleIds.Should().Equal("s0", "s1", "s2", "s3");
        resplit.ValidationIndices.Should().Equal(2);
        ((Action)(() => data.WithSplits(null!, [], []))).Should().Throw<ArgumentNullException>().WithParameterName("train");
        ((Action)(() => data.WithSplits([], null!, []))).Should().Throw<ArgumentNullException>().WithParameterName("validation");
        ((Action)(() => data.WithSplits([], [], null!))).Should().Throw<ArgumentNullException>().WithParameterName("test");
    }

    [Fact]
    public void With_modalities_keeps_labels_names_ids_and_splits_but_validates_the_new_modalities()
    {
        var data = Small();

        var replaced = data.WithModalities(new[] { new Modality("c", B) });
        var act = () => data.WithModalities(new[] { new Modality("c", new double[,] { { 1 } }) });

        replaced.Modalities.Select(m => m.Name).Should().Equal("c");
        replaced.Labels.Should().Equal(Y);
        replaced.SampleIds.Should().Equal("s0", "s1", "s2", "s3");
        replaced.TrainIndices.Should().Equal(0, 1);
        replaced.ValidationIndices.Should().Equal(2);
        replaced.TestIndices.Should().Equal(3);
        act.Should().Throw<ArgumentException>().WithParameterName("modalities");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void Select_rows_rejects_a_row_outside_the_samples(int row)
    {
        var act = () => Small().SelectRows(new[] { 1, row });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("rows").WithMessage("Row index at position 1 must lie in [0, 4).*");
    }

    [Fact]
    public void Select_rows_keeps_the_class_count_and_names_without_ids_when_there_are_none()
    {
        var data = new MultimodalDataset(new[] { new Modality("a", A) }, new[] { 0, 1, 2, 1 }, classNames: new[] { "x", "y", "z" });

        var subset = data.SelectRows(new[] { 1, 0 });

        subset.ClassCount.Should().Be(3);
        subset.ClassNames.Should().Equal("x", "y", "z");
        subset.SampleIds.Should().BeNull();
        subset.TrainIndices.Should().Equal(1, 0); // train rows 0, 1 in their order, renumbered 1, 0
        subset.Modalities[0].ToArray().Should().BeEquivalentTo(new double[,] { { 3, 4 }, { 1, 2 } });
        ((Action)(() => data.SelectRows(null!))).Should().Throw<ArgumentNullException>().WithParameterName("rows");
        ((Action)(() => data.SelectRows(new[] { 2, 1, 2 }))).Should().Throw<ArgumentException>().WithMessage("Row 2 is selected twice (positions 0 and 2); rows must be distinct.*");
    }
    [Fact]
    public void From_tensors_passes_labels_at_the_int_limits_on_to_the_range_check()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, 2);

        var smallest = () => MultimodalDataset.FromTensors(new[] { "t" }, new[] { x }, tensor(new long[] { 0, 1, int.MinValue }));
        var largest = () => MultimodalDataset.FromTensors(new[] { "t" }, new[] { x }, tensor(new long[] { 0, int.MaxValue, 1 }), classCount: 3);

        smallest.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label at row 2 is -2147483648; labels must lie in [0, 2).*");
        largest.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label at row 1 is 2147483647; labels must lie in [0, 3).*");
    }

    [Fact]
    public void A_label_of_int_max_without_a_class_count_is_named_instead_of_overflowing_the_count()
    {
        // max + 1 would wrap to int.MinValue and report "the class count is -2147483648".
        var act = () => MultimodalDataset.FromArrays(new[] { "t" }, new[] { new double[,] { { 1 }, { 2 }, { 3 } } }, new[] { 0, 1, int.MaxValue });

        act.Should().Throw<ArgumentException>().WithParameterName("labels")
            .WithMessage("Label at row 2 is 2147483647; labels must be 0-based class indices (pass classCount to state the classes).*");
    }

    [Fact]
    public void The_factories_name_their_own_arguments_for_bad_names_and_row_counts()
    {
        // These named the constructor's "modalities" or the private constructor's "name" / "rowMajor".
        var nullName = () => MultimodalDataset.FromArrays(new[] { "a", null! }, new[] { A, A }, Y);
        var twice = () => MultimodalDataset.FromArrays(new[] { "a", "a" }, new[] { A, A }, Y);
        var rows = () => MultimodalDataset.FromArrays(new[] { "a", "b" }, new[] { A, new double[,] { { 1 }, { 2 }, { 3 } } }, Y);
        var tensorTwice = () => MultimodalDataset.FromTensors(new[] { "t", "t" }, new[] { ones(4, 2), ones(4, 2) }, tensor(new long[] { 0, 1, 0, 1 }));
        var tensorRows = () => MultimodalDataset.FromTensors(new[] { "t", "u" }, new[] { ones(4, 2), ones(5, 2) }, tensor(new long[] { 0, 1, 0, 1 }));
        var noRows = () => MultimodalDataset.FromArrays(new[] { "a" }, new[] { new double[0, 3] }, Array.Empty<int>());

        nullName.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("Modality name 1 is null*");
        twice.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("Modality name 'a' is used twice (modalities 0 and 1)*");
        rows.Should().Throw<ArgumentException>().WithParameterName("values").WithMessage("Modality 'b' has 3 rows but modality 'a' has 4*");
        tensorTwice.Should().Throw<ArgumentException>().WithParameterName("modalityNames");
        tensorRows.Should().Throw<ArgumentException>().WithParameterName("values").WithMessage("Modality 'u' has 5 rows*");
        noRows.Should().Throw<ArgumentException>().WithParameterName("values").WithMessage("Modality 'a' has no rows*");
    }

    [Fact]
    public void Too_few_classes_blame_the_argument_that_set_the_class_count()
    {
        var modalities = new[] { new Modality("a", A) };

        FluentActions.Invoking(() => new MultimodalDataset(modalities, new[] { 0, 0, 0, 0 }, classCount: 1))
            .Should().Throw<ArgumentException>().WithParameterName("classCount").WithMessage("*at least two classes; the class count is 1*");
        FluentActions.Invoking(() => new MultimodalDataset(modalities, new[] { 0, 0, 0, 0 }, classNames: new[] { "only" }))
            .Should().Throw<ArgumentException>().WithParameterName("classNames");
        FluentActions.Invoking(() => new MultimodalDataset(modalities, new[] { 0, 0, 0, 0 }))
            .Should().Throw<ArgumentException>().WithParameterName("labels");
    }

    [Fact]
    public void Selecting_no_rows_or_only_rows_lacking_a_modality_is_refused_naming_the_rows()
    {
        var partial = new Modality("b", B, availability: new[] { true, false, false, true });
        var data = new MultimodalDataset(new[] { new Modality("a", A), partial }, Y);

        FluentActions.Invoking(() => data.SelectRows(Array.Empty<int>())).Should().Throw<ArgumentException>().WithParameterName("rows")
            .WithMessage("Modality 'a': no rows selected*");
        FluentActions.Invoking(() => data.SelectRows(new[] { 1, 2 })).Should().Throw<ArgumentException>().WithParameterName("rows")
            .WithMessage("Modality 'b' is missing on every selected row*");
        FluentActions.Invoking(() => partial.SelectRows(new[] { 2 })).Should().Throw<ArgumentException>().WithParameterName("rows");
        data.SelectRows(new[] { 3, 2 }).Modalities[1].AvailableCount.Should().Be(1);
    }
}
