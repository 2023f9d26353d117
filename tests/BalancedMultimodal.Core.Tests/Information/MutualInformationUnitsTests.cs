using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Information;

public class MutualInformationUnitsTests
{
    [Fact]
    public void Ln_2_nats_are_one_bit()
    {
        MutualInformationUnits.NatsToBits(Math.Log(2)).Should().BeApproximately(1.0, 1e-15);
    }
}
