using BalancedMultimodal.Cli.Commands;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary>Bad options and config values given to <c>bmm train</c>: one line on stderr naming the option or key, exit
/// code 2, and nothing trained or written (no test here trains: every case fails before the first epoch).</summary>
public sealed class TrainInputValidationTests : IDisposable
{
    private readonly SyntheticMogonetFolder _data = new();

    public void Dispose() => _data.Dispose();

    private static (int ExitCode, string Output, string Error) Run(params string[] args) => TrainCommandTests.Run(args);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs train with <paramref name="config"/> on the synthetic folder and checks the one-line usage error.</summary>
    private string RejectedConfig(string config)
    {
        var file = _data.WriteFile("config.json", config);
        var outFolder = Path.Combine(_data.Path, "out");

        var (code, output, error) = Run("train", "--data", _data.Path, "--config", file, "--out", outFolder);

        code.Should().Be(CliApp.UsageError, error);
        output.Should().BeEmpty("nothing is loaded, trained or printed before the error");
        Directory.Exists(outFolder).Should().BeFalse();
        return Lines(error).Should().ContainSingle().Which.Should().StartWith("bmm train: ").And.Subject;
    }

    public static TheoryData<string, string> InvalidSectionValues => new()
    {
        { """{ "Training": { "PretrainingEpochs": -1 } }""", "Training.PretrainingEpochs" },
        { """{ "Affinity": { "K": 0 } }""", "Affinity.K" },
        { """{ "MlpEncoder": { "Dropout": 2 } }""", "MlpEncoder.Dropout" },
        { """{ "Training": { "LearningRate": -1 } }""", "Training.LearningRate" },
        { """{ "Training": { "PoolingWeightShrinkage": 2 } }""", "Training.PoolingWeightShrinkage" },
        { """{ "UseAutoencoder": true, "Autoencoder": { "LatentDim": 0 } }""", "Autoencoder.LatentDim" },
        { """{ "Fusion": { "Iterations": 0 } }""", "Fusion.Iterations" },
        { """{ "Training": { "Distillation": { "Temperature": 0 } } }""", "Training.Distillation.Temperature" },
        { """{ "Training": { "Weighting": { "PerformanceGated": { "Gamma": 0 } } } }""", "Training.Weighting.PerformanceGated.Gamma" },
        { """{ "EncoderKind": "RelationalGcn", "Encoder": { "Dropout": 1.5 } }""", "Encoder.Dropout" },
        { """{ "EncoderKind": "RelationalGcn", "Encoder": { "ClassCount": 2 } }""", "Encoder.ClassCount" },
        { """{ "Encoder": { "InputSize": 10 } }""", "Encoder.InputSize" },
        { """{ "Encoder": { "RelationCount": 3 } }""", "Encoder.RelationCount" },
        { """{ "CrossFitFolds": 30 }""", "fewer than the 30" },
    };

    [Theory]
    [MemberData(nameof(InvalidSectionValues))]
    public void An_invalid_value_in_a_config_section_is_a_one_line_usage_error_naming_its_config_path(string config, string key)
    {
        RejectedConfig(config).Should().Contain(key + " ");
    }

    public static TheoryData<string, string> SectionsOfTheUnusedEncoder => new()
    {
        { """{ "EncoderKind": "Mlp", "Encoder": { "HiddenSizes": [ 0 ] } }""", "Encoder.HiddenSizes[0]" },
        { """{ "EncoderKind": "Mlp", "Encoder": { "Dropout": 1.5 } }""", "Encoder.Dropout" },
        { """{ "EncoderKind": "RelationalGcn", "MlpEncoder": { "Dropout": -0.1 } }""", "MlpEncoder.Dropout" },
        { """{ "UseAutoencoder": false, "Autoencoder": { "Epochs": 0 } }""", "Autoencoder.Epochs" },
    };

    /// <summary>Every section is validated, also one the configured encoder kind does not use (it was silently accepted).</summary>
    [Theory]
    [MemberData(nameof(SectionsOfTheUnusedEncoder))]
    public void An_invalid_value_in_a_section_the_run_does_not_use_is_rejected_too(string config, string key)
    {
        RejectedConfig(config).Should().Contain(key + " ");
    }

    public static TheoryData<string, string> NeighbourCountsAboveTheSamples => new()
    {
        { """{ "GraphNeighbours": 500 }""", "GraphNeighbours = 500 must be below the number of samples (60)." },
        { """{ "Affinity": { "K": 60 } }""", "Affinity.K = 60 must be below the number of samples (60)." },
        { """{ "Fusion": { "K": 75 } }""", "Fusion.K = 75 must be below the number of samples (60)." },
    };

    /// <summary>A neighbour count not below the sample count was an error from deep inside the graph or affinity code,
    /// on two lines, naming an internal parameter ('similarity') or "Modality 0" instead of the key.</summary>
    [Theory]
    [MemberData(nameof(NeighbourCountsAboveTheSamples))]
    public void A_neighbour_count_not_below_the_sample_count_is_rejected_naming_its_key(string config, string message)
    {
        RejectedConfig(config).Should().Be("bmm train: " + message);
    }

    public static TheoryData<string, string> FailuresNamingTwoKeys => new()
    {
        { """{ "EncoderKind": "RelationalGcn", "Encoder": { "NumBases": 1, "NumBlocks": 1 } }""", "Encoder.NumBases and Encoder.NumBlocks cannot both be set." },
        {
            """{ "Training": { "Distillation": { "CrossEntropyWeight": 0, "KullbackLeiblerWeight": 0, "RepresentationWeight": 0 } } }""",
            "Training.Distillation.CrossEntropyWeight, Training.Distillation.KullbackLeiblerWeight and Training.Distillation.RepresentationWeight are all 0; at least one must be positive."
        },
        {
            """{ "Training": { "Assessment": { "Permutations": 18, "SignificanceLevel": 0.05 } } }""",
            "Training.Assessment.SignificanceLevel 0.05 is below the smallest p-value 1/(1 + 18) that 18 permutations can give; raise Training.Assessment.Permutations."
        },
        // The encoder's width and relation count are not keys of the file (the pipeline sets them and refuses them there).
        {
            """{ "EncoderKind": "RelationalGcn", "UseAutoencoder": true, "Autoencoder": { "LatentDim": 10 }, "Encoder": { "NumBlocks": 3, "HiddenSizes": [ 6 ] } }""",
            "Encoder.NumBlocks (3) must divide Autoencoder.LatentDim (10)."
        },
        {
            """{ "EncoderKind": "RelationalGcn", "Encoder": { "NumBases": 3 } }""",
            "Encoder.NumBases must be between 1 and the patient graph's relation count (1, plus one per modality with ModalityGraphRelations) (1), got 3."
        },
    };

    [Fact]
    public void A_block_count_that_does_not_divide_a_modalitys_width_names_that_modality_not_a_key_of_the_file()
    {
        // It said "must divide Encoder.InputSize (10)": a key the same check refuses in the file.
        var file = _data.WriteFile("config.json", """{ "EncoderKind": "RelationalGcn", "Encoder": { "NumBlocks": 4, "HiddenSizes": [ 4 ] } }""");

        var (code, _, error) = Run("train", "--data", _data.Path, "--config", file, "--out", Path.Combine(_data.Path, "out"));

        code.Should().Be(CliApp.UsageError);
        Lines(error).Should().Equal(
            "bmm train: Encoder.NumBlocks (4) must divide the input width of modality '1' (10). " +
            "Encoder.NumBlocks (4) must divide the input width of modality '3' (6).");
    }

    /// <summary>A component validator's failure that names a second option (as <c>RelationalGcnOptions.NumBlocks</c>,
    /// class-qualified like the first) gets the config path in front of every option it names, not only the first.</summary>
    [Theory]
    [MemberData(nameof(FailuresNamingTwoKeys))]
    public void A_failure_naming_several_options_gives_each_its_config_path(string config, string message)
    {
        RejectedConfig(config).Should().Be("bmm train: " + message);
    }

    [Fact]
    public void A_zero_autoencoder_width_under_a_graph_encoder_is_named_once_by_its_key()
    {
        // The graph encoder's input width is the autoencoder's LatentDim: its failure said "Encoder.Autoencoder.LatentDim",
        // a key that does not exist, after the autoencoder's own "Autoencoder.LatentDim" failure.
        RejectedConfig("""{ "EncoderKind": "RelationalGcn", "UseAutoencoder": true, "Autoencoder": { "LatentDim": 0 } }""")
            .Should().Be("bmm train: Autoencoder.LatentDim must be at least 1, got 0.");
    }

    [Theory]
    [InlineData("""{ "Seed": -1 }""", "Seed must be non-negative")]
    [InlineData("""{ "Threads": 5000 }""", "Threads must be at most 1024, got 5000.")]
    public void A_negative_seed_or_an_absurd_thread_count_in_the_config_is_rejected(string config, string message)
    {
        RejectedConfig(config).Should().StartWith("bmm train: " + message);
    }

    [Theory]
    [InlineData("out")]
    [InlineData("save")]
    [InlineData("checkpoint")]
    public void An_output_folder_that_is_an_existing_file_is_rejected_naming_the_option_before_training(string option)
    {
        var file = _data.WriteFile("afile", "not a folder");
        var config = _data.WriteFile("tiny.json", TrainRunFixture.TinyConfig);
        var args = new List<string> { "train", "--data", _data.Path, "--config", config, $"--{option}", file };
        if (option != "out") args.AddRange(["--out", Path.Combine(_data.Path, "out")]);

        var (code, output, error) = Run(args.ToArray());

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty("the path is checked right after the arguments, before the data is loaded or anything trained");
        Lines(error).Should().Equal($"bmm train: option --{option}: '{file}' is a file, not a folder");
        Directory.Exists(Path.Combine(_data.Path, "out")).Should().BeFalse();
    }

    [Fact]
    public void An_output_folder_below_an_existing_file_is_rejected_before_training()
    {
        var file = _data.WriteFile("afile", "not a folder");
        var outFolder = Path.Combine(file, "results");

        var (code, output, error) = Run("train", "--data", _data.Path, "--config", _data.WriteFile("tiny.json", TrainRunFixture.TinyConfig), "--out", outFolder);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        Lines(error).Should().Equal($"bmm train: option --out: '{outFolder}' cannot be created because '{file}' is a file");
    }

    [Fact]
    public void A_negative_seed_option_is_rejected_before_training()
    {
        var (code, output, error) = Run("train", "--data", _data.Path, "--config", _data.WriteFile("tiny.json", TrainRunFixture.TinyConfig),
            "--seed", "-1", "--out", Path.Combine(_data.Path, "out"));

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        Lines(error).Should().Equal("bmm train: option --seed must be non-negative, got -1");
    }

    [Fact]
    public void A_seed_option_beyond_the_integers_is_reported_as_out_of_range_naming_the_range()
    {
        var (code, output, error) = Run("train", "--data", _data.Path, "--seed", "99999999999", "--out", Path.Combine(_data.Path, "out"));

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        Lines(error).Should().Equal("bmm train: option --seed is out of range: 99999999999 is not in 0..2147483647");
    }

    [Fact]
    public void Too_many_cross_fitting_folds_for_a_class_name_the_option()
    {
        RejectedConfig("""{ "CrossFitFolds": 30 }""").Should().Be(
            "bmm train: CrossFitFolds = 30: Class 0 has 21 sample(s) among the rows to split, fewer than the 30 folds; each fold needs one " +
            "of every class. Use fewer folds (CrossFitFolds; 1 carves one validation split) or add samples.");
    }

    public static TheoryData<string, string> ConfigValuesOfTheWrongShape => new()
    {
        { """{ "Autoencoder": { "HiddenSizes": 64 } }""", "config key 'Autoencoder.HiddenSizes' expects a list such as [32], got 64" },
        { """{ "MlpEncoder": { "HiddenSizes": 32 } }""", "config key 'MlpEncoder.HiddenSizes' expects a list such as [32], got 32" },
        { """{ "Encoder": { "HiddenSizes": { "a": 1 } } }""", "config key 'Encoder.HiddenSizes' expects a list such as [32], got an object" },
        { """{ "MlpEncoder": { "HiddenSizes": [ 32, null ] } }""", "config key 'MlpEncoder.HiddenSizes[1]' expects a single value, got null" },
        { """{ "MlpEncoder": 5 }""", "config key 'MlpEncoder' expects an object { ... } of options, got 5" },
        { """{ "Seed": { "a": 1 } }""", "config key 'Seed' expects a single value, got an object" },
        { """{ "MlpEncoder": null }""", "config key 'MlpEncoder' cannot be null" },
        { """{ "Training": null }""", "config key 'Training' cannot be null" },
        { """{ "DType": null }""", "config key 'DType' cannot be null" },
        { """{ "GraphNeighbours": null }""", "config key 'GraphNeighbours' cannot be null" },
        { """{ "Training": { "Weighting": { "PerformanceGated": null } } }""", "config key 'Training.Weighting.PerformanceGated' cannot be null" },
        { """{ "MlpEncoder": { "Dropout": null } }""", "config key 'MlpEncoder.Dropout' cannot be null" },
    };

    /// <summary>A scalar where a list belongs was dropped (Autoencoder) or became an empty list (MlpEncoder); a null
    /// section was set to null and crashed later (NullReferenceException, or "Value cannot be null"); a null value was
    /// silently skipped.</summary>
    [Theory]
    [MemberData(nameof(ConfigValuesOfTheWrongShape))]
    public void A_config_value_of_the_wrong_shape_or_a_null_for_a_non_nullable_key_is_rejected_naming_the_key(string config, string message)
    {
        RejectedConfig(config).Should().Be($"bmm train: config file '{Path.Combine(_data.Path, "config.json")}': {message}");
    }

    [Fact]
    public void An_empty_config_list_gives_an_empty_list_which_the_validator_rejects_instead_of_the_default()
    {
        var options = PipelineConfigFile.Load(_data.WriteFile("empty.json",
            """{ "MlpEncoder": { "HiddenSizes": [] }, "Encoder": { "HiddenSizes": [] }, "Autoencoder": { "HiddenSizes": [] } }"""));
        var replaced = PipelineConfigFile.Load(_data.WriteFile("list.json", """{ "Autoencoder": { "HiddenSizes": [ 64, 16 ] } }"""));

        options.MlpEncoder.HiddenSizes.Should().BeEmpty("[] was silently the default [32]");
        options.Encoder.HiddenSizes.Should().BeEmpty();
        options.Autoencoder.HiddenSizes.Should().BeEmpty();
        replaced.Autoencoder.HiddenSizes.Should().Equal(64, 16);
        RejectedConfig("""{ "MlpEncoder": { "HiddenSizes": [] } }""").Should().Be("bmm train: MlpEncoder.HiddenSizes must list at least one layer width.");
    }

    [Fact]
    public void Null_still_switches_off_the_options_that_may_be_null()
    {
        var options = PipelineConfigFile.Load(_data.WriteFile("nulls.json",
            """{ "MlpEncoder": { "AlternativeNegativeSlope": null }, "Encoder": { "NumBases": null, "NumBlocks": null, "ClassCount": null } }"""));

        options.MlpEncoder.AlternativeNegativeSlope.Should().BeNull();
        options.Encoder.NumBases.Should().BeNull();
    }

    [Fact]
    public void The_final_pooling_rule_binds_from_its_name_and_null_keeps_the_trainers_weights()
    {
        var off = PipelineConfigFile.Load(_data.WriteFile("final-null.json", """{ "Training": { "FinalPoolingRule": null } }"""));
        var gain = PipelineConfigFile.Load(_data.WriteFile("final-gain.json", """{ "Training": { "FinalPoolingRule": "InformationGain" } }"""));

        new PipelineOptions().Training.FinalPoolingRule.Should().Be(HeadPoolingRule.ValidationEvidence, "the default the null has to override");
        off.Training.FinalPoolingRule.Should().BeNull();
        gain.Training.FinalPoolingRule.Should().Be(HeadPoolingRule.InformationGain);
    }

    [Fact]
    public void The_class_weighting_binds_from_its_name_and_an_unknown_name_is_refused()
    {
        var weighted = PipelineConfigFile.Load(_data.WriteFile("class-weights.json", """{ "Training": { "ClassWeighting": "InverseFrequency" } }"""));

        new PipelineOptions().Training.ClassWeighting.Should().Be(ClassWeighting.None);
        weighted.Training.ClassWeighting.Should().Be(ClassWeighting.InverseFrequency);
        RejectedConfig("""{ "Training": { "ClassWeighting": "Balanced" } }""").Should().Contain("Training.ClassWeighting");
    }

    [Fact]
    public void Broken_json_in_the_config_names_the_line_and_position()
    {
        var message = RejectedConfig("""
            {
              "Seed": 1,
              "Training": { "JointEpochs" 3 }
            }
            """);

        message.Should().Be($"bmm train: config file '{Path.Combine(_data.Path, "config.json")}' is not valid JSON: line 3, byte 31: '3' is invalid after a property name. Expected a ':'.");
    }

    [Theory]
    [InlineData("""{ "MlpEncoder": { "HiddenSizes": [ "x" ] } }""", "config key 'MlpEncoder.HiddenSizes[0]' expects an integer, got \"x\"")]
    [InlineData("""{ "Training": { "Prediction": "7" } }""",
        "config key 'Training.Prediction' expects one of FusedHead, AllHeads, AllHeadsGeometricMean, AllHeadsValidationWeighted, got \"7\"")]
    [InlineData("""{ "MlpEncoder": { "Dropout": "abc" } }""", "config key 'MlpEncoder.Dropout' expects a number, got \"abc\"")]
    [InlineData("""{ "UseAutoencoder": "maybe" }""", "config key 'UseAutoencoder' expects true or false, got \"maybe\"")]
    [InlineData("""{ "Training": { "JointEpochs": 2.5 } }""", "config key 'Training.JointEpochs' expects an integer, got 2.5")]
    public void A_config_value_that_cannot_be_converted_names_the_key_the_type_expected_and_the_value(string config, string message)
    {
        RejectedConfig(config).Should().EndWith(message);
    }

    [Theory]
    [InlineData("out")]
    [InlineData("save")]
    [InlineData("checkpoint")]
    public void An_output_folder_that_cannot_be_written_fails_before_anything_is_trained(string option)
    {
        var outFolder = Path.Combine(_data.Path, "out");
        var args = new List<string> { "train", "--data", _data.Path, "--out", option == "out" ? "/proc/bmm-cannot-exist" : outFolder };
        if (option != "out") args.AddRange([$"--{option}", "/proc/bmm-cannot-exist"]);

        var (code, output, error) = Run(args.ToArray());

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty("the folders are tried before the data line and before any training");
        Lines(error).Should().ContainSingle().Which.Should().StartWith($"bmm train: option --{option}: cannot write the folder '/proc/bmm-cannot-exist'");
    }

    [Theory]
    [InlineData("out")]
    [InlineData("save")]
    [InlineData("checkpoint")]
    [InlineData("data")]
    public void An_empty_path_is_a_usage_error_naming_the_option(string option)
    {
        var args = new List<string> { "train" };
        if (option != "out") args.AddRange(["--out", Path.Combine(_data.Path, "out")]);
        if (option != "data") args.AddRange(["--data", _data.Path]);
        args.AddRange([$"--{option}", " "]);

        var (code, _, error) = Run(args.ToArray());

        code.Should().Be(CliApp.UsageError);
        Lines(error).Should().ContainSingle().Which.Should().Be($"bmm train: option --{option} needs a non-empty value");
    }

    [Fact]
    public void An_unknown_config_key_is_named_with_its_path_and_the_keys_known_there()
    {
        var error = RejectedConfig("""{ "Training": { "Epochs": -5 } }""");

        error.Should().Contain("config key 'Training.Epochs' is unknown; the keys here are ").And.Contain("JointEpochs, ").And.Contain("PretrainingEpochs");
        error.Should().NotContain("BinderOptions", "the binder's internals are not the user's vocabulary");
    }

    [Theory]
    [InlineData("""{ "Training": { "Seed": 5 } }""", "Training.Seed", 5)]
    [InlineData("""{ "Training": { "Assessment": { "Seed": 3 } } }""", "Training.Assessment.Seed", 3)]
    [InlineData("""{ "Seed": 2, "Autoencoder": { "Seed": 1 } }""", "Autoencoder.Seed", 1)]
    public void A_stage_seed_that_the_pipeline_would_overwrite_is_rejected(string config, string key, int value)
    {
        RejectedConfig(config).Should().Contain($"config key '{key}' is {value}, but the pipeline seeds every stage from the top-level 'Seed'");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(0)]
    public void A_stage_seed_equal_to_the_top_level_seed_or_left_at_0_is_accepted_as_in_a_metrics_files_options(int stageSeed)
    {
        var options = PipelineConfigFile.Load(_data.WriteFile("config.json",
            $$"""{ "Seed": 4, "Training": { "Seed": {{stageSeed}}, "Assessment": { "Seed": {{stageSeed}} } }, "Autoencoder": { "Seed": {{stageSeed}} } }"""));

        options.Seed.Should().Be(4);
        options.Training.Seed.Should().Be(stageSeed);
    }

    [Fact]
    public void A_modality_constant_over_its_training_rows_is_rejected_before_anything_is_printed_even_if_its_test_rows_vary()
    {
        var file = Path.Combine(_data.Path, "2_tr.csv");
        var lines = File.ReadAllLines(file);
        File.WriteAllLines(file, Enumerable.Repeat(lines[0], lines.Length));

        var (code, output, error) = Run("train", "--data", _data.Path, "--out", Path.Combine(_data.Path, "out"));

        code.Should().Be(CliApp.UsageError, error);
        output.Should().BeEmpty();
        Lines(error).Should().ContainSingle().Which.Should().StartWith(
            $"bmm train: Modality '2' is constant over its {SyntheticMogonetFolder.TrainCount} labelled (training) rows in every one of its");
    }

    [Fact]
    public void A_value_that_overflows_float32_is_reported_with_its_modality_sample_and_feature()
    {
        var file = Path.Combine(_data.Path, "1_te.csv");
        var lines = File.ReadAllLines(file);
        var cells = lines[0].Split(',');
        cells[2] = "1e200";
        lines[0] = string.Join(',', cells);
        File.WriteAllLines(file, lines);

        var (code, output, error) = Run("train", "--data", _data.Path, "--out", Path.Combine(_data.Path, "out"));

        code.Should().Be(CliApp.UsageError, error);
        Lines(error).Should().ContainSingle().Which.Should()
            .StartWith($"bmm train: Modality '1', sample row {SyntheticMogonetFolder.TrainCount}, feature column 2: its standardised value is not finite in Float32")
            .And.Contain("\"DType\": \"float64\"");
    }
}
