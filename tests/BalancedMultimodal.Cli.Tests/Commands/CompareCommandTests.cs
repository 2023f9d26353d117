using System.Globalization;
using System.Text.Json;
using BalancedMultimodal.Cli.Commands;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

public sealed class CompareCommandTests
{
    [Fact]
    public void Outer_folds_of_one_are_a_usage_error()
    {
        var (code, _, error) = CliRunner.Run(new CompareCommand(), "compare", "--outer-folds", "1", "--variants", "baselines");

        code.Should().Be(CliApp.UsageError);
        error.Should().Contain("--outer-folds");
    }

    [Fact]
    public void An_out_path_that_is_an_existing_file_is_rejected_before_any_run()
    {
        using var data = new SyntheticMogonetFolder();
        var file = data.WriteFile("afile", "not a folder");

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "baselines", "--out", file);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty("no variant runs: the results could not be written");
        error.Should().Be($"bmm compare: option --out: '{file}' is a file, not a folder" + Environment.NewLine);
    }

    [Fact]
    public void An_invalid_config_is_rejected_before_the_first_variant_runs()
    {
        using var data = new SyntheticMogonetFolder();
        var config = data.WriteFile("bad.json", """{ "MlpEncoder": { "Dropout": 2 } }""");
        var outFolder = Path.Combine(data.Path, "out");

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "baselines,full", "--config", config, "--out", outFolder);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be("bmm compare: variant full, seed 0: MlpEncoder.Dropout must lie in [0, 1), got 2." + Environment.NewLine);
        Directory.Exists(outFolder).Should().BeFalse();
    }

    [Fact]
    public void Each_variant_is_validated_against_the_rows_its_runs_see_before_any_run()
    {
        using var data = new SyntheticMogonetFolder();
        // 60 samples, but nested validation builds its graphs over the 42 labelled rows only.
        var config = data.WriteFile("k45.json", """{ "Affinity": { "K": 45 } }""");

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "full", "--outer-folds", "3", "--config", config, "--out", Path.Combine(data.Path, "out"));

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be($"bmm compare: variant full, seed 0: Affinity.K = 45 must be below the number of samples ({SyntheticMogonetFolder.TrainCount})."
            + Environment.NewLine);
    }

    [Fact]
    public void The_baselines_check_the_data_before_any_run()
    {
        using var data = new SyntheticMogonetFolder();
        File.WriteAllLines(Path.Combine(data.Path, "labels_tr.csv"), Enumerable.Repeat("0", SyntheticMogonetFolder.TrainCount));

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "baselines", "--out", Path.Combine(data.Path, "out"));

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty("no baseline is fitted on a training split that lacks a class");
        error.Should().Be("bmm compare: variant baselines, seed 0: Class 1 has no training row; every class must be present in the training split."
            + Environment.NewLine);
    }

    [Fact]
    public void A_seed_in_the_config_is_a_usage_error_because_compare_takes_its_seeds_from_the_command_line()
    {
        using var data = new SyntheticMogonetFolder();
        var config = data.WriteFile("seed.json", """{ "Seed": 5 }""");

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "full", "--config", config, "--out", Path.Combine(data.Path, "out"));

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Contain("Seed = 5").And.Contain("--seeds 5");
    }

    [Fact]
    public void A_stage_seed_in_the_config_is_rejected_with_the_advice_to_remove_it_and_pass_seeds()
    {
        using var data = new SyntheticMogonetFolder();
        var config = data.WriteFile("seed.json", """{ "Training": { "Seed": 5 } }""");

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "full", "--config", config, "--out", Path.Combine(data.Path, "out"));

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be($"bmm compare: config file '{config}': config key 'Training.Seed' is 5, but the pipeline seeds every stage from " +
            "the top-level 'Seed' (0); remove 'Training.Seed' from the config and pass the seeds with --seeds (compare takes every seed " +
            "from --seeds)" + Environment.NewLine);
    }

    [Fact]
    public void Too_many_outer_folds_for_a_class_name_the_option_before_any_run()
    {
        using var data = new SyntheticMogonetFolder();

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "full", "--outer-folds", "30", "--out", Path.Combine(data.Path, "out"));

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be("bmm compare: option --outer-folds 30: Class 0 has 21 sample(s) among the rows to split, fewer than the 30 folds; " +
            "each fold needs one of every class. Give fewer outer folds." + Environment.NewLine);
    }

    [Fact]
    public void An_output_folder_that_cannot_be_created_is_a_usage_error_before_any_run()
    {
        using var data = new SyntheticMogonetFolder();

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "baselines", "--out", "/proc/bmm-cannot-exist");

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty("no baseline runs before the error");
        error.Should().StartWith("bmm compare: option --out: cannot write the folder '/proc/bmm-cannot-exist'");
    }

    [Theory]
    [InlineData("--seeds", "0,0", "option --seeds lists 0 twice")]
    [InlineData("--seeds", "0,00", "option --seeds lists 0 twice")]
    [InlineData("--seeds", "1,,2", "option --seeds has an empty item in '1,,2'")]
    [InlineData("--seeds", "1,", "option --seeds has an empty item in '1,'")]
    [InlineData("--seeds", "0,-1", "option --seeds: a seed must be non-negative, got -1")]
    [InlineData("--seeds", "0,3000000000", "option --seeds is out of range: 3000000000 is not in 0..2147483647")]
    [InlineData("--seeds", "0,x", "option --seeds expects comma-separated integers, got 'x'")]
    [InlineData("--variants", "baselines,baselines", "option --variants lists 'baselines' twice")]
    [InlineData("--variants", "baselines,,full", "option --variants has an empty item in 'baselines,,full'")]
    public void Repeated_empty_or_negative_list_items_are_rejected_before_any_run(string option, string value, string message)
    {
        using var data = new SyntheticMogonetFolder();
        var args = new List<string> { "compare", "--data", data.Path, option, value, "--out", Path.Combine(data.Path, "out") };
        if (option != "--variants") args.AddRange(["--variants", "baselines"]);
        if (option != "--seeds") args.AddRange(["--seeds", "0"]);

        var (code, output, error) = CliRunner.Run(new CompareCommand(), args.ToArray());

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be($"bmm compare: {message}" + Environment.NewLine);
    }

    /// <summary>The baselines are scored on the test split, nested validation's rows are the labelled rows: one table
    /// mixed the two.</summary>
    [Fact]
    public void Outer_folds_with_the_baselines_variant_are_a_usage_error_before_any_run()
    {
        using var data = new SyntheticMogonetFolder();

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "baselines", "--outer-folds", "2", "--out", Path.Combine(data.Path, "out"));

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().StartWith("bmm compare: --outer-folds scores the pipeline variants by nested validation, but the baselines variant")
            .And.EndWith("leave baselines out of --variants" + Environment.NewLine);
    }

    [Fact]
    public void Outer_folds_without_variants_run_every_variant_but_the_baselines()
    {
        using var data = new SyntheticMogonetFolder();
        // An invalid config stops the run at the up-front validation, after the variant list was checked: the default
        // list under --outer-folds passes that check (it holds no baselines) and starts with the full pipeline.
        var config = data.WriteFile("bad.json", """{ "Training": { "JointEpochs": 0 } }""");

        var (code, _, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--outer-folds", "2", "--config", config, "--out", Path.Combine(data.Path, "out"));

        code.Should().Be(CliApp.UsageError);
        error.Should().StartWith("bmm compare: variant full, seed 0: Training.JointEpochs must be at least 1");
    }

    [Fact]
    public void Baselines_include_each_modality_alone_by_logistic_regression_and_by_mlp_and_the_strong_modality_wins()
    {
        using var data = new SyntheticMogonetFolder();
        var outFolder = Path.Combine(data.Path, "out");

        var (code, _, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "baselines", "--out", outFolder);

        code.Should().Be(0, error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "compare.json")));
        var auc = json.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("Variant").GetString()!, r => r.GetProperty("Auc").GetDouble());
        auc.Keys.Should().BeEquivalentTo("LR 1 alone", "LR 2 alone", "LR 3 alone", "LR late fusion", "early fusion MLP",
            "MLP 1 alone", "MLP 2 alone", "MLP 3 alone");
        // Modality 1's class shift is 1.5 on three features, modality 3's 0.3: alone, the first separates the 18 test
        // samples almost perfectly and the last barely.
        auc["MLP 1 alone"].Should().BeGreaterThan(0.9);
        auc["MLP 1 alone"].Should().BeGreaterThan(auc["MLP 3 alone"] + 0.1);
        auc["LR 1 alone"].Should().BeGreaterThan(auc["LR 3 alone"] + 0.1);
    }

    [Fact]
    public void The_baselines_leave_no_tensor_behind()
    {
        using var data = new SyntheticMogonetFolder();
        long before = LiveTensors.Count;

        var (code, _, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "baselines", "--out", Path.Combine(data.Path, "out"));

        code.Should().Be(0, error);
        LiveTensors.Count.Should().Be(before,
            "every fold's MLP probabilities are freed once added");
    }

    [Fact]
    public void Resplit_draws_a_new_stratified_split_of_all_rows_for_every_seed()
    {
        using var data = new SyntheticMogonetFolder();
        var resplitOut = Path.Combine(data.Path, "resplit");

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0,1",
            "--variants", "baselines", "--resplit", "--out", resplitOut);

        code.Should().Be(0, error);
        // 60 rows, 30 per class, test fraction 18 / 60: 9 test rows of each class, whatever the seed.
        output.Should().Contain($"seed 0: random split, {SyntheticMogonetFolder.TrainCount} training and {SyntheticMogonetFolder.TestCount} test rows")
            .And.Contain($"seed 1: random split, {SyntheticMogonetFolder.TrainCount} training and {SyntheticMogonetFolder.TestCount} test rows");

        // --resplit documents its split as StratifiedSplitter.SplitDataset over all rows, no validation part, the data's
        // test fraction and the run's seed. Those splits are stratified, new, and differ between the seeds ...
        var dataset = MogonetFolderLoader.Load(data.Path);
        double testFraction = (double)SyntheticMogonetFolder.TestCount / dataset.SampleCount;
        var splits = new[] { 0, 1 }.Select(seed => StratifiedSplitter.SplitDataset(dataset, 0, testFraction, seed)).ToArray();
        foreach (var split in splits)
        {
            split.ValidationIndices.Should().BeEmpty();
            split.TrainIndices.Concat(split.TestIndices).Should().BeEquivalentTo(Enumerable.Range(0, dataset.SampleCount), "the split partitions all rows");
            split.TestIndices.Count(r => dataset.Labels[r] == 0).Should().Be(9);
            split.TestIndices.Count(r => dataset.Labels[r] == 1).Should().Be(9);
            split.TestIndices.Should().NotEqual(dataset.TestIndices, "a random split, not the data's own");
        }
        splits[0].TestIndices.Should().NotEqual(splits[1].TestIndices);

        // ... and they are the splits the command scored: the same folder rewritten with each seed's split as its own
        // train/test files gives, without --resplit, the same logistic-regression rows (no randomness in them; both
        // runs see the training and test rows in ascending order, so the scores agree exactly).
        var resplitRows = LogisticRegressionScores(resplitOut);
        for (int seed = 0; seed < 2; seed++)
        {
            var folder = Path.Combine(data.Path, $"as-split-{seed}");
            WriteWithSplit(data.Path, folder, splits[seed].TrainIndices, splits[seed].TestIndices);
            var reference = Path.Combine(data.Path, $"reference-{seed}");
            var (referenceCode, _, referenceError) = CliRunner.Run(new CompareCommand(), "compare", "--data", folder,
                "--seeds", seed.ToString(CultureInfo.InvariantCulture), "--variants", "baselines", "--out", reference);

            referenceCode.Should().Be(0, referenceError);
            resplitRows.Where(r => r.Seed == seed).Should().Equal(LogisticRegressionScores(reference), $"seed {seed}");
        }

        // The summary table gives each variant's mean ± sample standard deviation over the two seeds' rows.
        TableShouldSummarise(output, resplitOut);
    }

    /// <summary>Asserts that the first summary table of <paramref name="output"/> has one row per variant of
    /// <c>compare.json</c> whose columns are, in order, the mean ± sample standard deviation (n - 1) of that variant's
    /// accuracy, macro-F1, weighted-F1, AUC, out-of-fold macro-F1 and seconds.</summary>
    private static void TableShouldSummarise(string[] output, string outFolder)
    {
        static string MeanSd(double[] v)
        {
            if (v.Length == 0) return "n/a";
            double mean = v.Average();
            double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
            return string.Create(CultureInfo.InvariantCulture, $"{mean:F3} ± {sd:F3}");
        }
        static double[] Values(IEnumerable<JsonElement> rows, string key) =>
            rows.Select(r => r.GetProperty(key)).Where(v => v.ValueKind != JsonValueKind.Null).Select(v => v.GetDouble()).ToArray();

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "compare.json")));
        var byVariant = json.RootElement.EnumerateArray().GroupBy(r => r.GetProperty("Variant").GetString()!).ToArray();
        byVariant.Should().OnlyContain(g => g.Count() == 2, "one row per seed");
        var lines = output.Select(l => l.Trim()).ToArray();
        int header = Array.IndexOf(lines, "| variant | accuracy | macro-F1 | weighted-F1 | AUC | out-of-fold macro-F1 (validation) | seconds |");
        header.Should().BeGreaterThanOrEqualTo(0, string.Join('\n', output));
        var table = lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).ToArray();
        table.Should().Equal(byVariant.Select(g =>
            $"| {g.Key} | " + string.Join(" | ", new[] { "Accuracy", "MacroF1", "WeightedF1", "Auc", "OutOfFoldMacroF1", "Seconds" }.Select(key => MeanSd(Values(g, key)))) + " |"));
    }

    [Fact]
    public void The_summary_table_gives_each_variant_s_mean_and_sample_standard_deviation_column_by_column()
    {
        CompareCommand.Row Row(string variant, int seed, double accuracy, double macroF1, double weightedF1, double? auc, double seconds, double? outOfFold) =>
            new(variant, seed, accuracy, macroF1, weightedF1, auc, seconds, outOfFold, null, null, null, null);
        var output = new StringWriter();

        CompareCommand.WriteTable(output, [
            Row("full", 0, accuracy: 0.7, macroF1: 0.6, weightedF1: 0.65, auc: 0.8, seconds: 10, outOfFold: 0.75),
            Row("LR early fusion", 0, accuracy: 0.6, macroF1: 0.55, weightedF1: 0.58, auc: null, seconds: 1.5, outOfFold: null),
            Row("full", 1, accuracy: 0.9, macroF1: 0.8, weightedF1: 0.95, auc: 0.9, seconds: 14, outOfFold: 0.85),
        ]);

        // Every column differs from its neighbours; n - 1 = 1: [0.7, 0.9] gives 0.800 ± 0.141 (0.100 would be n).
        output.ToString().Split('\n', StringSplitOptions.TrimEntries).Should().Equal(
            "",
            "| variant | accuracy | macro-F1 | weighted-F1 | AUC | out-of-fold macro-F1 (validation) | seconds |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            "| full | 0.800 ± 0.141 | 0.700 ± 0.141 | 0.800 ± 0.212 | 0.850 ± 0.071 | 0.800 ± 0.071 | 12.000 ± 2.828 |",
            "| LR early fusion | 0.600 ± 0.000 | 0.550 ± 0.000 | 0.580 ± 0.000 | n/a | n/a | 1.500 ± 0.000 |",
            "");
    }

    /// <summary>Copies the MOGONET folder <paramref name="source"/> (rows: training file then test file) to
    /// <paramref name="target"/> with the given rows, in the given order, as its training and test files.</summary>
    private static void WriteWithSplit(string source, string target, IReadOnlyList<int> trainRows, IReadOnlyList<int> testRows)
    {
        Directory.CreateDirectory(target);
        foreach (var stem in new[] { "labels", "1", "2", "3" })
        {
            var rows = File.ReadAllLines(Path.Combine(source, $"{stem}_tr.csv")).Concat(File.ReadAllLines(Path.Combine(source, $"{stem}_te.csv")))
                .Where(l => l.Length > 0).ToArray();
            File.WriteAllLines(Path.Combine(target, $"{stem}_tr.csv"), trainRows.Select(r => rows[r]));
            File.WriteAllLines(Path.Combine(target, $"{stem}_te.csv"), testRows.Select(r => rows[r]));
        }
    }

    private static (string Variant, int Seed, double Accuracy, double MacroF1, double Auc)[] LogisticRegressionScores(string outFolder)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "compare.json")));
        return json.RootElement.EnumerateArray()
            .Where(r => r.GetProperty("Variant").GetString()!.StartsWith("LR ", StringComparison.Ordinal))
            .Select(r => (r.GetProperty("Variant").GetString()!, r.GetProperty("Seed").GetInt32(), r.GetProperty("Accuracy").GetDouble(),
                r.GetProperty("MacroF1").GetDouble(), r.GetProperty("Auc").GetDouble()))
            .ToArray();
    }

    [Fact]
    public void Nested_validation_scores_exactly_the_labelled_rows()
    {
        using var data = new SyntheticMogonetFolder();
        var config = data.WriteFile("tiny.json", TrainRunFixture.TinyConfig);
        var outFolder = Path.Combine(data.Path, "out");

        var (code, _, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "full", "--outer-folds", "3", "--config", config, "--out", outFolder);

        code.Should().Be(0, error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "compare.json")));
        var row = json.RootElement.EnumerateArray().Single();
        row.GetProperty("Variant").GetString().Should().Be("full (nested validation)");
        row.GetProperty("ScoredRows").GetInt32().Should().Be(SyntheticMogonetFolder.TrainCount,
            "every labelled row is scored once by the outer fold that held it out, and no test row is");
        double correct = row.GetProperty("Accuracy").GetDouble() * SyntheticMogonetFolder.TrainCount;
        correct.Should().BeApproximately(Math.Round(correct), 1e-9);
        row.GetProperty("ChosenEncoderSlopes").EnumerateArray().Select(s => s.GetDouble()).Should()
            .HaveCount(3, "the default encoder selection ran once per outer fold").And.OnlyContain(s => s == 1.0 || s == 0.25);
    }

    [Fact]
    public void With_three_classes_every_row_reports_the_one_vs_rest_macro_auc_and_the_full_row_matches_train()
    {
        using var data = new SyntheticMogonetFolder();
        // Relabel to three classes (row i: class i mod 3); each class keeps 14 training and 6 test rows.
        File.WriteAllLines(Path.Combine(data.Path, "labels_tr.csv"), Enumerable.Range(0, SyntheticMogonetFolder.TrainCount).Select(i => (i % 3).ToString()));
        File.WriteAllLines(Path.Combine(data.Path, "labels_te.csv"),
            Enumerable.Range(SyntheticMogonetFolder.TrainCount, SyntheticMogonetFolder.TestCount).Select(i => (i % 3).ToString()));
        var config = data.WriteFile("tiny.json", TrainRunFixture.TinyConfig);
        var outFolder = Path.Combine(data.Path, "out");
        var trainFolder = Path.Combine(data.Path, "train");

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "full,baselines", "--config", config, "--out", outFolder);
        var (trainCode, _, trainError) = TrainCommandTests.Run("train", "--data", data.Path, "--seed", "0", "--config", config, "--out", trainFolder);

        code.Should().Be(0, error);
        trainCode.Should().Be(0, trainError);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "compare.json")));
        var auc = json.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("Variant").GetString()!, r => r.GetProperty("Auc"));
        auc.Values.Should().OnlyContain(a => a.ValueKind == JsonValueKind.Number && a.GetDouble() > 0 && a.GetDouble() <= 1);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(trainFolder, "metrics.json")));
        auc["full"].GetDouble().Should().Be(metrics.RootElement.GetProperty("macro_auc_ovr").GetDouble(), "the same seeded run");
        output.Should().NotContain("AUC n/a");
    }

    [Fact]
    public void A_run_that_stops_during_a_later_seed_leaves_a_complete_compare_json_of_the_seeds_it_finished()
    {
        using var data = new SyntheticMogonetFolder();
        var config = data.WriteFile("tiny.json", TrainRunFixture.TinyConfig);
        var outFolder = Path.Combine(data.Path, "out");
        // The run is stopped where seed 1's result is printed, i.e. after seed 0 finished and before seed 1 is saved.
        var output = new StoppingWriter("seed 1 full:");

        int code = CliApp.Run(["compare", "--data", data.Path, "--seeds", "0,1", "--variants", "full", "--config", config, "--out", outFolder],
            [new CompareCommand()], "compare", output, new StringWriter());

        code.Should().NotBe(0);
        output.ToString().Should().Contain("seed 0 full:");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "compare.json")));
        json.RootElement.EnumerateArray().Select(r => (r.GetProperty("Variant").GetString(), r.GetProperty("Seed").GetInt32()))
            .Should().Equal(("full", 0));
        Directory.GetFiles(outFolder).Select(Path.GetFileName).Should().Equal("compare.json");
    }

    /// <summary>Captures output like a <see cref="StringWriter"/> but throws when a line starting with the marker is
    /// written, standing in for a run that stops at that point.</summary>
    private sealed class StoppingWriter(string marker) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            if (value is not null && value.StartsWith(marker, StringComparison.Ordinal)) throw new IOException("stopped for the test");
            base.WriteLine(value);
        }
    }

    [Fact]
    public void The_modality_table_gives_each_pipeline_variant_s_scores_after_phase_1_after_distillation_and_at_the_checkpoint()
    {
        CompareCommand.Row Row(string variant, int seed, double[] pretraining, double[] distilled, double[] final) =>
            new(variant, seed, 0.5, 0.5, 0.5, null, 1, null, ["mRNA", "meth"], pretraining, distilled, final);
        var output = new StringWriter();

        CompareCommand.WriteTable(output, [
            Row("full", 0, pretraining: [0.6, 0.3], distilled: [0.65, 0.5], final: [0.7, 0.55]),
            new CompareCommand.Row("LR early fusion", 0, 0.6, 0.55, 0.58, null, 1.5, null, null, null, null, null),
            Row("full", 1, pretraining: [0.8, 0.4], distilled: [0.85, 0.6], final: [0.9, 0.75]),
        ]);

        // Each column differs from its neighbours, so a column in another's place shows.
        var lines = output.ToString().Split('\n', StringSplitOptions.TrimEntries);
        lines.SkipWhile(l => !l.Contains("after phase 1")).Should().Equal(
            "| variant | modality | validation macro-F1 after phase 1 | after distillation | at the joint checkpoint |",
            "| --- | --- | --- | --- | --- |",
            "| full | mRNA | 0.700 ± 0.141 | 0.750 ± 0.141 | 0.800 ± 0.141 |",
            "| full | meth | 0.350 ± 0.071 | 0.550 ± 0.071 | 0.650 ± 0.141 |",
            "");
    }

    [Fact]
    public void The_summary_table_refuses_a_null_writer_or_null_rows_by_name()
    {
        var noWriter = () => CompareCommand.WriteTable(null!, []);
        var noRows = () => CompareCommand.WriteTable(new StringWriter(), null!);

        noWriter.Should().Throw<ArgumentNullException>().WithParameterName("output");
        noRows.Should().Throw<ArgumentNullException>().WithParameterName("rows");
    }
}
