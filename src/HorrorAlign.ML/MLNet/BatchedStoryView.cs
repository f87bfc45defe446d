using Microsoft.ML;

namespace HorrorAlign.ML.MLNet;

/// <summary>
/// The output of a <see cref="StoryGeneratorTransformer"/>: the inner chain's view, except that the first cursor that
/// reads the story column first writes the stories of the input's rows in batches (<see cref="PreparedStories"/>), so
/// that an <c>IDataView</c> is decoded many sequences per forward instead of one row at a time. Lazy like any
/// transform's output: nothing is written until a cursor asks for the stories.
/// </summary>
internal sealed class BatchedStoryView(IDataView inner, int storyColumn, Action prepare) : IDataView
{
    private readonly Lazy<bool> _prepared = new(() => { prepare(); return true; }, LazyThreadSafetyMode.ExecutionAndPublication);

    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var columns = columnsNeeded.ToArray();
        Prepare(columns);
        return inner.GetRowCursor(columns, rand);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var columns = columnsNeeded.ToArray();
        Prepare(columns);
        return inner.GetRowCursorSet(columns, n, rand);
    }

    private void Prepare(DataViewSchema.Column[] columns)
    {
        if (columns.Any(c => c.Index == storyColumn)) _ = _prepared.Value;
    }
}
