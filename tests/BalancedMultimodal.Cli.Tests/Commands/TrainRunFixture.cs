namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary>One short end-to-end run shared by the tests that read its output (training takes a few seconds).</summary>
public sealed class TrainRunFixture : IDisposable
{
    /// <summary>Two folds, ten epochs per phase, a small graph and few permutations: seconds, not minutes.</summary>
    public const string TinyConfig = """
        {
          "CrossFitFolds": 2,
          "CrossFitRepeats": 1,
          "GraphNeighbours": 5,
          "Affinity": { "K": 10 },
          "Fusion": { "K": 10 },
          "Training": { "PretrainingEpochs": 10, "DistillationEpochs": 10, "JointEpochs": 10, "Assessment": { "Permutations": 19 } }
        }
        """;

    public TrainRunFixture()
    {
        Config = Data.WriteFile("tiny.json", TinyConfig);
        OutFolder = Path.Combine(Data.Path, "out");
        (ExitCode, Output, Error) = TrainCommandTests.Run("train", "--data", Data.Path, "--config", Config, "--out", OutFolder, "--plots");
    }

    internal SyntheticMogonetFolder Data { get; } = new();

    public string Config { get; }

    public string OutFolder { get; }

    public int ExitCode { get; }

    public string Output { get; }

    public string Error { get; }

    public void Dispose() => Data.Dispose();
}
