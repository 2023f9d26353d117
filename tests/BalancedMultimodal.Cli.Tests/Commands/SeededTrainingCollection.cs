using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary>Runs that compare seeded results: TorchSharp's dropout draws from the process-wide generator, so these tests
/// must not run while other test classes train.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeededTrainingCollection
{
    public const string Name = "Seeded training (TorchSharp global generator)";
}
