namespace BalancedMultimodal.Core.Tests.Data;

/// <summary>Locations of test data: the copied fixtures and the linked bundled ROSMAP folder.</summary>
internal static class TestData
{
    public static string Fixture(params string[] parts) =>
        Path.Combine(new[] { AppContext.BaseDirectory, "Fixtures", "Data" }.Concat(parts).ToArray());

    /// <summary>The repository's samples/data/ROSMAP, linked into the test output by the project file (not duplicated).</summary>
    public static string RosmapFolder => Fixture("ROSMAP");
}
