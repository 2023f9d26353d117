using System.Globalization;
using System.Text.Json;
using BalancedMultimodal.Cli.Pipeline;
using Microsoft.Extensions.Configuration;

namespace BalancedMultimodal.Cli.Commands;

/// <summary>The <c>--config</c> file of <c>bmm train</c> and <c>bmm compare</c>: JSON bound onto <see cref="PipelineOptions"/>,
/// with the shape checks and list/null handling the configuration binder lacks.</summary>
public static class PipelineConfigFile
{
    /// <summary>
    /// Binds <see cref="PipelineOptions"/> from a JSON file (or returns the defaults). Unknown keys are an error; a JSON
    /// list replaces the default list (<c>[]</c> gives an empty list); <c>null</c> is allowed only for the options that
    /// may be null (<see cref="MlpEncoderSettings.AlternativeNegativeSlope"/>, <c>Training.FinalPoolingRule</c>, the relational-GCN
    /// <c>NumBases</c>/<c>NumBlocks</c>/<c>ClassCount</c>); a list, an object or a single value where another is expected
    /// is an error naming the key.
    /// </summary>
    /// <exception cref="CliUsageException">The file is missing, is not valid JSON or does not fit the options; the
    /// message names the file and the key.</exception>
    /// <param name="configFile">The JSON file, or null for the defaults.</param>
    /// <param name="seedAdvice">What to do instead of setting a stage's seed, quoted when a config sets one (default:
    /// <see cref="SetSeedInstead"/>; <c>bmm compare</c>, which takes its seeds from <c>--seeds</c>, gives its own).</param>
    public static PipelineOptions Load(string? configFile, string? seedAdvice = null)
    {
        var options = new PipelineOptions();
        if (configFile is null) return options;
        if (Directory.Exists(configFile)) throw new CliUsageException($"option --config: '{configFile}' is a folder, not a file");
        if (!File.Exists(configFile)) throw new CliUsageException($"config file '{configFile}' does not exist");
        using var json = ParseJson(configFile);
        try
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(configFile), optional: false).Build();
            // The shapes are checked before binding, whose own messages for them are vague or missing.
            Walk(options, json.RootElement, configuration, "", apply: false);
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
            Walk(options, json.RootElement, configuration, "", apply: true);
            // Every stage is seeded from the top-level Seed when the pipeline runs; a stage seed set to another value would
            // be overwritten silently, so it is an error (0, the default, and the top-level value itself are not: a
            // metrics.json's options, passed back, hold one of them).
            foreach (var (key, value) in DerivedSeeds(options))
                if (configuration[key] is not null && value != 0 && value != options.Seed)
                    throw new InvalidDataException(
                        $"config key '{key.Replace(':', '.')}' is {value}, but the pipeline seeds every stage from the top-level 'Seed' ({options.Seed}); {(seedAdvice ?? SetSeedInstead).Replace("{key}", key.Replace(':', '.'), StringComparison.Ordinal)}");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException)
        {
            // The JSON parser's message (line and position) and the binder's cause are the inner exception's.
            var cause = e.InnerException is { } inner ? " " + CliApp.OneLine(inner) : "";
            throw new CliUsageException($"config file '{configFile}': {CliApp.OneLine(e)}{cause}");
        }
        return options;
    }

    /// <summary>The advice for a config that sets a stage's seed, when the top-level <c>Seed</c> (or <c>--seed</c>) can
    /// set it (<c>bmm train</c>); "{key}" stands for the stage seed's key.</summary>
    public const string SetSeedInstead = "set 'Seed' (or --seed) instead";

    /// <summary>Parses the file as the configuration's JSON provider does (comments and trailing commas allowed); a syntax
    /// error names the line and position (the provider's own message does not).</summary>
    private static JsonDocument ParseJson(string configFile)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(configFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var message = e.Message;
            int position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (position >= 0) message = message[..position];
            throw new CliUsageException(string.Create(CultureInfo.InvariantCulture,
                $"config file '{configFile}' is not valid JSON: line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {message}"));
        }
    }

    /// <summary>
    /// Walks the JSON object <paramref name="element"/> beside the options object <paramref name="target"/> it binds to.
    /// Without <paramref name="apply"/> it checks the shapes: <c>null</c> only for a nullable option, a list (of single
    /// values) for a list option, an object for a nested options object, a single value otherwise. With
    /// <paramref name="apply"/> (after binding) it sets what the configuration binder gets wrong: it appends a JSON list
    /// to a list's default (binding [16] onto the default [32] gave [32, 16]) and skips an empty list and JSON nulls,
    /// so every list the file sets is bound again to replace the default, and every null is set.
    /// </summary>
    private static void Walk(object target, JsonElement element, IConfiguration section, string path, bool apply)
    {
        foreach (var member in element.EnumerateObject())
        {
            var property = target.GetType().GetProperty(member.Name,
                System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            if (property is null || !property.CanRead || property.GetIndexParameters().Length > 0)
            {
                var unknown = path.Length == 0 ? member.Name : $"{path}.{member.Name}";
                var known = target.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
                    .Where(p => p.CanRead && p.GetIndexParameters().Length == 0).Select(p => p.Name).Order(StringComparer.Ordinal);
                throw new InvalidDataException($"config key '{unknown}' is unknown; the keys here are {string.Join(", ", known)}");
            }
            var key = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            var value = member.Value;
            var child = section.GetSection(member.Name);
            if (value.ValueKind == JsonValueKind.Null)
            {
                if (!property.CanWrite || !IsNullable(property)) throw new InvalidDataException($"config key '{key}' cannot be null");
                if (apply) property.SetValue(target, null);
            }
            else if (ListElementType(property.PropertyType) is { } elementType)
            {
                if (value.ValueKind != JsonValueKind.Array)
                    throw new InvalidDataException($"config key '{key}' expects a list such as [32], got {Describe(value)}");
                int index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind is JsonValueKind.Null or JsonValueKind.Object or JsonValueKind.Array)
                        throw new InvalidDataException($"config key '{key}[{index}]' expects a single value, got {Describe(item)}");
                    RequireConvertible(item, elementType, $"{key}[{index}]");
                    index++;
                }
                if (apply && property.CanWrite) property.SetValue(target, BindList(property.PropertyType, elementType, child, index, key));
            }
            else if (property.PropertyType.IsClass && property.PropertyType != typeof(string))
            {
                if (value.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"config key '{key}' expects an object {{ ... }} of options, got {Describe(value)}");
                if (property.GetValue(target) is { } nested) Walk(nested, value, child, key, apply);
            }
            else if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                throw new InvalidDataException($"config key '{key}' expects a single value, got {Describe(value)}");
            }
            else
            {
                RequireConvertible(value, property.PropertyType, key);
            }
        }
    }

    /// <summary>Converts a single JSON value as the configuration binder will (the type's invariant-culture converter);
    /// a value it cannot convert is an error naming the key and the type expected.</summary>
    private static void RequireConvertible(JsonElement value, Type type, string key)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        var target = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            if (System.ComponentModel.TypeDescriptor.GetConverter(target).ConvertFromInvariantString(text) is null)
                throw new FormatException();
            if (target.IsEnum && !Enum.IsDefined(target, Enum.Parse(target, text, ignoreCase: true)))
                throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            var expected = target.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(target))}"
                : target == typeof(bool) ? "true or false"
                : target == typeof(int) || target == typeof(long) ? "an integer"
                : target == typeof(double) || target == typeof(float) ? "a number"
                : $"a {target.Name}";
            throw new InvalidDataException($"config key '{key}' expects {expected}, got {Describe(value)}");
        }
    }

    /// <summary>The options the pipeline sets from the top-level <see cref="PipelineOptions.Seed"/> before each run, with
    /// their configuration keys.</summary>
    private static IEnumerable<(string Key, int Value)> DerivedSeeds(PipelineOptions options) =>
    [
        ("Training:Seed", options.Training.Seed),
        ("Training:Assessment:Seed", options.Training.Assessment.Seed),
        ("Autoencoder:Seed", options.Autoencoder.Seed),
    ];

    /// <summary>True for a <see cref="Nullable{T}"/> property and a reference property declared nullable (<c>T?</c>).</summary>
    private static bool IsNullable(System.Reflection.PropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null
        || (!property.PropertyType.IsValueType && new System.Reflection.NullabilityInfoContext().Create(property).WriteState == System.Reflection.NullabilityState.Nullable);

    /// <summary>The element type of an array or generic list property (T[], List&lt;T&gt;, IList&lt;T&gt;, ...), else null.</summary>
    private static Type? ListElementType(Type type)
    {
        if (type == typeof(string)) return null;
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType || type.GetGenericArguments().Length != 1) return null;
        var elementType = type.GetGenericArguments()[0];
        return typeof(List<>).MakeGenericType(elementType).IsAssignableTo(type) && typeof(IEnumerable<>).MakeGenericType(elementType).IsAssignableFrom(type)
            ? elementType : null;
    }

    /// <summary>The file's list for a property of type <paramref name="type"/>: a new array or List&lt;T&gt;, empty for [].</summary>
    private static object BindList(Type type, Type elementType, IConfiguration child, int count, string key)
    {
        var concrete = type.IsArray ? type : typeof(List<>).MakeGenericType(elementType);
        if (count == 0) return type.IsArray ? Array.CreateInstance(elementType, 0) : Activator.CreateInstance(concrete)!;
        return child.Get(concrete) ?? throw new InvalidDataException($"config key '{key}' could not be read as a list");
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.Null => "null",
        _ => value.GetRawText().Length <= 40 ? value.GetRawText() : value.ValueKind.ToString().ToLowerInvariant(),
    };
}
