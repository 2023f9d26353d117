using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

public class MissingValueMarkersTests
{
    [Theory]
    [InlineData("", true)]
    [InlineData("   ", true)]
    [InlineData("NA", true)]
    [InlineData("na", true)]
    [InlineData(" NaN ", true)]
    [InlineData("nan", true)]
    [InlineData("NAN", true)]
    [InlineData("\"NA\"", true)]
    [InlineData(" \" nan \" ", true)]
    [InlineData("\"\"", true)]
    [InlineData("0", false)]
    [InlineData("1.5e3", false)]
    [InlineData("N/A", false)]
    [InlineData("null", false)]
    [InlineData("-nan", false)]
    [InlineData("NAN1", false)]
    [InlineData("Infinity", false)]
    [InlineData("\"", false)]
    public void Empty_NA_and_NaN_in_any_case_are_the_markers(string field, bool expected)
    {
        MissingValueMarkers.IsMissing(field).Should().Be(expected);
    }
}
