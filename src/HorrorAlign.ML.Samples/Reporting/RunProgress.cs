using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Training;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Reporting;

/// <summary>How a long-running command reports progress.</summary>
public enum OutputMode
{
    /// <summary>Live Spectre.Console progress bars with an ETA, then tables.</summary>
    Rich,
    /// <summary>Nothing but errors and the final line (for CI logs).</summary>
    Quiet,
    /// <summary>One JSON object per line on stdout: stages, every training log entry, messages, the final summary.</summary>
    Json,
}

/// <summary>
/// Progress of a multi-stage run (data, SFT, DPO, evaluation…) in one of the three <see cref="OutputMode"/>s. Stages
/// are keyed by short names; in rich mode each is a progress bar whose description shows the latest metrics.
/// All calls come from the thread doing the work (the training loop reports synchronously).
/// </summary>
public sealed class RunProgress
{
    private static readonly JsonWriterOptions JsonLineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly OutputMode _mode;
    private readonly IAnsiConsole _console;
    private readonly ProgressContext? _context;
    private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _titles = new(StringComparer.Ordinal);

    private RunProgress(OutputMode mode, IAnsiConsole console, ProgressContext? context)
    {
        _mode = mode;
        _console = console;
        _context = context;
    }

    /// <summary>The output mode.</summary>
    public OutputMode Mode => _mode;

    /// <summary>Runs <paramref name="body"/> with progress reporting in <paramref name="mode"/> and returns its result.</summary>
    public static T Run<T>(OutputMode mode, IAnsiConsole console, Func<RunProgress, T> body)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(body);
        // Live bars need a terminal; redirected output gets one plain line per finished stage instead.
        if (mode != OutputMode.Rich || !console.Profile.Capabilities.Interactive) return body(new RunProgress(mode, console, null));
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => body(new RunProgress(mode, console, ctx)));
    }

    /// <summary>Shows one report of the library's pipeline.</summary>
    public void Report(PipelineProgress e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e.Kind)
        {
            case PipelineProgressKind.Started: Stage(e.Stage, e.Title, e.Total); break;
            case PipelineProgressKind.Advanced: Update(e.Stage, e.Done, detail: e.Detail); break;
            case PipelineProgressKind.Completed: Complete(e.Stage, e.Detail); break;
            case PipelineProgressKind.Training when e.Metrics is { } m: Training(e.Stage, m); break;
            case PipelineProgressKind.Evaluation when e.Evaluation is { } p: Evaluation(e.Stage, p); break;
        }
    }

    /// <summary>Starts a stage of <paramref name="total"/> units (steps, stories, batches).</summary>
    public void Stage(string key, string title, double total)
    {
        _titles[key] = title;
        if (_context is not null)
        {
            var task = _tasks.TryGetValue(key, out var existing) ? existing : _tasks[key] = _context.AddTask(Markup.Escape(title), autoStart: true, maxValue: Math.Max(total, 1));
            task.MaxValue = Math.Max(total, 1);
        }
        if (_mode == OutputMode.Json) WriteJson("stage", w => { w.WriteString("stage", key); w.WriteString("title", title); w.WriteNumber("total", total); });
    }

    /// <summary>Moves a stage to <paramref name="value"/> (of <paramref name="total"/> when it changed) with an optional
    /// short detail such as the latest loss.</summary>
    public void Update(string key, double value, double? total = null, string? detail = null)
    {
        if (_context is null || !_tasks.TryGetValue(key, out var task)) return;
        if (total is { } t) task.MaxValue = Math.Max(t, 1);
        task.Value = Math.Min(value, task.MaxValue);
        if (detail is not null) task.Description = Markup.Escape($"{_titles[key]} {detail}");
    }

    /// <summary>Marks a stage finished.</summary>
    public void Complete(string key, string? detail = null)
    {
        if (_context is not null && _tasks.TryGetValue(key, out var task))
        {
            task.Value = task.MaxValue;
            if (detail is not null) task.Description = Markup.Escape($"{_titles[key]} {detail}");
            task.StopTask();
        }
        else if (_mode == OutputMode.Rich)
        {
            _console.MarkupLine(Markup.Escape($"{_titles.GetValueOrDefault(key, key)}: done{(detail is null ? "" : " - " + detail)}"));
        }
        if (_mode == OutputMode.Json) WriteJson("stage_done", w => { w.WriteString("stage", key); if (detail is not null) w.WriteString("detail", detail); });
    }

    /// <summary>Reports a training log entry or evaluation of stage <paramref name="key"/>.</summary>
    public void Training(string key, TrainingMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        string detail = m.IsEvaluation
            ? $"step {m.Step}/{m.TotalSteps} eval_loss {Format(m.Get(MetricNames.EvalLoss))}"
            : $"step {m.Step}/{m.TotalSteps} loss {Format(m.Get(MetricNames.Loss))}";
        Update(key, m.Step, m.TotalSteps, detail);
        if (_mode == OutputMode.Json)
            WriteJson("metrics", w => TrainingLogFile.WriteFields(w, m));
    }

    /// <summary>Reports evaluation progress of stage <paramref name="key"/>.</summary>
    public void Evaluation(string key, EvaluationProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        Update(key, p.Done, p.Total, $"{p.Phase} {p.Done}/{p.Total}");
    }

    /// <summary>A message line (rich: printed above the bars; JSON: a message object; quiet: dropped).</summary>
    public void Info(string message)
    {
        switch (_mode)
        {
            case OutputMode.Rich: _console.MarkupLine(Markup.Escape(message)); break;
            case OutputMode.Json: WriteJson("message", w => w.WriteString("text", message)); break;
        }
    }

    /// <summary>Writes one JSON line <c>{"event": name, …}</c> in JSON mode.</summary>
    public void WriteJson(string eventName, Action<Utf8JsonWriter> fields)
    {
        if (_mode != OutputMode.Json) return;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonLineOptions))
        {
            w.WriteStartObject();
            w.WriteString("event", eventName);
            fields(w);
            w.WriteEndObject();
        }
        _console.Profile.Out.Writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        _console.Profile.Out.Writer.Flush();
    }

    private static string Format(double? v) => v?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "n/a";
}
