using System.Globalization;
using System.Text;

namespace BalancedMultimodal.Cli.Commands;

/// <summary>Headerless comma-separated numeric matrices (rows = samples), as read and written by <c>bmm fuse</c>.</summary>
internal static class MatrixCsv
{
    /// <summary>Reads a matrix; throws <see cref="InvalidDataException"/> naming the file, row and column of bad input
    /// (a cell that is not a number, or is NaN or infinite).</summary>
    public static double[,] Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var rows = new List<double[]>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            var cells = line.Split(',');
            if (rows.Count > 0 && cells.Length != rows[0].Length)
                throw new InvalidDataException($"{path}: row {lineNumber} has {cells.Length} values but row 1 has {rows[0].Length} (ragged rows)");
            var values = new double[cells.Length];
            for (int j = 0; j < cells.Length; j++)
            {
                if (!double.TryParse(cells[j].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[j]))
                    throw new InvalidDataException($"{path}: row {lineNumber}, column {j + 1} is not a number: '{cells[j]}'");
                if (!double.IsFinite(values[j]))
                    throw new InvalidDataException($"{path}: row {lineNumber}, column {j + 1} is not finite: '{cells[j].Trim()}'");
            }
            rows.Add(values);
        }
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no data rows");
        var result = new double[rows.Count, rows[0].Length];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < rows[i].Length; j++) result[i, j] = rows[i][j];
        return result;
    }

    /// <summary>Writes a matrix with 17 significant digits (round-trip exact for float64).</summary>
    public static void Write(string path, double[,] matrix)
    {
        var text = new StringBuilder();
        int rows = matrix.GetLength(0), columns = matrix.GetLength(1);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                if (j > 0) text.Append(',');
                text.Append(matrix[i, j].ToString("G17", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        File.WriteAllText(path, text.ToString());
    }
}
