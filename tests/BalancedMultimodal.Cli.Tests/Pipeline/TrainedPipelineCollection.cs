using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>The test classes that share one <see cref="TrainedPipelineFixture"/> (trained once).</summary>
[CollectionDefinition(Name)]
public sealed class TrainedPipelineCollection : ICollectionFixture<TrainedPipelineFixture>
{
    public const string Name = "trained pipeline";
}
