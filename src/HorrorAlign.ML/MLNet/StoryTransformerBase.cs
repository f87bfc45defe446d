using Microsoft.ML;
using Microsoft.ML.Data;

namespace HorrorAlign.ML;

/// <summary>
/// Base of the public HorrorAlign transformers. Each one is a typed face over an inner chain of built-in ML.NET
/// transformers that does the work and that <c>mlContext.Model.Save</c> persists (its <see cref="ICanSaveModel.Save"/>
/// forwards to the inner chain). After <c>mlContext.Model.Load</c> you get that built-in chain back, not this type;
/// use <see cref="StoryModelZip"/> to reach the model in it.
/// </summary>
public abstract class StoryTransformerBase : ITransformer, IDisposable
{
    private protected StoryTransformerBase(ITransformer inner) => Inner = inner;

    /// <summary>The chain of built-in transformers this transformer is saved as.</summary>
    internal ITransformer Inner { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => Inner.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInputSchema(inputSchema);
        return Inner.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInputSchema(inputSchema);
        Reacquire();
        return Inner.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInputSchema(input.Schema);
        Reacquire();
        return Output(Inner.Transform(input), input);
    }

    /// <summary>What <see cref="Transform"/> returns for the inner chain's <paramref name="output"/> of <paramref name="input"/>;
    /// the default returns it as it is.</summary>
    private protected virtual IDataView Output(IDataView output, IDataView input) => output;

    void ICanSaveModel.Save(ModelSaveContext ctx) => Inner.Save(ctx);

    /// <summary>Takes back ownership of an owned model released by <see cref="Dispose()"/>, when used again.</summary>
    private protected virtual void Reacquire() { }

    /// <summary>Throws a clear error when a required column is missing or has the wrong type.</summary>
    private protected abstract void CheckInputSchema(DataViewSchema inputSchema);

    /// <summary>
    /// Releases the native memory of the model this transformer owns, if any (unless another transformer still owns the
    /// same model). ML.NET disposes a model together with a <c>PredictionEngine</c> made from it, so the transformer stays
    /// usable: used again, it decodes its model again from the stored bytes.
    /// </summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases owned resources.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing) { }
}
