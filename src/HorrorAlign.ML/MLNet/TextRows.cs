using Microsoft.ML;
using Microsoft.ML.Data;

namespace HorrorAlign.ML.MLNet;

/// <summary>Reads text columns of an <see cref="IDataView"/> into memory for the learning core.</summary>
internal static class TextRows
{
    /// <summary>
    /// Reads <paramref name="columns"/> (already checked to be text) row by row, each row with its 0-based number in
    /// <paramref name="data"/>. An empty or whitespace-only value is an error naming the
    /// row (0-based) and the column, because an empty prompt or story would silently train the model on nothing.
    /// </summary>
    public static List<TextRow> Read(IDataView data, IReadOnlyList<string> columns, string dataName) =>
        Read(data, columns, dataName, pairIndex: -1, pairRole: null, out _);

    /// <summary>
    /// Like <see cref="Read(IDataView, IReadOnlyList{string}, string)"/>, but a row whose column number
    /// <paramref name="pairIndex"/> is empty (or only whitespace) is not a training row of this stage: it is skipped
    /// (counted in <paramref name="skipped"/>) and its other columns are not checked. When every row is skipped, the error
    /// names that column (<paramref name="pairRole"/> is its role in messages). A negative index skips nothing.
    /// </summary>
    public static List<TextRow> Read(IDataView data, IReadOnlyList<string> columns, string dataName, int pairIndex, string? pairRole,
        out long skipped)
    {
        var cols = columns.Select(c => data.Schema[c]).ToArray();
        var rows = new List<TextRow>();
        using var cursor = data.GetRowCursor(cols);
        var getters = cols.Select(c => cursor.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
        ReadOnlyMemory<char> value = default;
        long index = 0;
        skipped = 0;
        for (; cursor.MoveNext(); index++)
        {
            if (pairIndex >= 0)
            {
                getters[pairIndex](ref value);
                if (value.Span.IsWhiteSpace())
                {
                    skipped++;
                    continue;
                }
            }
            var row = new string[cols.Length];
            for (int i = 0; i < cols.Length; i++)
            {
                getters[i](ref value);
                if (value.Span.IsWhiteSpace())
                    throw new InvalidOperationException($"{dataName}, row {index}: column '{cols[i].Name}' is empty (or only whitespace).");
                row[i] = value.ToString();
            }
            rows.Add(new TextRow(index, row));
        }
        if (rows.Count == 0 && skipped > 0)
            throw new InvalidOperationException(
                $"{dataName} has no usable row: column '{cols[pairIndex].Name}' ({pairRole}) is empty in all {skipped} row(s). " +
                $"This stage trains only on the rows where '{cols[pairIndex].Name}' is non-empty (a row without one is an " +
                "example for SFT only): give it rows of preference pairs.");
        if (rows.Count == 0) throw new InvalidOperationException($"{dataName} has no rows.");
        return rows;
    }

    /// <summary>The value of <paramref name="column"/> in the first row, or null when the data has no rows.</summary>
    public static string? First(IDataView data, string column)
    {
        var col = data.Schema[column];
        using var cursor = data.GetRowCursor([col]);
        if (!cursor.MoveNext()) return null;
        ReadOnlyMemory<char> value = default;
        cursor.GetGetter<ReadOnlyMemory<char>>(col)(ref value);
        return value.ToString();
    }
}

/// <summary>One row's text columns, with its 0-based number in its data view (the number error messages give).</summary>
/// <param name="Index">The row's number.</param>
/// <param name="Values">The columns' values, in the order they were asked for.</param>
internal readonly record struct TextRow(long Index, string[] Values);
