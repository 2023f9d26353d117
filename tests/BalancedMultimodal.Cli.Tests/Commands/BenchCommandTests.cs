using System.Globalization;
using BalancedMultimodal.Cli.Benchmarks;
using BalancedMultimodal.Cli.Commands;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

public sealed class BenchCommandTests
{
    [Theory]
    [InlineData("dropout", "5000")]
    [InlineData("snf", "5000")]
    [InlineData("rgcn", "1,5000")]
    public void A_thread_count_above_1024_is_a_usage_error_before_any_work(string benchmark, string threads)
    {
        var (code, output, error) = CliRunner.Run(new BenchCommand(), "bench", benchmark, "--threads", threads);

        code.Should().Be(CliApp.UsageError);
        error.Should().Contain("--threads").And.Contain("1024");
        output.Should().BeEmpty();
    }

    [Theory]
    [InlineData("dropout")]
    [InlineData("distill")]
    [InlineData("snf")]
    public void A_negative_thread_count_is_a_usage_error_before_any_work(string benchmark)
    {
        var (code, output, error) = CliRunner.Run(new BenchCommand(), "bench", benchmark, "--threads", "-1");

        code.Should().Be(CliApp.UsageError);
        error.Should().Contain("--threads").And.Contain("-1");
        output.Should().BeEmpty();
    }

    /// <summary>Every benchmark with small sizes (so that even a run would be short) and a misspelt option.</summary>
    [Theory]
    [InlineData("data", "--repeats 1")]
    [InlineData("ksg", "--sizes 100 --repeats 1")]
    [InlineData("snf", "--sizes 30 --rosmap false --dense-max 0 --K 5 --t 2 --threads 1")]
    [InlineData("snf", "--sizes 30 --rosmap false --dense-max 0 --K 5 --t 2 --threads 1 --missing 0.3")]
    [InlineData("rgcn", "--sizes 10 --threads 1 --epochs 1 --warmup 0")]
    [InlineData("mi-bias", "--n 30 --repeats 1 --neural false")]
    [InlineData("distill", "--rows 10 --steps 1")]
    [InlineData("dropout", "--rows 10 --cols 10 --steps 1")]
    [InlineData("graphs", "--sizes 30 --k 5 --repeats 1")]
    public void An_unknown_option_is_reported_before_the_benchmark_runs(string benchmark, string options)
    {
        string[] args = ["bench", benchmark, .. options.Split(' '), "--sizez", "5"];

        var (code, output, error) = CliRunner.Run(new BenchCommand(), args);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty("nothing is measured or printed before the typo is reported");
        error.Should().Be("bmm bench: unknown option --sizez" + Environment.NewLine);
    }

    [Fact]
    public void Mi_bias_rejects_a_sample_count_the_bias_corrected_gaussian_cannot_use_at_d_10_before_any_work()
    {
        var (code, output, error) = CliRunner.Run(new BenchCommand(), ["bench", "mi-bias", "--n", "15", "--repeats", "1", "--neural", "false"]);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty("no table is printed before the error (it used to fail half-way, at d = 10)");
        error.Should().Contain("--n (> 20");
    }

    [Theory]
    [InlineData("--k", "0")]
    [InlineData("--block", "-1")]
    public void An_invalid_ksg_option_is_a_one_line_usage_error_naming_it_before_any_work(string option, string value)
    {
        var (code, output, error) = CliRunner.Run(new BenchCommand(), "bench", "ksg", "--sizes", "100", option, value);

        code.Should().Be(CliApp.UsageError);
        error.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith($"bmm bench: option {option} ");
        output.Should().BeEmpty();
    }

    [Fact]
    public void The_snf_benchmark_with_missing_views_fuses_with_the_masks_and_the_fast_path_matches_the_dense_one()
    {
        var (code, output, error) = CliRunner.Run(new BenchCommand(),
            "bench", "snf", "--sizes", "40", "--rosmap", "false", "--K", "5", "--t", "3", "--threads", "1", "--missing", "0.3", "--dense-max", "100");

        error.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain(l => l.Contains("each view missing on a sample with probability 0.3 (availability masks)"));
        var row = output.Single(l => l.StartsWith("| synthetic | 40 |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
        double.Parse(row[7], CultureInfo.InvariantCulture).Should().BeLessThan(1e-12, "the sparse and dense products agree on masked fusion too");
    }

    [Fact]
    public void The_snf_benchmark_marks_the_snfpy_columns_as_quoted_reference_timings_not_measured_by_the_run()
    {
        var (code, output, error) = CliRunner.Run(new BenchCommand(),
            "bench", "snf", "--sizes", "30", "--rosmap", "false", "--dense-max", "0", "--K", "5", "--t", "2", "--threads", "1");

        code.Should().Be(0, error);
        output.Should().Contain(l => l.StartsWith("| data | n |", StringComparison.Ordinal) && l.EndsWith("| snfpy s (reference*) | snfpy* / ours |", StringComparison.Ordinal));
        output.Should().Contain(SnfBenchmark.SnfpyNote);
        SnfBenchmark.SnfpyNote.Should().Contain("docs/benchmarks/snf.md").And.Contain("not measured by this run");
    }

    [Fact]
    public void The_snfpy_reference_is_shown_only_for_the_settings_it_was_measured_with()
    {
        // The reference runs used K = 20, t = 20; with other settings the columns compared unlike runs.
        var (referenced, asMeasured, error1) = CliRunner.Run(new BenchCommand(), "bench", "snf", "--sizes", "351", "--dense-max", "0", "--threads", "1");
        var (other, otherSettings, error2) = CliRunner.Run(new BenchCommand(),
            "bench", "snf", "--sizes", "30", "--dense-max", "0", "--K", "5", "--t", "2", "--threads", "1");

        referenced.Should().Be(0, error1);
        other.Should().Be(0, error2);
        asMeasured.Should().ContainSingle(l => l.StartsWith("| ROSMAP | 351 |", StringComparison.Ordinal)).Which.Should().MatchRegex(@"\| 0\.36 \| [0-9.]+x \|$");
        otherSettings.Should().ContainSingle(l => l.StartsWith("| ROSMAP | 351 |", StringComparison.Ordinal)).Which.Should().EndWith("| - | - |");
        asMeasured.Should().ContainSingle(l => l.StartsWith("| synthetic | 351 |", StringComparison.Ordinal)).Which.Should().EndWith("| - | - |",
            "the 351-sample reference is ROSMAP's, not a synthetic set's");
    }

    public static TheoryData<string, string> BenchmarkOptionsWithDefaults => new()
    {
        { "snf", "--sizes LIST       synthetic sample counts, each above 20 (default 500,875,2000,5000: up to n = 5000," },
        { "snf", "--dense-max N      largest n also fused with the dense products, 0 = none (default 5000)" },
        { "snf", "--coo-max N" },
        { "snf", "--missing F" },
        { "snf", "--memory" },
        { "snf", "--rosmap true|false" },
        { "ksg", "--sizes LIST       sample counts, each above 3 (default 1000,10000,50000)" },
        { "ksg", "--repeats N        runs per size, best kept; n = 50,000 runs once (default 3)" },
        { "ksg", "--block N" },
        { "ksg", "--permutations P" },
        { "mi-bias", "--n N              samples per estimate, > 20 (default 2000)" },
        { "mi-bias", "--repeats N        seeded samples per cell for KSG and Gaussian (default 5)" },
        { "mi-bias", "--neural-repeats N" },
        { "mi-bias", "--neural true|false" },
        { "mi-bias", "--neural-steps N" },
        { "data", "--repeats N" },
        { "distill", "--modalities N" },
        { "rgcn", "--warmup N" },
        { "dropout", "--p P" },
        { "graphs", "--dim N" },
    };

    [Theory]
    [MemberData(nameof(BenchmarkOptionsWithDefaults))]
    public void Bench_help_lists_each_benchmarks_options_below_it(string benchmark, string option)
    {
        var (code, output, _) = CliRunner.Run(new BenchCommand(), "bench", "--help");

        code.Should().Be(0);
        int start = Array.FindIndex(output, l => l.StartsWith(benchmark + " ", StringComparison.Ordinal));
        start.Should().BeGreaterThan(0, $"the help lists {benchmark}");
        // The lines below the benchmark's own line, up to the next benchmark's.
        output.Skip(start + 1).TakeWhile(l => !Benchmarks.Any(b => l.StartsWith(b + " ", StringComparison.Ordinal)))
            .Should().Contain(l => l.StartsWith(option, StringComparison.Ordinal), $"{option} belongs to {benchmark}");
    }

    private static readonly string[] Benchmarks = ["data", "distill", "rgcn", "snf", "ksg", "mi-bias", "dropout", "graphs"];

    [Fact]
    public void Bench_help_says_the_default_snf_sizes_run_up_to_n_5000_for_minutes()
    {
        var (_, output, _) = CliRunner.Run(new BenchCommand(), "bench", "--help");

        string.Join(" ", output).Should().Contain("up to n = 5000, which takes minutes");
    }

    [Theory]
    [InlineData("snf", "--sizes", "99999999999", "--sizes is out of range: 99999999999 is not in 21..2147483647")]
    [InlineData("ksg", "--sizes", "99999999999", "option --sizes is out of range: 99999999999 is not in 4..2147483647")]
    [InlineData("graphs", "--sizes", "99999999999", "option --sizes is out of range: 99999999999 is not in 21..2147483647")]
    [InlineData("rgcn", "--threads", "1,99999999999", "--threads is out of range: 99999999999 is not in 1..2147483647")]
    [InlineData("mi-bias", "--n", "99999999999", "option --n is out of range: 99999999999 is not in 21..2147483647")]
    public void An_integer_beyond_the_32_bit_range_is_reported_as_out_of_range(string benchmark, string option, string value, string message)
    {
        var (code, output, error) = CliRunner.Run(new BenchCommand(), "bench", benchmark, option, value);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be("bmm bench: " + message + Environment.NewLine);
    }

    [Fact]
    public void The_snf_benchmark_with_memory_prints_one_resident_set_row_per_data_set()
    {
        var (code, output, error) = CliRunner.Run(new BenchCommand(),
            "bench", "snf", "--sizes", "30,40", "--rosmap", "false", "--dense-max", "0", "--K", "5", "--t", "2", "--threads", "1", "--memory");

        code.Should().Be(0, error);
        int header = Array.IndexOf(output, "| data | n | n x n MB | resident before GB | peak | samples |");
        header.Should().BePositive();
        var rows = output.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).ToArray();
        rows.Select(r => r.Split('|', StringSplitOptions.TrimEntries)[2]).Should().Equal("30", "40");
        foreach (var row in rows)
        {
            // The row's shape only: resident-set values depend on the machine and are not asserted.
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            cells.Should().HaveCount(8);
            cells[1].Should().Be("synthetic");
            double.Parse(cells[5], CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(0, "the peak is the largest sample, the first one included");
            cells[6].Should().StartWith("0.0", "the first sample is the baseline itself");
        }
    }

    [Fact]
    public void Resident_set_samples_are_described_above_the_baseline_with_runs_collapsed()
    {
        long mb = 1_000_000;
        ResidentSetSampler.Describe([10 * mb, 12 * mb, 16 * mb, 16 * mb, 16 * mb, 11 * mb], 10 * mb, 2 * mb)
            .Should().Be("0.0, 1.0, 3.0 x3, 0.5");
    }

    [Fact]
    public void The_sampler_refuses_intervals_its_thread_could_not_wait_and_stops_once()
    {
        FluentActions.Invoking(() => ResidentSetSampler.Start(TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("interval");
        // Beyond int.MaxValue ms the wait would throw on the sampling thread and end the process.
        FluentActions.Invoking(() => ResidentSetSampler.Start(TimeSpan.FromDays(30))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("interval");

        using var sampler = ResidentSetSampler.Start(TimeSpan.FromHours(1));
        var first = sampler.Stop();
        var second = sampler.Stop();

        first.Should().HaveCount(2, "the sample at the start and the last one at the first stop");
        second.Should().Equal(first, "a second stop takes no further sample");
    }

    [Theory]
    [InlineData("--sizes", "", "bmm bench: --sizes needs at least one size")]
    [InlineData("--dense-max", "-5", "bmm bench: --dense-max must be 0 or positive, got -5")]
    [InlineData("--coo-max", "-7", "bmm bench: --coo-max must be 0 or positive, got -7")]
    [InlineData("--missing", "1", "bmm bench: --missing must lie in [0, 1), got 1")]
    [InlineData("--missing", "-0.1", "bmm bench: --missing must lie in [0, 1), got -0.1")]
    public void An_invalid_snf_benchmark_option_is_a_one_line_usage_error_before_any_work(string option, string value, string message)
    {
        var args = new List<string> { "bench", "snf", "--rosmap", "false", "--K", "5", "--t", "2", "--threads", "1" };
        if (option != "--sizes") args.AddRange(["--sizes", "30"]);
        args.AddRange([option, value]);

        var (code, output, error) = CliRunner.Run(new BenchCommand(), args.ToArray());

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Trim().Split('\n').Should().ContainSingle().Which.Should().Be(message);
    }

    [Fact]
    public void The_dropout_benchmark_times_both_masks_and_both_keep_about_one_minus_p()
    {
        var (code, output, error) = CliRunner.Run(new BenchCommand(), "bench", "dropout", "--rows", "100", "--cols", "50",
            "--p", "0.3", "--steps", "3", "--threads", "1");

        code.Should().Be(0, error);
        output[0].Should().Be("rows=100 cols=50 p=0.3 steps=3 threads=1");
        var rows = output.Where(line => line.StartsWith("| libtorch", StringComparison.Ordinal) || line.StartsWith("| InvertedDropout", StringComparison.Ordinal)).ToArray();
        rows.Should().HaveCount(2);
        foreach (var row in rows)
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            // A measured time: only a finite, non-negative value is asserted (no wall-clock expectations).
            double ms = double.Parse(cells[2], CultureInfo.InvariantCulture);
            double.IsFinite(ms).Should().BeTrue(row);
            ms.Should().BeGreaterThanOrEqualTo(0, row);
            double kept = double.Parse(cells[4], CultureInfo.InvariantCulture);
            kept.Should().BeApproximately(0.7, 5 * Math.Sqrt(0.21 / 5000), row);
        }
    }

    [Fact]
    public void The_snf_benchmark_leaves_no_tensor_behind_after_its_synthetic_sizes()
    {
        string[] args = ["bench", "snf", "--sizes", "30,40", "--rosmap", "false", "--dense-max", "0", "--K", "5", "--t", "2", "--threads", "1"];
        long before = LiveTensors.Count;

        var (code, output, error) = CliRunner.Run(new BenchCommand(), args);

        code.Should().Be(0, error);
        output.Count(line => line.StartsWith("| synthetic |", StringComparison.Ordinal)).Should().Be(2);
        LiveTensors.Count.Should().Be(before);
    }

    [Theory]
    [InlineData("30", "false", "--K = 40 must be below the smallest number of samples benchmarked (30)")]
    [InlineData("1000", "true", "--K = 400 must be below the smallest number of samples benchmarked (351, ROSMAP)")]
    public void Snf_rejects_a_k_not_below_every_sample_count_before_printing_anything(string sizes, string rosmap, string message)
    {
        string k = rosmap == "true" ? "400" : "40";
        var (code, output, error) = CliRunner.Run(new BenchCommand(), "bench", "snf", "--sizes", sizes, "--K", k, "--rosmap", rosmap, "--t", "1");

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be("bmm bench: " + message + Environment.NewLine);
    }

    [Fact]
    public void The_graphs_benchmark_prints_one_row_per_size_with_three_times()
    {
        var (code, output, error) = CliRunner.Run(new BenchCommand(), "bench", "graphs", "--sizes", "30,40", "--dim", "5", "--k", "3", "--repeats", "1");

        code.Should().Be(0, error);
        var rows = output.Where(line => line.StartsWith("| 30 ") || line.StartsWith("| 40 ")).ToArray();
        rows.Should().HaveCount(2);
        rows.Should().OnlyContain(row => row.Split('|', StringSplitOptions.RemoveEmptyEntries).Length == 4);
    }

    [Theory]
    [InlineData("--sizes", "20", "above 20")]
    [InlineData("--k", "30", "--k must lie in [1, n)")]
    [InlineData("--repeats", "0", "must be positive")]
    public void An_invalid_graphs_option_is_a_usage_error_before_any_work(string option, string value, string message)
    {
        string[] args = option == "--sizes" ? ["bench", "graphs", option, value] : ["bench", "graphs", "--sizes", "30", option, value];

        var (code, output, error) = CliRunner.Run(new BenchCommand(), args);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Contain(message);
    }
}
