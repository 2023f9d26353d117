using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>
/// Tests that check seeded reproducibility of training: TorchSharp's dropout draws from the process-wide generator,
/// so these tests must not run while other test classes draw from it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalGeneratorCollection
{
    public const string Name = "TorchSharp global generator";
}
