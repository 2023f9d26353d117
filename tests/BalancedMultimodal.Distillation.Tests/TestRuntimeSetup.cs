using System.Globalization;
using System.Runtime.CompilerServices;

namespace BalancedMultimodal.Distillation.Tests;

/// <summary>Runs once when the test assembly loads.</summary>
internal static class TestRuntimeSetup
{
    /// <summary>
    /// One libtorch thread per test process: test assemblies and test classes run in parallel on a 2-core CI machine,
    /// and libtorch's OpenMP workers spin-waiting for each other made small models many times slower.
    /// </summary>
    [ModuleInitializer]
    internal static void UseOneLibtorchThread() => TorchSharp.torch.set_num_threads(1);

    /// <summary>
    /// The expected messages and numbers in the tests are written with '.' decimals: the tests run in the invariant
    /// culture whatever the machine's locale (a de_DE machine formatted 162754,791). Tests of culture-independent parsing
    /// set their culture themselves.
    /// </summary>
    [ModuleInitializer]
    internal static void UseInvariantCulture()
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
    }
}
