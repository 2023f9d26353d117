using Xunit;

namespace BalancedMultimodal.Core.Tests.Encoding;

/// <summary>
/// Tests that check seeded reproducibility: parameter initialisation draws from TorchSharp's process-wide generator, so
/// these tests must not run while other test classes draw from it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalGeneratorCollection
{
    public const string Name = "TorchSharp global generator";
}
