namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary>
/// One short <c>bmm train --save --plots</c> run on a folder without a test split: <see cref="SyntheticMogonetFolder"/>
/// with its test files (<c>{m}_te.csv</c>, <c>labels_te.csv</c>) moved to <see cref="NewSamples"/>, so that the 42
/// training rows are the whole labelled cohort and the 18 held-out rows are new samples for <c>bmm predict</c>.
/// </summary>
public sealed class TrainOnlyRunFixture : IDisposable
{
    /// <summary>The test files of the MOGONET format, all moved out of the data folder.</summary>
    public static readonly string[] TestFiles = ["1_te.csv", "2_te.csv", "3_te.csv", "labels_te.csv"];

    public TrainOnlyRunFixture()
    {
        NewSamples = Path.Combine(Root, "new");
        Directory.CreateDirectory(NewSamples);
        foreach (var file in TestFiles) File.Move(Path.Combine(Data.Path, file), Path.Combine(NewSamples, file));
        Config = Path.Combine(Root, "tiny.json");
        File.WriteAllText(Config, TrainRunFixture.TinyConfig);
        OutFolder = Path.Combine(Root, "out");
        // An earlier run's confusion matrix in the output folder, which this run (no test split) must not leave behind.
        Directory.CreateDirectory(OutFolder);
        File.WriteAllText(Path.Combine(OutFolder, "confusion_matrix.png"), "an earlier run's plot");
        ModelFolder = Path.Combine(Root, "model");
        (ExitCode, Output, Error) = TrainCommandTests.Run("train", "--data", Data.Path, "--config", Config, "--out", OutFolder,
            "--save", ModelFolder, "--plots");
    }

    /// <summary>The data folder: training files only.</summary>
    internal SyntheticMogonetFolder Data { get; } = new();

    /// <summary>A folder beside the data for everything else (the data folder holds the training files only).</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("bmm-train-only-").FullName;

    /// <summary>The held-out rows as a new-sample folder of <c>bmm predict</c> (<c>{m}_te.csv</c>, <c>labels_te.csv</c>).</summary>
    public string NewSamples { get; }

    public string Config { get; }

    public string OutFolder { get; }

    public string ModelFolder { get; }

    public int ExitCode { get; }

    public string Output { get; }

    public string Error { get; }

    public void Dispose()
    {
        Data.Dispose();
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
