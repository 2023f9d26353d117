using System.Globalization;
using BalancedMultimodal.Core.Information;
using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Cli.Commands;

/// <summary><c>bmm mi --x a.csv --y b.csv [--estimator ksg|gaussian|mixed|infonce] [--k 3] [--permutations N] [--seed S]</c>.</summary>
public sealed class MiCommand : ICliCommand
{
    /// <inheritdoc />
    public string Name => "mi";

    /// <inheritdoc />
    public string Summary => "estimate the mutual information I(X; Y) in nats between two CSV files";

    /// <inheritdoc />
    public string Usage =>
        "usage: bmm mi --x a.csv --y b.csv [--estimator ksg|gaussian|mixed|infonce] [--k 3] [--permutations N] [--seed S]\n\n" +
        "  --x, --y         headerless comma-separated numbers, one sample per row (same row count)\n" +
        "  --estimator      ksg (default, Kraskov), gaussian (closed form), mixed (Ross: y = one integer label column),\n" +
        "                   infonce (neural lower bound); case-insensitive (KSG = ksg)\n" +
        "  --k              neighbours for ksg and mixed (default 3; an error with gaussian and infonce)\n" +
        "  --permutations   run a permutation test with N >= 1 shuffles of y and print p_value= (leave it out for no test)\n" +
        "  --seed           seed of the permutations and of infonce (default 0; an error when neither runs)\n\n" +
        "prints the raw estimate (mi_nats_raw=) and, last, mi_nats= (clipped at 0, as scikit-learn reports)";

    /// <inheritdoc />
    public int Run(CliArguments args, TextWriter output)
    {
        string xPath = args.GetRequiredString("x");
        string yPath = args.GetRequiredString("y");
        // Estimator names are case-insensitive, as the config keys are (KSG = ksg).
        string estimatorText = args.GetString("estimator", "ksg")!;
        string estimatorName = estimatorText.ToLowerInvariant();
        int k = args.GetInt("k", 3, minimum: 1);
        int permutations = args.GetInt("permutations", 0, minimum: 1);
        int seed = args.GetInt("seed", 0, minimum: 0);
        args.EnsureAllConsumed();
        if (estimatorName is not ("ksg" or "gaussian" or "mixed" or "infonce"))
            throw new CliUsageException($"option --estimator must be ksg, gaussian, mixed or infonce (in any case), got '{estimatorText}'");
        // An option the chosen estimator does not read is an error, not silently ignored.
        if (args.Has("k") && estimatorName is "gaussian" or "infonce")
            throw new CliUsageException($"option --k does not apply to the {estimatorName} estimator (only ksg and mixed use neighbours)");
        // --permutations 0 is not "no test": leave the option out for that (then --seed applies to infonce only).
        if (args.Has("permutations") && permutations < 1)
            throw new CliUsageException($"option --permutations must be at least 1, got {permutations} (leave it out to run no permutation test)");
        if (args.Has("seed") && estimatorName != "infonce" && permutations == 0)
            throw new CliUsageException($"option --seed does not apply to the {estimatorName} estimator without --permutations (it seeds the permutations and infonce)");
        if (k < 1) throw new CliUsageException($"option --k must be at least 1, got {k}");
        // System.Random and the estimators' generators use |seed|: -5 would silently repeat seed 5.
        if (seed < 0) throw new CliUsageException($"option --seed must be non-negative, got {seed}");

        IMutualInformationEstimator estimator;
        try
        {
            estimator = estimatorName switch
            {
                "ksg" => new KsgEstimator(new KsgEstimatorOptions { K = k }),
                "gaussian" => new GaussianMutualInformationEstimator(),
                "mixed" => new ContinuousDiscreteEstimator(new ContinuousDiscreteEstimatorOptions { K = k }),
                "infonce" => new InfoNceEstimator(new InfoNceEstimatorOptions { Seed = seed }),
                _ => throw new CliUsageException($"option --estimator must be ksg, gaussian, mixed or infonce, got '{estimatorName}'"),
            };
        }
        catch (OptionsValidationException e)
        {
            throw new CliUsageException(e.Message);
        }

        var x = ReadCsv(xPath, "--x");
        var y = ReadCsv(yPath, "--y");
        double mi;
        if (permutations > 0)
        {
            var result = new PermutationTest(estimator, new PermutationTestOptions { Permutations = permutations, Seed = seed }).Run(x, y);
            mi = result.Estimate;
            output.WriteLine(FormattableString.Invariant($"null_mean_nats={result.NullMean:R}"));
            output.WriteLine(FormattableString.Invariant($"mi_nats_raw={mi:R}"));
            output.WriteLine(FormattableString.Invariant($"p_value={result.PValue:R}"));
        }
        else
        {
            mi = estimator.Estimate(x, y);
            output.WriteLine(FormattableString.Invariant($"mi_nats_raw={mi:R}"));
        }
        output.WriteLine(FormattableString.Invariant($"mi_nats={Math.Max(0.0, mi):R}"));
        return 0;
    }

    /// <summary>Reads a headerless numeric CSV; every row must have the same number of columns.</summary>
    private static double[,] ReadCsv(string path, string option)
    {
        if (!File.Exists(path)) throw new CliUsageException($"{option}: file '{path}' does not exist");
        var rows = new List<double[]>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = line.Split(',');
            var values = new double[cells.Length];
            for (int c = 0; c < cells.Length; c++)
            {
                if (!double.TryParse(cells[c].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[c]))
                    throw new InvalidDataException($"{option}: '{path}' line {lineNumber}, column {c + 1}: '{cells[c].Trim()}' is not a number");
                if (!double.IsFinite(values[c]))
                    throw new InvalidDataException($"{option}: '{path}' line {lineNumber}, column {c + 1}: '{cells[c].Trim()}' is not finite");
            }
            if (rows.Count > 0 && values.Length != rows[0].Length)
                throw new InvalidDataException($"{option}: '{path}' line {lineNumber} has {values.Length} columns, the first row has {rows[0].Length}");
            rows.Add(values);
        }
        if (rows.Count == 0) throw new InvalidDataException($"{option}: '{path}' has no rows");
        var matrix = new double[rows.Count, rows[0].Length];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < rows[i].Length; j++) matrix[i, j] = rows[i][j];
        return matrix;
    }
}
