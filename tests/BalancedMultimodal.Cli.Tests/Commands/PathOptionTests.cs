using BalancedMultimodal.Cli.Commands;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary>Paths of the wrong kind (a file for a folder, a folder for a file): one line naming the option, exit code 2,
/// before any file is read.</summary>
public sealed class PathOptionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bmm-paths-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string AFile()
    {
        var file = Path.Combine(_folder, "labels_tr.csv");
        File.WriteAllText(file, "0\n1\n");
        return file;
    }

    public static TheoryData<string, string[]> CommandsReadingAData => new()
    {
        { "train", ["--out", "unused-out"] },
        { "info", [] },
        { "compare", ["--variants", "baselines", "--seeds", "0", "--out", "unused-out"] },
        { "bench", ["data", "--repeats", "1"] },
    };

    private static ICliCommand Command(string name) => name switch
    {
        "train" => new TrainCommand(),
        "info" => new InfoCommand(),
        "compare" => new CompareCommand(),
        "bench" => new BenchCommand(),
        "predict" => new PredictCommand(),
        _ => new FuseCommand(),
    };

    /// <summary>The message said "data folder '...' does not exist" about a file that exists.</summary>
    [Theory]
    [MemberData(nameof(CommandsReadingAData))]
    public void A_data_option_naming_a_file_says_it_is_a_file_not_a_folder(string command, string[] extra)
    {
        var file = AFile();

        var (code, output, error) = CliRunner.Run(Command(command), [command, .. extra, "--data", file]);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be($"bmm {command}: option --data: '{file}' is a file, not a folder (give the data folder)" + Environment.NewLine);
    }

    [Fact]
    public void Predict_rejects_a_model_or_data_file_and_an_out_folder_naming_the_option()
    {
        var file = AFile();
        var model = Directory.CreateDirectory(Path.Combine(_folder, "model")).FullName;
        var outFolder = Directory.CreateDirectory(Path.Combine(_folder, "predictions")).FullName;

        var modelFile = CliRunner.Run(new PredictCommand(), "predict", "--model", file, "--data", _folder);
        var dataFile = CliRunner.Run(new PredictCommand(), "predict", "--model", model, "--data", file);
        var outIsAFolder = CliRunner.Run(new PredictCommand(), "predict", "--model", model, "--data", _folder, "--out", outFolder);

        modelFile.Error.Should().Be($"bmm predict: option --model: '{file}' is a file, not a folder (give the model folder)" + Environment.NewLine);
        dataFile.Error.Should().Be($"bmm predict: option --data: '{file}' is a file, not a folder (give the data folder)" + Environment.NewLine);
        // Checked before the model is loaded (this empty model folder would fail to load): the message was "Access to
        // the path is denied", not naming --out, after the predictions were computed.
        outIsAFolder.Error.Should().Be($"bmm predict: option --out: '{outFolder}' is a folder, not a file" + Environment.NewLine);
        foreach (var run in new[] { modelFile, dataFile, outIsAFolder })
        {
            run.ExitCode.Should().Be(CliApp.UsageError);
            run.Output.Should().BeEmpty();
        }
    }

    [Fact]
    public void Fuse_rejects_an_out_folder_before_reading_the_views()
    {
        var views = string.Join(",", new[] { "view1.csv", "view2.csv" }.Select(v => Path.Combine(AppContext.BaseDirectory, "Fixtures", "snf", v)));

        var (code, output, error) = CliRunner.Run(new FuseCommand(), "fuse", "--views", views, "--out", _folder);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be($"bmm fuse: option --out: '{_folder}' is a folder, not a file" + Environment.NewLine);
    }

    [Fact]
    public void Creating_an_output_folder_tries_it_without_leaving_anything_in_it()
    {
        var folder = Path.Combine(_folder, "made", "here");
        var fileFolder = Path.Combine(_folder, "for-a-file");

        CliPaths.CreateOutputFolder(folder, "out");
        CliPaths.CreateOutputFileFolder(Path.Combine(fileFolder, "predictions.csv"), "out");

        Directory.Exists(folder).Should().BeTrue();
        Directory.EnumerateFileSystemEntries(folder).Should().BeEmpty("the write probe is deleted when closed");
        Directory.EnumerateFileSystemEntries(fileFolder).Should().BeEmpty("only the file's folder is made; the file is written later");
    }
}
