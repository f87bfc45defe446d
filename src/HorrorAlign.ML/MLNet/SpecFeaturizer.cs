using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Specs;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HorrorAlign.ML;

/// <summary>
/// Turns the seven story-spec text columns (<c>title, setting, protagonist, supporting_character, object, taboo,
/// twist</c>) into the instruction prompt column the model reads (<see cref="StorySpec.ToPrompt"/>, byte for byte the
/// original pipeline's format). Input that has no spec column but already a prompt column is passed through unchanged.
/// Create it with <c>mlContext.StoryGeneration().FeaturizeSpec()</c>.
/// </summary>
public sealed class SpecFeaturizer : IEstimator<SpecFeaturizerTransformer>
{
    /// <summary>Options of <see cref="SpecFeaturizer"/>.</summary>
    public sealed class Options
    {
        /// <summary>The prompt column to create (or, without spec columns, to pass through). Default "Prompt".</summary>
        public string OutputColumnName = StoryColumnNames.Prompt;
    }

    readonly MLContext _ml;
    readonly Options _options;

    internal SpecFeaturizer(MLContext mlContext, Options options)
    {
        _ml = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName, "options.OutputColumnName");
    }

    /// <summary>
    /// Checks the columns and every row's spec (an invalid spec fails here with its row number and field name), then
    /// returns the transformer.
    /// </summary>
    public SpecFeaturizerTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        bool fromSpec = SpecFeaturizerTransformer.CheckColumns(input.Schema, _options.OutputColumnName);
        if (!fromSpec)
            return new SpecFeaturizerTransformer(new TransformerChain<ITransformer>(), _options.OutputColumnName, fromSpec: false);
        ValidateRows(input);
        return new SpecFeaturizerTransformer(InnerPipelines.FeaturizeStage(_ml, _options.OutputColumnName).Fit(input),
            _options.OutputColumnName, fromSpec: true);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        bool anySpec = StoryColumnNames.SpecFields.Any(f => SchemaChecks.Has(inputSchema, f));
        if (!anySpec)
        {
            SchemaChecks.RequireText(inputSchema, _options.OutputColumnName, SpecFeaturizerTransformer.NeitherRole);
            return inputSchema;
        }
        foreach (var field in StoryColumnNames.SpecFields) SchemaChecks.RequireText(inputSchema, field, $"story spec field '{field}'");
        return InnerPipelines.FeaturizeStage(_ml, _options.OutputColumnName).GetOutputSchema(inputSchema);
    }

    static void ValidateRows(IDataView input)
    {
        foreach (var _ in SpecRows.Read(input)) { } // each spec is validated as it is read
    }
}

/// <summary>The fitted <see cref="SpecFeaturizer"/>: adds the prompt column (or passes a ready-made one through).</summary>
public sealed class SpecFeaturizerTransformer : StoryTransformerBase
{
    internal const string NeitherRole =
        "the ready-made prompt; the input has none of the story spec columns title, setting, protagonist, " +
        "supporting_character, object, taboo, twist either";

    internal SpecFeaturizerTransformer(ITransformer inner, string outputColumnName, bool fromSpec) : base(inner)
    {
        OutputColumnName = outputColumnName;
        FromSpec = fromSpec;
    }

    /// <summary>The prompt column.</summary>
    public string OutputColumnName { get; }

    /// <summary>True when the prompt is built from the spec columns; false when a ready-made prompt is passed through.</summary>
    public bool FromSpec { get; }

    private protected override void CheckInputSchema(DataViewSchema inputSchema)
    {
        if (FromSpec)
            foreach (var field in StoryColumnNames.SpecFields) SchemaChecks.RequireText(inputSchema, field, $"story spec field '{field}'");
        else
            SchemaChecks.RequireText(inputSchema, OutputColumnName, "the ready-made prompt");
    }

    /// <summary>Checks the columns; true when the prompt is to be built from spec columns.</summary>
    internal static bool CheckColumns(DataViewSchema schema, string promptColumn)
    {
        bool anySpec = StoryColumnNames.SpecFields.Any(f => SchemaChecks.Has(schema, f));
        if (!anySpec)
        {
            SchemaChecks.RequireText(schema, promptColumn, NeitherRole);
            return false;
        }
        foreach (var field in StoryColumnNames.SpecFields) SchemaChecks.RequireText(schema, field, $"story spec field '{field}'");
        return true;
    }
}
