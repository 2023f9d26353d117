namespace BalancedMultimodal.Core.Information;

/// <summary>Options of <see cref="PermutationTest"/> (configuration section <c>PermutationTest</c>).</summary>
public sealed class PermutationTestOptions
{
    /// <summary>Number of permutations P. The smallest reachable p-value is 1 / (P + 1): use at least 199 to be able
    /// to report p &lt; 0.01. Default 199. Must be at least 1.</summary>
    public int Permutations { get; set; } = 199;

    /// <summary>Seed of the permutations (System.Random). Default 0.</summary>
    public int Seed { get; set; }
}
