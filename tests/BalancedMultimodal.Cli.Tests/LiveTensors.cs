using TorchSharp;

namespace BalancedMultimodal.Cli.Tests;

/// <summary>How many TorchSharp tensors this thread holds alive: created minus disposed, in or outside dispose scopes.
/// Tests compare it before and after a call to show the call leaves no native memory behind.</summary>
internal static class LiveTensors
{
    /// <summary>The current count.</summary>
    public static long Count => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
}
