using HorrorAlign.ML.Specs;
using Microsoft.ML;

namespace HorrorAlign.ML.MLNet;

/// <summary>Reads the seven spec columns (and any others) of an <see cref="IDataView"/> as validated specs.</summary>
internal static class SpecRows
{
    /// <summary>Each row's spec and the values of <paramref name="extraColumns"/> (all columns already checked to be
    /// text), in order. An invalid spec fails naming its field and its 0-based row.</summary>
    public static IEnumerable<(StorySpec Spec, string[] Extra)> Read(IDataView data, params string[] extraColumns)
    {
        var cols = StoryColumnNames.SpecFields.Concat(extraColumns).Select(c => data.Schema[c]).ToArray();
        using var cursor = data.GetRowCursor(cols);
        var getters = cols.Select(c => cursor.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
        var values = new string[cols.Length];
        ReadOnlyMemory<char> value = default;
        for (long row = 0; cursor.MoveNext(); row++)
        {
            for (int i = 0; i < cols.Length; i++)
            {
                getters[i](ref value);
                values[i] = value.ToString();
            }
            var spec = new StorySpec(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
            try
            {
                spec.Validate();
            }
            catch (SpecValidationException e)
            {
                throw new SpecValidationException(e.Field, $"row {row}: {e.Reason}");
            }
            yield return (spec, values[7..]);
        }
    }
}
