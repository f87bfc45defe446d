using HorrorAlign.ML.Data;
using HorrorAlign.ML.Specs;
using Microsoft.ML.Data;

namespace HorrorAlign.ML;

/// <summary>
/// The seven story-spec columns under the names <see cref="SpecFeaturizer"/> reads (<c>title</c>, <c>setting</c>, …,
/// <c>twist</c>; <see cref="StoryColumnNames.SpecFields"/>), shared by <see cref="StorySpecInput"/> and
/// <see cref="StoryPairInput"/>.
/// </summary>
public abstract class StorySpecColumns
{
    private protected StorySpecColumns() { }

    /// <summary>Story title.</summary>
    [ColumnName("title")] public string Title { get; set; } = "";
    /// <summary>Where it happens.</summary>
    [ColumnName("setting")] public string Setting { get; set; } = "";
    /// <summary>Main character's first name.</summary>
    [ColumnName("protagonist")] public string Protagonist { get; set; } = "";
    /// <summary>Second character's first name.</summary>
    [ColumnName("supporting_character")] public string SupportingCharacter { get; set; } = "";
    /// <summary>The important object.</summary>
    [ColumnName("object")] public string Object { get; set; } = "";
    /// <summary>The taboo rule.</summary>
    [ColumnName("taboo")] public string Taboo { get; set; } = "";
    /// <summary>The twist.</summary>
    [ColumnName("twist")] public string Twist { get; set; } = "";

    /// <summary>Copies the seven fields of <paramref name="spec"/> into this row.</summary>
    private protected void SetSpec(StorySpec spec)
    {
        (Title, Setting, Protagonist, SupportingCharacter) = (spec.Title, spec.Setting, spec.Protagonist, spec.SupportingCharacter);
        (Object, Taboo, Twist) = (spec.Object, spec.Taboo, spec.Twist);
    }
}

/// <summary>
/// A row holding one story spec in the seven spec columns. Use it with <c>mlContext.Data.LoadFromEnumerable</c> or as
/// the input type of a <c>PredictionEngine&lt;StorySpecInput, StoryPrediction&gt;</c>.
/// </summary>
public sealed class StorySpecInput : StorySpecColumns
{
    /// <summary>The row of <paramref name="spec"/>.</summary>
    public static StorySpecInput FromSpec(StorySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var row = new StorySpecInput();
        row.SetSpec(spec);
        return row;
    }
}

/// <summary>
/// A training row for the whole chain (FeaturizeSpec → Sft → Dpo): a spec in the seven spec columns, the preferred
/// story ("Chosen": the SFT target and DPO's chosen response) and the dispreferred one ("Rejected").
/// </summary>
/// <remarks>
/// One data view of these rows trains both stages: <see cref="SftTrainer"/> learns every row's chosen story, and
/// <see cref="DpoTrainer"/> trains on the rows that have a rejected story. A row with an empty <see cref="Rejected"/>
/// (<see cref="FromExample"/>) is an SFT-only example; a row with both (<see cref="FromPair"/>) serves both stages.
/// </remarks>
public sealed class StoryPairInput : StorySpecColumns
{
    /// <summary>The preferred story: the SFT target, and DPO's chosen response.</summary>
    public string Chosen { get; set; } = "";
    /// <summary>The dispreferred story; empty for an SFT-only example (DPO skips the row).</summary>
    public string Rejected { get; set; } = "";

    /// <summary>The row of a supervised example (its spec, or the spec parsed from its prompt): its response as
    /// <see cref="Chosen"/> and an empty <see cref="Rejected"/>, so SFT trains on it and DPO skips it.</summary>
    /// <exception cref="FormatException">The example has no spec and its prompt is not a story prompt.</exception>
    public static StoryPairInput FromExample(SftExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var spec = example.Spec ?? StorySpec.FromPrompt(example.Prompt);
        var row = new StoryPairInput { Chosen = example.Response, Rejected = "" };
        row.SetSpec(spec);
        return row;
    }

    /// <summary>The row of a generated or loaded preference pair (its spec, or the spec parsed from its prompt): SFT trains
    /// on its chosen story, DPO on the pair.</summary>
    /// <exception cref="FormatException">The pair has no spec and its prompt is not a story prompt.</exception>
    public static StoryPairInput FromPair(PreferencePair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var spec = pair.Spec ?? StorySpec.FromPrompt(pair.Prompt);
        var row = new StoryPairInput { Chosen = pair.Chosen, Rejected = pair.Rejected };
        row.SetSpec(spec);
        return row;
    }
}

/// <summary>The output row of a story pipeline: the generated story (<see cref="StoryColumnNames.Story"/>).</summary>
public sealed class StoryPrediction
{
    string? _story;

    /// <summary>The generated story.</summary>
    /// <exception cref="InvalidDataException">The model that made this prediction wrote no story column: it holds no
    /// HorrorAlign story model (a foreign zip). ML.NET's prediction engine leaves a missing column's field unset rather
    /// than failing, so this is the first place that can tell.</exception>
    public string Story
    {
        get => _story ?? throw StoryModelZip.Foreign("The model that made this prediction");
        set => _story = value;
    }
}
