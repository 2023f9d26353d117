using Xunit;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>Tests that change the process-wide torch thread count run one at a time.</summary>
[CollectionDefinition(nameof(TorchThreadCountCollection), DisableParallelization = true)]
public sealed class TorchThreadCountCollection
{
}
