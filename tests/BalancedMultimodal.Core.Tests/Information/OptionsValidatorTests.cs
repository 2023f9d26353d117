using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Information;

/// <summary>The public options validators (also used by dependency injection) reject a missing options object.</summary>
public class OptionsValidatorTests
{
    [Fact]
    public void Every_validator_rejects_null_options_naming_them()
    {
        FluentActions.Invoking(() => new KsgEstimatorOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new ContinuousDiscreteEstimatorOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new GaussianMutualInformationEstimatorOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new InfoNceEstimatorOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new PermutationTestOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new BootstrapOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Every_failure_of_one_options_object_is_reported()
    {
        var result = new KsgEstimatorOptionsValidator().Validate(null, new KsgEstimatorOptions { K = 0, BlockSize = -2 });

        result.Failed.Should().BeTrue();
        result.Failures.Should().Equal(
            "KsgEstimatorOptions.K must be at least 1, got 0.",
            "KsgEstimatorOptions.BlockSize must be 0 (automatic) or positive, got -2.");
        new KsgEstimatorOptionsValidator().Validate(null, new KsgEstimatorOptions()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void The_smallest_valid_neighbour_count_is_one_and_zero_is_rejected()
    {
        new KsgEstimatorOptionsValidator().Validate(null, new KsgEstimatorOptions { K = 1 }).Succeeded.Should().BeTrue();
        new ContinuousDiscreteEstimatorOptionsValidator().Validate(null, new ContinuousDiscreteEstimatorOptions { K = 1 }).Succeeded.Should().BeTrue();
        new ContinuousDiscreteEstimatorOptionsValidator().Validate(null, new ContinuousDiscreteEstimatorOptions { K = 0, BlockSize = -1 }).Failures
            .Should().Equal(
                "ContinuousDiscreteEstimatorOptions.K must be at least 1, got 0.",
                "ContinuousDiscreteEstimatorOptions.BlockSize must be 0 (automatic) or positive, got -1.");
    }
}
