using System.Globalization;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Reporting;
using HorrorAlign.ML.Specs;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign generate --model PATH</c> with one input mode: <c>--prompt TEXT</c>, <c>--spec FILE.json</c>,
/// <c>--specs FILE.jsonl --out FILE.jsonl</c> (batch; rows <c>{"id","prompt","story"}</c>) or <c>--interactive</c>
/// (a REPL). Sampling: <c>--top-p --top-k --temperature --repetition-penalty --no-repeat-ngram --max-new-tokens --enforce-fields --seed</c>. The original's
/// spellings work too: <c>--checkpoint</c> for <c>--model</c>, <c>--mode oneshot|repl</c>, <c>--top_p</c>,
/// <c>--max_new_tokens</c>; as there, <c>--top-p 0</c> (or less) means greedy decoding.
/// </summary>
public static class GenerateCommand
{
    /// <summary>Reads the sampling flags shared by <c>generate</c>, <c>evaluate</c> and <c>train</c> (its evaluation).</summary>
    /// <param name="a">The arguments.</param>
    /// <param name="defaults">Values for flags not given.</param>
    /// <param name="readSeed">Whether <c>--seed</c> is the sampling seed (false in <c>train</c>, where it seeds everything).</param>
    public static SamplingOptions ReadSampling(CliArgs a, SamplingOptions defaults, bool readSeed = true)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(defaults);
        var sampling = defaults with
        {
            Temperature = a.Double("temperature") ?? defaults.Temperature,
            TopP = a.Double("top-p") ?? defaults.TopP,
            TopK = a.Int("top-k") ?? defaults.TopK,
            RepetitionPenalty = a.Double("repetition-penalty") ?? defaults.RepetitionPenalty,
            NoRepeatNGramSize = a.Int("no-repeat-ngram", "no-repeat-ngram-size") ?? defaults.NoRepeatNGramSize,
            MaxNewTokens = a.Int("max-new-tokens") ?? defaults.MaxNewTokens,
            EnforceFields = a.Bool("enforce-fields") ?? defaults.EnforceFields,
            Seed = (readSeed ? a.Int("seed") : null) ?? defaults.Seed,
        };
        // The original's convention: top_p <= 0 is greedy decoding.
        if (sampling.TopP <= 0) sampling = sampling with { Temperature = 0, TopP = 1 };
        try
        {
            sampling.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
        return sampling;
    }

    /// <summary>Runs the command.</summary>
    public static int Run(CliArgs a, CancellationToken ct) => Run(a, ct, AnsiConsole.Console, Console.In);

    /// <summary>Runs the command with the given console and input (for tests).</summary>
    public static int Run(CliArgs a, CancellationToken ct, IAnsiConsole console, TextReader input)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(console);
        string modelPath = a.String("model", "checkpoint") ?? throw new CliException("generate needs --model PATH (a run's model.zip)");
        string? prompt = a.String("prompt");
        string? specFile = a.String("spec");
        string? specsFile = a.String("specs");
        string? outFile = a.String("out");
        string? mode = a.String("mode");
        bool interactive = a.Has("interactive") || mode == "repl";
        if (mode is not null and not "oneshot" and not "repl") throw new CliException($"--mode must be 'oneshot' or 'repl', got '{mode}'");
        bool quiet = a.Has("quiet");
        var sampling = ReadSampling(a, new SamplingOptions());
        a.ThrowIfUnknown();

        int inputs = (prompt is null ? 0 : 1) + (specFile is null ? 0 : 1) + (specsFile is null ? 0 : 1) + (interactive ? 1 : 0);
        if (inputs != 1)
            throw new CliException("generate needs exactly one input: --prompt TEXT, --spec FILE.json, --specs FILE.jsonl --out FILE.jsonl, or --interactive");
        if (specsFile is not null && outFile is null) throw new CliException("--specs needs --out FILE.jsonl for the generated rows");
        if (specsFile is null && outFile is not null) throw new CliException("--out is only used with --specs");

        using var model = ModelArchive.Load(modelPath);
        // One sequence at a time is hundreds of tiny ops, which one intra-op thread runs faster than two (bench, 2 vCPUs,
        // the app's PASSIVE wait policy: 569 vs 357 new tokens/s); --specs writes one story per core instead.
        using var threads = TorchThreads.Use(specsFile is null ? 1 : 0);
        var output = console.Profile.Out.Writer;
        if (prompt is not null)
        {
            output.WriteLine(TextGenerator.Generate(model, Unescape(prompt), sampling));
        }
        else if (specFile is not null)
        {
            var spec = ReadSpecFile(specFile);
            string story = TextGenerator.Generate(model, spec.ToPrompt(), sampling);
            output.WriteLine(story);
            if (!quiet) Console.Error.WriteLine("checks: " + StoryChecks.Check(spec, story));
        }
        else if (specsFile is not null)
        {
            int n = GenerateBatch(model, StorySpecFile.Read(specsFile), outFile!, sampling, quiet ? null : console, ct);
            if (!quiet) console.MarkupLine(Markup.Escape($"wrote {n} stories to {outFile}"));
        }
        else
        {
            Repl(model, sampling, console, input, ct);
        }
        return 0;
    }

    /// <summary>
    /// Writes one row <c>{"id","prompt","story"}</c> per spec, in order; story i is sampled with seed
    /// <c>sampling.Seed + i</c> (as <see cref="TextGenerator.GenerateBatch"/> and the evaluator do). The id is the
    /// spec's own, else its 1-based position.
    /// </summary>
    public static int GenerateBatch(StoryModel model, IReadOnlyList<StorySpec> specs, string outFile, SamplingOptions sampling,
        IAnsiConsole? console, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(specs);
        string[] prompts = [.. specs.Select(s => s.ToPrompt())];
        IReadOnlyList<string> stories = [];
        // One story per core at a time (see ParallelPrompts); the stories do not depend on how many run at once.
        void GenerateAll(IProgress<int>? advanced) =>
            stories = TextGenerator.GenerateBatch(model, prompts, sampling, Environment.ProcessorCount, advanced, ct);

        if (console is null) GenerateAll(null);
        else RunProgress.Run(OutputMode.Rich, console, p =>
        {
            p.Stage("generate", "generating", specs.Count);
            GenerateAll(new InlineProgress<int>(done => p.Update("generate", done, detail: $"{done}/{specs.Count}")));
            p.Complete("generate");
            return 0;
        });

        var rows = specs.Select((spec, i) => (Id: spec.Id ?? (i + 1).ToString(CultureInfo.InvariantCulture), Prompt: prompts[i], Story: stories[i])).ToArray();
        Jsonl.Write(outFile, rows, static (w, row) =>
        {
            w.WriteStartObject();
            w.WriteString("id", row.Id);
            w.WriteString("prompt", row.Prompt);
            w.WriteString("story", row.Story);
            w.WriteEndObject();
        });
        return rows.Length;
    }

    /// <summary>
    /// A read-generate-print loop. A line is a prompt (write <c>\n</c> for a line break, as in the original's
    /// examples); a line starting with <c>{</c> is a spec as JSON; <c>:spec</c> asks for the seven fields one by one;
    /// <c>:quit</c> or end of input leaves.
    /// </summary>
    private static void Repl(StoryModel model, SamplingOptions sampling, IAnsiConsole console, TextReader input, CancellationToken ct)
    {
        var output = console.Profile.Out.Writer;
        output.WriteLine("horroralign interactive: type a prompt (\\n = line break), a spec as JSON, :spec to fill one in, or :quit.");
        int turn = 0;
        while (!ct.IsCancellationRequested)
        {
            output.Write("prompt> ");
            output.Flush();
            string? line = input.ReadLine();
            if (line is null || line.Trim() is ":quit" or ":q" or "exit" or "quit") break;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                StorySpec? spec = null;
                string prompt;
                if (line.TrimStart().StartsWith('{')) prompt = (spec = StorySpec.FromJson(line)).ToPrompt();
                else if (line.Trim() == ":spec")
                {
                    spec = AskSpec(output, input);
                    if (spec is null) break;
                    prompt = spec.ToPrompt();
                }
                else prompt = Unescape(line);
                // A new seed per turn, so asking twice gives two different stories (reproducible from the start seed).
                string story = TextGenerator.Generate(model, prompt, sampling with { Seed = unchecked(sampling.Seed + turn++) });
                output.WriteLine();
                output.WriteLine(story);
                if (spec is not null) output.WriteLine("\n[checks: " + StoryChecks.Check(spec, story) + "]");
                output.WriteLine();
            }
            catch (Exception e) when (e is FormatException or ArgumentException) // SpecValidationException is a FormatException
            {
                output.WriteLine("error: " + e.Message);
            }
        }
    }

    private static StorySpec? AskSpec(TextWriter output, TextReader input)
    {
        string? Ask(string label)
        {
            output.Write($"  {label}: ");
            output.Flush();
            return input.ReadLine()?.Trim();
        }
        string?[] v = [Ask("Title"), Ask("Setting"), Ask("Protagonist"), Ask("Supporting character"), Ask("Important object"), Ask("Taboo rule"), Ask("Twist")];
        if (v.Any(x => x is null)) return null;
        return new StorySpec(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!).Validate();
    }

    private static StorySpec ReadSpecFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Spec file not found: {path}", path);
        try
        {
            return StorySpec.FromJson(File.ReadAllText(path));
        }
        catch (SpecValidationException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Turns the two-character escapes <c>\n</c>, <c>\t</c> and <c>\\</c> of a command-line prompt into their characters.</summary>
    public static string Unescape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new System.Text.StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is 'n' or 't' or '\\')
            {
                sb.Append(text[++i] switch { 'n' => '\n', 't' => '\t', _ => '\\' });
                continue;
            }
            sb.Append(text[i]);
        }
        return sb.ToString();
    }
}
