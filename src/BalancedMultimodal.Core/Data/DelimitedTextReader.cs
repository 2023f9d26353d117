using System.Globalization;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Span-based reader of small delimited text files (CSV/TSV) used by the loaders. Lines end in LF, CRLF or a lone CR
/// (classic Mac files); a field may be wrapped in double quotes (no delimiter or line break inside quotes). Blank lines
/// are allowed only at the end of the file. The text is UTF-8 (a byte-order mark, UTF-8 or UTF-16/32, is honoured);
/// bytes that are not valid UTF-8 are refused, naming the line, instead of being replaced (Windows-1252 files from
/// Excel would otherwise turn different accented sample IDs into one). Errors are <see cref="InvalidDataException"/>
/// naming the file and the 1-based line number.
/// </summary>
internal sealed class DelimitedTextReader
{
    /// <summary>The longest field echoed in full in a message; a longer one is cut there and ends in "…" (a whole
    /// line read as one field, e.g. of a ';'-separated file, would otherwise fill the screen).</summary>
    internal const int EchoedFieldLength = 40;

    private readonly string _text;
    private readonly char _delimiter;
    private readonly string? _format;
    private int _position;
    private int _lineStart;
    private int _lineLength;

    private DelimitedTextReader(string path, string text, char delimiter, string? format)
    {
        FileName = Path.GetFileName(path);
        _text = text;
        _delimiter = delimiter;
        _format = format;
    }

    /// <summary>The file name used in error messages.</summary>
    public string FileName { get; }

    /// <summary>The 1-based number of the line last returned by <see cref="TryReadLine"/>.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Opens <paramref name="path"/>; <paramref name="format"/> (e.g. "MOGONET CSV files") names the format in
    /// the hints of the messages (a header row, another separator), which are left out when it is null.</summary>
    public static DelimitedTextReader Open(string path, char delimiter, string? format = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"File '{path}' does not exist.", path);
        return new DelimitedTextReader(path, ReadText(path), delimiter, format);
    }

    /// <summary>The file's text: UTF-16/32 when a byte-order mark says so, else strict UTF-8 (an optional BOM skipped),
    /// refusing an invalid byte with its line number.</summary>
    internal static string ReadText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bool utf16Or32 = bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))
            || bytes.Length >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0xFE && bytes[3] == 0xFF;
        if (utf16Or32) return File.ReadAllText(path);   // the BOM decides the encoding
        int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        var utf8 = bytes.AsSpan(start);
        var chars = new char[utf8.Length];
        var status = System.Text.Unicode.Utf8.ToUtf16(utf8, chars, out int read, out int written, replaceInvalidSequences: false);
        if (status != System.Buffers.OperationStatus.Done)
        {
            // Lines end at LF, CRLF or a lone CR, as TryReadLine reads them.
            var before = utf8[..read];
            int line = 1 + before.Count((byte)'\n') + before.Count((byte)'\r') - before.Count("\r\n"u8);
            throw new InvalidDataException(
                $"{Path.GetFileName(path)}, line {line}: byte 0x{utf8[read]:X2} is not valid UTF-8; save the file as UTF-8 (e.g. Excel's \"CSV UTF-8\").");
        }
        return new string(chars, 0, written);
    }

    /// <summary>Returns the next non-blank line; false at the end of the file. A blank line followed by content is an error.</summary>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        while (_position < _text.Length)
        {
            // A line ends at LF, CRLF or a lone CR.
            int end = _text.AsSpan(_position).IndexOfAny('\r', '\n');
            end = end < 0 ? _text.Length : _position + end;
            int start = _position;
            var span = _text.AsSpan(start, end - start);
            _position = end < _text.Length && _text[end] == '\r' && end + 1 < _text.Length && _text[end + 1] == '\n' ? end + 2 : end + 1;
            LineNumber++;
            if (span.IsWhiteSpace())
            {
                if (!_text.AsSpan(Math.Min(_position, _text.Length)).IsWhiteSpace())
                    throw Error("is empty; blank lines are only allowed at the end of the file");
                _position = _text.Length;
                break;
            }
            (_lineStart, _lineLength) = (start, span.Length);
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
    /// <param name="expectedFieldCount">The number of fields the earlier lines of the file had, when known: an empty last
    /// field is blamed on a trailing delimiter only when the line has one field more than that (with it unknown, the
    /// message offers both readings).</param>
    /// <returns>The number of values parsed, or -1 when every field is a missing-value marker.</returns>
    /// <exception cref="InvalidDataException">A field that is not a finite number; a marker among numbers (a partly
    /// missing row) names its column and says that a sample has the whole modality or none of it.</exception>
    public int ParseNumbersOrMissing(ReadOnlySpan<char> line, List<double> destination, int columnOffset = 0, int? expectedFieldCount = null)
    {
        if (AllFieldsMissing(line)) return -1;
        if (_format is not null && LineNumber == 1) RejectHeaderRow(line, columnOffset);
        int fieldCount = line.Count(_delimiter) + 1;
        int count = 0;
        while (true)
        {
            int cut = line.IndexOf(_delimiter);
            var field = cut < 0 ? line : line[..cut];
            if (MissingValueMarkers.IsMissing(field))
            {
                // Empty fields beyond the earlier lines' count: trailing delimiters, reported as too many fields.
                if (expectedFieldCount is { } expected && fieldCount > expected + 1 && count >= expected && RestIsEmpty(line))
                    throw Error($"has {columnOffset + fieldCount} fields but the earlier lines have {columnOffset + expected}, and the ones " +
                                $"after column {columnOffset + expected} are empty: trailing {DelimiterName(_delimiter)}s at the end of the line? Remove them");
                throw PartlyMissing(field, columnOffset + count, last: cut < 0, fieldCount, expectedFieldCount);
            }
            destination.Add(ParseNumber(field, columnOffset + count));
            count++;
            if (cut < 0) return count;
            line = line[(cut + 1)..];
        }
    }

    /// <summary>Whether every field of <paramref name="line"/> is empty or whitespace (unquoted: a quoted "" is a value
    /// left empty, not a trailing delimiter).</summary>
    private bool RestIsEmpty(ReadOnlySpan<char> line)
    {
        foreach (char c in line)
            if (c != _delimiter && !char.IsWhiteSpace(c)) return false;
        return true;
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

    /// <summary>On line 1, a field that is neither a number nor a missing-value marker is most likely a header's column
    /// name: it is reported (as <see cref="ParseNumber"/> would) before a marker elsewhere on the line could be blamed.</summary>
    private void RejectHeaderRow(ReadOnlySpan<char> line, int columnOffset)
    {
        for (int column = columnOffset; ; column++)
        {
            int cut = line.IndexOf(_delimiter);
            var field = cut < 0 ? line : line[..cut];
            if (!MissingValueMarkers.IsMissing(field)) ParseNumber(field, column);
            if (cut < 0) return;
            line = line[(cut + 1)..];
        }
    }

    // The wording starts as ParseNumber's would ("'NaN' is not a finite number", "'' is not a number"), then says why.
    private InvalidDataException PartlyMissing(ReadOnlySpan<char> field, int column, bool last, int fieldCount, int? expectedFieldCount)
    {
        var text = Unquote(field.Trim());
        bool parses = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        // An empty last field is what a delimiter at the end of the line leaves (a file written with one after every
        // value): said when the line has one field more than the earlier lines, offered as one of two readings when their
        // count is unknown (line 1), and not said when the line has their count (a missing value) or for a quoted "".
        string delimiter = DelimiterName(_delimiter);
        var trailing = !last || !field.Trim().IsEmpty ? ""
            : expectedFieldCount is null
                ? $" (it is the last field of the line: a trailing {delimiter} at the end of the line? If so, remove it; if not, the value is missing)"
            : fieldCount == expectedFieldCount + 1
                ? $" (it is one field more than the earlier lines have: a trailing {delimiter} at the end of the line? Remove it)"
            : "";
        return Error($"column {column + 1}: '{Echo(text)}' is not a {(parses ? "finite " : "")}number but a missing-value marker{trailing}, " +
            "while other fields of the line hold numbers; a partly missing row is not supported: a sample either has the whole " +
            "modality (every field a number) or none of it (every field empty, NA or NaN)");
    }

    /// <summary>Parses one field as a float64 (invariant culture, exponents allowed); <paramref name="column"/> is 0-based for messages.</summary>
    /// <remarks>A field that is not a number is echoed cut to <see cref="EchoedFieldLength"/> characters; when the reader
    /// knows its format, the message adds the likely cause: another separator (the line holds ';' or a tab but no
    /// delimiter) or, on line 1, a header row.</remarks>
    public double ParseNumber(ReadOnlySpan<char> field, int column)
    {
        var text = Unquote(field.Trim());
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw Error($"column {column + 1}: '{Echo(text)}' is not a number{NotANumberHint()}");
        if (!double.IsFinite(value))
            throw Error($"column {column + 1}: '{Echo(text)}' is not a finite number");
        return value;
    }

    /// <summary>"; " and the likely cause of a field that is not a number (empty when none is known): another
    /// separator, or a header row on line 1.</summary>
    internal string NotANumberHint()
    {
        if (_format is null) return "";
        if (SeparatorHint() is { } separator) return "; " + separator;
        return LineNumber == 1 ? $"; {_format} have no header row: if line 1 is one, remove it" : "";
    }

    /// <summary>"the line holds ';' but no ','; ... are comma-separated" when the current line holds another common
    /// separator (';', tab) and no delimiter; else null.</summary>
    internal string? SeparatorHint()
    {
        if (_format is null) return null;
        var line = _text.AsSpan(_lineStart, _lineLength);
        if (line.Contains(_delimiter)) return null;
        foreach (var other in (ReadOnlySpan<char>)[';', '\t', ',', '|'])
            if (other != _delimiter && line.Contains(other))
                return $"the line holds {Shown(other)} but no {Shown(_delimiter)}; {_format} are {DelimiterName(_delimiter)}-separated";
        return null;
    }

    /// <summary>Whether <paramref name="field"/> (trimmed, one pair of enclosing quotes removed) parses as a float64,
    /// finite or not.</summary>
    internal static bool IsNumber(ReadOnlySpan<char> field) =>
        double.TryParse(Unquote(field.Trim()), NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>A field as messages echo it: cut to <see cref="EchoedFieldLength"/> characters and ended with "…" when longer.</summary>
    internal static string Echo(ReadOnlySpan<char> text) =>
        text.Length <= EchoedFieldLength ? text.ToString() : string.Concat(text[..EchoedFieldLength], "…");

    private static string Shown(char c) => c == '\t' ? "a tab" : $"'{c}'";

    private static string DelimiterName(char c) => c switch
    {
        ',' => "comma",
        ';' => "semicolon",
        '\t' => "tab",
        _ => $"'{c}'",
    };

    /// <summary>An <see cref="InvalidDataException"/> for the current line.</summary>
    public InvalidDataException Error(string problem) => new($"{FileName}, line {LineNumber}: {problem}.");

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field) =>
        field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1] : field;
}
