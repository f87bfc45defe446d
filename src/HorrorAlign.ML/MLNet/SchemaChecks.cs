using Microsoft.ML;
using Microsoft.ML.Data;

namespace HorrorAlign.ML.MLNet;

/// <summary>
/// Column checks shared by every component, for both the fitted-schema (<see cref="DataViewSchema"/>) and the
/// estimator-schema (<see cref="SchemaShape"/>) paths, so a bad input fails early with a message naming the column,
/// its role and what was found. Thrown as <see cref="ArgumentOutOfRangeException"/>, like ML.NET's own schema mismatches.
/// </summary>
internal static class SchemaChecks
{
    /// <summary>Requires a scalar text column.</summary>
    public static void RequireText(DataViewSchema schema, string column, string role, string paramName = "inputSchema")
    {
        var found = schema.GetColumnOrNull(column);
        if (found is null) throw Missing(column, role, schema.Where(c => !c.IsHidden).Select(c => c.Name), paramName);
        if (found.Value.Type is not TextDataViewType) throw WrongType(column, role, found.Value.Type.ToString() ?? "?", paramName);
    }

    /// <summary>Requires a scalar text column.</summary>
    public static void RequireText(SchemaShape shape, string column, string role, string paramName = "inputSchema")
    {
        SchemaShape.Column? found = null;
        foreach (var c in shape) if (c.Name == column) found = c;
        if (found is null) throw Missing(column, role, shape.Select(c => c.Name), paramName);
        var col = found.Value;
        if (col.Kind != SchemaShape.Column.VectorKind.Scalar || col.ItemType is not TextDataViewType)
            throw WrongType(column, role, (col.Kind == SchemaShape.Column.VectorKind.Scalar ? col.ItemType.ToString() : $"vector of {col.ItemType}") ?? "?", paramName);
    }

    /// <summary>True when the schema has a column of that name (any type).</summary>
    public static bool Has(DataViewSchema schema, string column) => schema.GetColumnOrNull(column) is not null;

    /// <summary>True when the shape has a column of that name (any type).</summary>
    public static bool Has(SchemaShape shape, string column) => shape.Any(c => c.Name == column);

    static ArgumentOutOfRangeException Missing(string column, string role, IEnumerable<string> available, string paramName) =>
        new(paramName, $"Column '{column}' ({role}) was not found in the input data. Available columns: " +
            $"{string.Join(", ", available.Select(n => "'" + n + "'").DefaultIfEmpty("none"))}.");

    static ArgumentOutOfRangeException WrongType(string column, string role, string found, string paramName) =>
        new(paramName, $"Column '{column}' ({role}) has type {found}, but it must be text (String).");
}
