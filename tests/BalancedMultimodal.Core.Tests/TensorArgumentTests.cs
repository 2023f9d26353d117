using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Information;
using FluentAssertions;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests;

public class TensorArgumentTests
{
    [Fact]
    public void A_live_tensor_passes()
    {
        using var x = zeros(2, 3);

        var act = () => TensorArgument.ThrowIfNullOrDisposed(x);

        act.Should().NotThrow();
    }

    [Fact]
    public void A_null_tensor_is_an_ArgumentNullException_naming_the_argument()
    {
        Tensor? features = null;

        var act = () => TensorArgument.ThrowIfNullOrDisposed(features);

        act.Should().Throw<ArgumentNullException>().WithParameterName("features");
    }

    [Fact]
    public void A_disposed_tensor_is_an_ObjectDisposedException_naming_the_argument()
    {
        var features = zeros(2, 3);
        features.Dispose();

        var act = () => TensorArgument.ThrowIfNullOrDisposed(features);

        var thrown = act.Should().Throw<ObjectDisposedException>().Which;
        thrown.ObjectName.Should().Be("features");
        thrown.Message.Should().Contain("The tensor passed as 'features' has been disposed");
    }

    [Fact]
    public void A_disposed_parameter_is_detected_as_any_tensor()
    {
        var weight = new Parameter(zeros(2, 3));
        weight.Dispose();

        var act = () => TensorArgument.ThrowIfNullOrDisposed(weight);

        act.Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("weight");
    }

    [Fact]
    public void A_disposed_view_is_detected_but_a_view_of_a_disposed_tensor_is_live()
    {
        using var matrix = zeros(3, 3);
        var transposed = matrix.t();
        transposed.Dispose();
        var source = ones(3, 3);
        using var column = source.select(1, 0);
        source.Dispose();

        var disposedView = () => TensorArgument.ThrowIfNullOrDisposed(transposed);
        var viewOfDisposed = () => TensorArgument.ThrowIfNullOrDisposed(column);

        disposedView.Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("transposed");
        viewOfDisposed.Should().NotThrow("the view holds the storage of the tensor it views");
        using (var total = column.sum()) total.item<float>().Should().Be(3f);
        matrix.IsInvalid.Should().BeFalse("disposing a view leaves the viewed tensor alive");
    }

    [Fact]
    public void A_disposed_entry_of_a_list_is_named_by_its_index()
    {
        using var first = zeros(2, 3);
        var second = zeros(2, 3);
        second.Dispose();
        IReadOnlyList<Tensor> views = [first, second];

        var act = () => TensorArgument.ThrowIfNullOrAnyDisposed(views);

        var thrown = act.Should().Throw<ObjectDisposedException>().Which;
        thrown.ObjectName.Should().Be("views[1]");
        thrown.Message.Should().Contain("'views[1]'");
    }

    [Fact]
    public void A_null_list_is_rejected_but_null_entries_are_left_to_the_caller()
    {
        using var first = zeros(2, 3);
        IReadOnlyList<Tensor?>? missing = null;
        IReadOnlyList<Tensor?> withNull = [first, null];

        var nullList = () => TensorArgument.ThrowIfNullOrAnyDisposed(missing);
        var nullEntry = () => TensorArgument.ThrowIfNullOrAnyDisposed(withNull);

        nullList.Should().Throw<ArgumentNullException>().WithParameterName("missing");
        nullEntry.Should().NotThrow();
    }

    [Fact]
    public void The_KSG_estimator_names_a_disposed_argument_instead_of_failing_in_TorchSharp()
    {
        using var x = rand(20, 1, dtype: ScalarType.Float64);
        var y = rand(20, 1, dtype: ScalarType.Float64);
        y.Dispose();

        var act = () => new KsgEstimator().Estimate(x, y);

        act.Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("y");
    }

    [Fact]
    public void A_dataset_from_tensors_names_the_disposed_modality_by_index()
    {
        using var first = rand(4, 2, dtype: ScalarType.Float64);
        var second = rand(4, 2, dtype: ScalarType.Float64);
        second.Dispose();
        using var labels = tensor(new long[] { 0, 1, 0, 1 });

        var act = () => MultimodalDataset.FromTensors(["a", "b"], [first, second], labels);

        act.Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("values[1]");
    }

    [Fact]
    public void Describe_gives_null_a_live_tensor_s_metadata_or_disposed_tensor()
    {
        var x = zeros(2, 5, dtype: ScalarType.Float64);

        TensorArgument.Describe(null).Should().Be("null");
        TensorArgument.Describe(x).Should().Be("tensor (2, 5) Float64 on cpu");
        x.Dispose();
        TensorArgument.Describe(x).Should().Be("disposed tensor");
    }
}
