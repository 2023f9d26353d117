using System.Globalization;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Span-based reader of small delimited text files (CSV/TSV) used by the loaders. Lines end in LF or CRLF; a field may
/// be wrapped in double quotes (no delimiter or line break inside quotes). Blank lines are allowed only at the end of
/// the file. Errors are <see cref="InvalidDataException"/> naming the file and the 1-based line number.
/// </summary>
internal sealed class DelimitedTextReader
{
    private readonly string _text;
    private readonly char _delimiter;
    private int _position;

    private DelimitedTextReader(string path, string text, char delimiter)
    {
        FileName = Path.GetFileName(path);
        _text = text;
        _delimiter = delimiter;
    }

    /// <summary>The file name used in error messages.</summary>
    public string FileName { get; }

    /// <summary>The 1-based number of the line last returned by <see cref="TryReadLine"/>.</summary>
    public int LineNumber { get; private set; }

    public static DelimitedTextReader Open(string path, char delimiter)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"File '{path}' does not exist.", path);
        return new DelimitedTextReader(path, File.ReadAllText(path, System.Text.Encoding.UTF8), delimiter);
    }

    /// <summary>Returns the next non-blank line; false at the end of the file. A blank line followed by content is an error.</summary>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        while (_position < _text.Length)
        {
            int end = _text.IndexOf('\n', _position);
            if (end < 0) end = _text.Length;
            var span = _text.AsSpan(_position, end - _position);
            if (span.Length > 0 && span[^1] == '\r') span = span[..^1];
            _position = end + 1;
            LineNumber++;
            if (span.IsWhiteSpace())
            {
                if (!_text.AsSpan(Math.Min(_position, _text.Length)).IsWhiteSpace())
                    throw Error("is empty; blank lines are only allowed at the end of the file");
                _position = _text.Length;
                break;
            }
            line = span;
            return true;
        }
        line = default;
        return false;
    }

    /// <summary>Splits a line into fields (quotes removed).</summary>
    public List<string> SplitFields(ReadOnlySpan<char> line)
    {
        var fields = new List<string>();
        while (true)
        {
            int cut = line.IndexOf(_delimiter);
            var field = (cut < 0 ? line : line[..cut]).Trim();
            fields.Add(Unquote(field).ToString());
            if (cut < 0) return fields;
            line = line[(cut + 1)..];
        }
    }

    /// <summary>Parses every field of <paramref name="line"/> as a float64 into <paramref name="destination"/>, or
    /// recognises a row whose fields are all missing-value markers (<see cref="MissingValueMarkers"/>).</summary>
    /// <param name="line">The fields to parse.</param>
    /// <param name="destination">Receives the values (nothing for a row of markers).</param>
    /// <param name="columnOffset">Number of fields of the full line before <paramref name="line"/> (for 1-based column numbers in messages).</param>
    /// <returns>The number of values parsed, or -1 when every field is a missing-value marker.</returns>
    /// <exception cref="InvalidDataException">A field that is not a finite number; a marker among numbers (a partly
    /// missing row) names its column and says that a sample has the whole modality or none of it.</exception>
    public int ParseNumbersOrMissing(ReadOnlySpan<char> line, List<double> destination, int columnOffset = 0)
    {
        if (AllFieldsMissing(line)) return -1;
        int count = 0;
        while (true)
        {
            int cut = line.IndexOf(_delimiter);
            var field = cut < 0 ? line : line[..cut];
            if (MissingValueMarkers.IsMissing(field)) throw PartlyMissing(field, columnOffset + count);
            destination.Add(ParseNumber(field, columnOffset + count));
            count++;
            if (cut < 0) return count;
            line = line[(cut + 1)..];
        }
    }

    private bool AllFieldsMissing(ReadOnlySpan<char> line)
    {
        while (true)
        {
            int cut = line.IndexOf(_delimiter);
            if (!MissingValueMarkers.IsMissing(cut < 0 ? line : line[..cut])) return false;
            if (cut < 0) return true;
            line = line[(cut + 1)..];
        }
    }

    // The wording starts as ParseNumber's would ("'NaN' is not a finite number", "'' is not a number"), then says why.
    private InvalidDataException PartlyMissing(ReadOnlySpan<char> field, int column)
    {
        var text = Unquote(field.Trim());
        bool parses = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        return Error($"column {column + 1}: '{text.ToString()}' is not a {(parses ? "finite " : "")}number but a missing-value marker, " +
            "while other fields of the line hold numbers; a partly missing row is not supported: a sample either has the whole " +
            "modality (every field a number) or none of it (every field empty, NA or NaN)");
    }

    /// <summary>Parses one field as a float64 (invariant culture, exponents allowed); <paramref name="column"/> is 0-based for messages.</summary>
    public double ParseNumber(ReadOnlySpan<char> field, int column)
    {
        var text = Unquote(field.Trim());
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw Error($"column {column + 1}: '{text.ToString()}' is not a number");
        if (!double.IsFinite(value))
            throw Error($"column {column + 1}: '{text.ToString()}' is not a finite number");
        return value;
    }

    /// <summary>An <see cref="InvalidDataException"/> for the current line.</summary>
    public InvalidDataException Error(string problem) => new($"{FileName}, line {LineNumber}: {problem}.");

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field) =>
        field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1] : field;
}
