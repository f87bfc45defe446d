using HorrorAlign.ML.Synthesis;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// The LLM teacher's flags of <c>data --provider openai</c>: <c>--teacher-model --temperature --max-output-tokens
/// --batch-size --teacher-attempts --max-calls --max-total-tokens --max-consecutive-failures --fallback</c>, bound to
/// <see cref="TeacherOptions"/>.
/// </summary>
public sealed class TeacherOptionsBinder : OptionsBinder<TeacherOptions>
{
    /// <param name="shownDefaults">Defaults help shows; null shows none.</param>
    public TeacherOptionsBinder(TeacherOptions? shownDefaults = null) : base(shownDefaults)
    {
        Bind(CliOption.Create<string>("--teacher-model", "The teacher model, e.g. deepseek-chat or gpt-4o-mini (needed with --provider openai).", "NAME"),
            nameof(TeacherOptions.Model), o => o.Model, (o, v) => o with { Model = v });
        Bind(CliOption.Create<double>("--temperature", "The teacher's sampling temperature.", "T").Require(v => v >= 0 && double.IsFinite(v), "must be >= 0"),
            nameof(TeacherOptions.Temperature), o => o.Temperature, (o, v) => o with { Temperature = v });
        Bind(CliOption.Create<int>("--max-output-tokens", "Most tokens one call may write (all the stories of a batch).", "N").AtLeast(1),
            nameof(TeacherOptions.MaxOutputTokens), o => o.MaxOutputTokens, (o, v) => o with { MaxOutputTokens = v });
        Bind(CliOption.Create<int>("--batch-size", "Specs per call (one: the story comes back as text; several: as a JSON array).", "N").AtLeast(1),
            nameof(TeacherOptions.BatchSize), o => o.BatchSize, (o, v) => o with { BatchSize = v });
        Bind(CliOption.Create<int>("--teacher-attempts", "Times a spec is asked for when its story fails a check; then it keeps its template story.", "N").AtLeast(1),
            nameof(TeacherOptions.AttemptsPerRow), o => o.AttemptsPerRow, (o, v) => o with { AttemptsPerRow = v });
        Bind(CliOption.Create<int?>("--max-calls", "Budget: most paid calls (cache hits are free). Default: no limit.", "N")
                .Require(v => v is null or >= 0, "must not be negative"),
            nameof(TeacherOptions.MaxCalls), o => o.MaxCalls, (o, v) => o with { MaxCalls = v });
        Bind(CliOption.Create<long?>("--max-total-tokens", "Budget: most tokens, input and output, over the paid calls (checked before each call). Default: no limit.", "N")
                .Require(v => v is null or >= 0, "must not be negative"),
            nameof(TeacherOptions.MaxTotalTokens), o => o.MaxTotalTokens, (o, v) => o with { MaxTotalTokens = v });
        Bind(CliOption.Create<int>("--max-consecutive-failures", "Calls in a row that may fail before the teacher gives up (see --fallback).", "N").AtLeast(1),
            nameof(TeacherOptions.MaxConsecutiveFailures), o => o.MaxConsecutiveFailures, (o, v) => o with { MaxConsecutiveFailures = v });
        Bind(CliOption.Create<string>("--fallback", "When the teacher gives up or a budget is spent: the rows left keep their template stories, or the command stops (exit 1).")
                .OneOf("template", "stop"),
            nameof(TeacherOptions.Fallback), o => o.Fallback == TeacherFallback.Stop ? "stop" : "template",
            (o, v) => o with { Fallback = v == "stop" ? TeacherFallback.Stop : TeacherFallback.Template });
    }

    /// <inheritdoc />
    protected override void Validate(TeacherOptions options) => options.Validate();
}
