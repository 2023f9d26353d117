using System.Globalization;

namespace BalancedMultimodal.Cli;

/// <summary>
/// Parsed <c>--name value</c> options and <c>--flag</c> switches of one command. Every option must be consumed
/// by the command (through the getters) or <see cref="EnsureAllConsumed"/> reports it as unknown.
/// </summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);

    private readonly List<string> _positionals = new();

    /// <summary>Parses leading positional words, then options <c>--name value</c>, <c>--name=value</c> or <c>--flag</c>;
    /// <c>-h</c> anywhere means <c>--help</c> (it is never taken as an option's value: <c>--plots -h</c> asks for help).</summary>
    public CliArguments(IReadOnlyList<string> args)
    {
        int first = 0;
        for (; first < args.Count && !args[first].StartsWith("--", StringComparison.Ordinal); first++)
        {
            if (args[first] == "-h") _values["help"] = null;
            else _positionals.Add(args[first]);
        }
        for (int i = first; i < args.Count; i++)
        {
            var token = args[i];
            if (token == "-h")
            {
                _values["help"] = null;
                continue;
            }
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
                throw new CliUsageException($"unexpected argument '{token}' (options look like --name value)");
            var name = token[2..];
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1] != "-h") value = args[++i];
            if (_values.ContainsKey(name) && name != "help") throw new CliUsageException($"option --{name} is given twice");
            _values[name] = value;
        }
    }

    /// <summary>The words before the first option (e.g. a benchmark name).</summary>
    public IReadOnlyList<string> Positionals => _positionals;

    /// <summary>True when <c>--help</c> (or <c>-h</c>) was given.</summary>
    public bool WantsHelp => _values.ContainsKey("help");

    /// <summary>True when the option was given (with or without a value); does not count as reading it.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>Returns a string option, or <paramref name="defaultValue"/> when absent.</summary>
    public string? GetString(string name, string? defaultValue = null)
    {
        _consumed.Add(name);
        if (!_values.TryGetValue(name, out var v)) return defaultValue;
        return v ?? throw new CliUsageException($"option --{name} needs a value");
    }

    /// <summary>Returns a required string option.</summary>
    public string GetRequiredString(string name) =>
        GetString(name) ?? throw new CliUsageException($"option --{name} is required");

    /// <summary>Returns an integer option (see <see cref="ParseInt"/>; <paramref name="minimum"/> is only named in the
    /// out-of-range message, the command checks it with its own message).</summary>
    public int GetInt(string name, int defaultValue, int minimum = int.MinValue)
    {
        var s = GetString(name);
        if (s is null) return defaultValue;
        return ParseInt(s, $"option --{name}", minimum);
    }

    /// <summary>
    /// Parses an integer of an option (or of one item of a list option): text that is not an integer is "WHAT expects
    /// EXPECTED, got 'TEXT'"; an integer outside the 32-bit range is "WHAT is out of range: TEXT is not in
    /// MINIMUM..2147483647", never clamped (<paramref name="minimum"/>, the smallest value the option accepts, is
    /// checked by the caller; its default is int.MinValue).
    /// </summary>
    public static int ParseInt(string text, string what, int minimum = int.MinValue, string expected = "an integer")
    {
        ArgumentNullException.ThrowIfNull(text);
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) return v;
        if (System.Numerics.BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            throw new CliUsageException(string.Create(CultureInfo.InvariantCulture,
                $"{what} is out of range: {text.Trim()} is not in {minimum}..{int.MaxValue}"));
        throw new CliUsageException($"{what} expects {expected}, got '{text}'");
    }

    /// <summary>Returns a floating-point option.</summary>
    public double GetDouble(string name, double defaultValue)
    {
        var s = GetString(name);
        if (s is null) return defaultValue;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v : throw new CliUsageException($"option --{name} expects a number, got '{s}'");
    }

    /// <summary>Returns a boolean option: <c>--name</c> alone means true; <c>--name true|false</c> is explicit.</summary>
    public bool GetBool(string name, bool defaultValue)
    {
        _consumed.Add(name);
        if (!_values.TryGetValue(name, out var v)) return defaultValue;
        if (v is null) return true;
        return bool.TryParse(v, out var b) ? b : throw new CliUsageException($"option --{name} expects true or false, got '{v}'");
    }

    /// <summary>Throws for any option the command did not read (and for positional words unless allowed).</summary>
    public void EnsureAllConsumed(bool allowPositionals = false)
    {
        if (!allowPositionals && _positionals.Count > 0)
            throw new CliUsageException($"unexpected argument '{_positionals[0]}' (options look like --name value)");
        var unknown = _values.Keys.Where(k => !_consumed.Contains(k) && k != "help").ToArray();
        if (unknown.Length > 0) throw new CliUsageException($"unknown option --{unknown[0]}");
    }
}
