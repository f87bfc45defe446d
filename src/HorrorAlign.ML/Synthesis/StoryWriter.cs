using System.Diagnostics.CodeAnalysis;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Synthesis;

/// <summary>
/// Writes template stories for a spec: the chosen (preferred) story and, for preference pairs, a rejected story of a
/// given <see cref="PairKind"/>.
/// <para>
/// A chosen story has six sentences: an opener (protagonist, setting), the taboo statement (supporting character), an
/// object sentence, an escalation, the twist reveal and an unsettling ending, laid out as 2 to 4 paragraphs. Every
/// choice (templates, layout, whether the rule comes first) is drawn from the caller's seeded <see cref="Random"/>
/// into a plan. A hard rejected story re-renders the SAME plan with exactly one part changed, so chosen and rejected
/// share most of their text and differ only on the constraint the kind names; a <see cref="PairKind.RepeatedSpan"/>
/// rejection is the chosen text itself with a loop injected (see <see cref="StoryLoops"/>).
/// </para>
/// </summary>
internal sealed class StoryWriter
{
    /// <summary>How many plans <see cref="TryWritePair"/> and <see cref="TryWriteChosen"/> try before giving up on a spec.</summary>
    public const int MaxAttempts = 8;

    // Paragraph sizes over the six sentences; the chosen layouts all have 2 to 4 paragraphs.
    private static readonly int[][] Layouts = [[4, 2], [2, 3, 1], [3, 2, 1], [1, 3, 1, 1], [2, 2, 1, 1], [3, 1, 1, 1]];
    private static readonly int[][] WrongLayouts = [[6], [1, 1, 2, 1, 1], [1, 1, 1, 1, 1, 1]];

    private readonly NameIndex _knownNames;

    /// <summary>Creates a writer.</summary>
    /// <param name="pools">Pools whose names stand in for a wrong character (default: <see cref="ValuePools.Default"/>).
    /// Pass the training pools so held-out names never appear in training text.</param>
    /// <param name="knownNames">Names the checks treat as possible wrong characters (default: <paramref name="pools"/>'
    /// names). Pass every pool name, held-out ones included, to verify stories the way evaluation will.</param>
    public StoryWriter(ValuePools? pools = null, IEnumerable<string>? knownNames = null)
    {
        Pools = pools ?? ValuePools.Default;
        _knownNames = new NameIndex(knownNames ?? Pools.Names);
    }

    /// <summary>The pools wrong-character names are drawn from.</summary>
    public ValuePools Pools { get; }

    /// <summary>Checks a story with this writer's known names.</summary>
    public StoryCheckResult Check(StorySpec spec, string story) => StoryChecks.Check(spec, story, _knownNames);

    /// <summary>One plan's template draws; the rejected variants of a pair re-render it.</summary>
    private readonly record struct StoryPlan(int Opener, int Taboo, int Object, int Escalation, int Twist, int Ending, int Layout, bool TabooFirst);

    // A paragraph that opens with a character's name spells it as a bare token ("Andrew" after a line break) that never
    // occurs in the prompt (" Andrew"), so a model cannot copy an unseen name there: redraw such plans.
    private static StoryPlan DrawPlan(Random rng)
    {
        StoryPlan plan;
        do plan = DrawAnyPlan(rng); while (OpensAParagraphWithAName(plan));
        return plan;
    }

    private static bool OpensAParagraphWithAName(StoryPlan plan)
    {
        string[] templates = Sentences(plan);
        int start = 0;
        foreach (int size in Layouts[plan.Layout])
        {
            if (templates[start].StartsWith("{P", StringComparison.Ordinal) || templates[start].StartsWith("{S", StringComparison.Ordinal))
                return true;
            start += size;
        }
        return false;
    }

    private static StoryPlan DrawAnyPlan(Random rng) => new(
        rng.Next(StoryTemplates.Openers.Length), rng.Next(StoryTemplates.TabooStatements.Length),
        rng.Next(StoryTemplates.ObjectSentences.Length), rng.Next(StoryTemplates.Escalations.Length),
        rng.Next(StoryTemplates.TwistReveals.Length), rng.Next(StoryTemplates.Endings.Length),
        rng.Next(Layouts.Length), rng.Next(4) == 0);

    /// <summary>The plan's six sentence templates in story order.</summary>
    private static string[] Sentences(StoryPlan plan)
    {
        string opener = StoryTemplates.Openers[plan.Opener], taboo = StoryTemplates.TabooStatements[plan.Taboo];
        return
        [
            plan.TabooFirst ? taboo : opener, plan.TabooFirst ? opener : taboo,
            StoryTemplates.ObjectSentences[plan.Object], StoryTemplates.Escalations[plan.Escalation],
            StoryTemplates.TwistReveals[plan.Twist], StoryTemplates.Endings[plan.Ending],
        ];
    }

    private static string Render(StorySlots slots, string[] templates, int[] layout, int ending = -1, StorySlots? endingSlots = null)
    {
        var paragraphs = new List<string>(layout.Length);
        int next = 0;
        foreach (int size in layout)
        {
            var sentences = new string[size];
            for (int i = 0; i < size; i++, next++)
                sentences[i] = (next == ending && endingSlots is not null ? endingSlots : slots).Fill(templates[next]);
            paragraphs.Add(string.Join(' ', sentences));
        }
        return string.Join("\n\n", paragraphs);
    }

    /// <summary>Draws and renders one chosen story, unverified. Built-in pools and templates always pass every
    /// <see cref="StoryChecks"/> check (the tests hold them to it); <see cref="TryWriteChosen"/> verifies.</summary>
    public string WriteChosen(StorySpec spec, Random rng)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(rng);
        var plan = DrawPlan(rng);
        return Render(new StorySlots(spec), Sentences(plan), Layouts[plan.Layout]);
    }

    /// <summary>Writes a chosen story that passes every check, trying up to <see cref="MaxAttempts"/> plans (custom
    /// pools can hold values that no plan satisfies, e.g. a twist containing a gore word).</summary>
    public bool TryWriteChosen(StorySpec spec, Random rng, [NotNullWhen(true)] out string? story)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            story = WriteChosen(spec, rng);
            if (Check(spec, story).AllPassed) return true;
        }
        story = null;
        return false;
    }

    /// <summary>
    /// Writes a verified preference pair: the chosen story passes every check; for a hard kind the rejected story fails
    /// exactly <see cref="PairKindChecks.TargetCheck"/> and passes all others; for <see cref="PairKind.Contrastive"/>
    /// it fails at least one. Tries up to <see cref="MaxAttempts"/> plans; false when none qualifies (the spec's own
    /// values can make a kind impossible, e.g. a twist that another of its values already states).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a template kind.</exception>
    public bool TryWritePair(StorySpec spec, PairKind kind, Random rng,
        [NotNullWhen(true)] out string? chosen, [NotNullWhen(true)] out string? rejected)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(rng);
        if (!kind.IsTemplate())
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"'{kind.ToName()}' pairs are mined from a model's stories, not written from templates.");
        var slots = new StorySlots(spec);
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var plan = DrawPlan(rng);
            string[] templates = Sentences(plan);
            chosen = Render(slots, templates, Layouts[plan.Layout]);
            rejected = kind switch
            {
                PairKind.Contrastive => WriteWholesome(slots, rng),
                // A loop is injected into the rendered text, the way a model loops while writing it.
                PairKind.RepeatedSpan => StoryLoops.Inject(spec, chosen, rng),
                _ => WriteHardRejected(spec, slots, templates, plan, kind, rng),
            };
            if (rejected is null || !Check(spec, chosen).AllPassed) continue;
            var failures = Check(spec, rejected).Failures;
            bool qualifies = kind.TargetCheck() is { } target ? failures.Count == 1 && failures[0] == target : failures.Count > 0;
            if (qualifies) return true;
        }
        chosen = rejected = null;
        return false;
    }

    private string? WriteHardRejected(StorySpec spec, StorySlots slots, string[] templates, StoryPlan plan, PairKind kind, Random rng)
    {
        const int Escalation = 3, Twist = 4, Ending = 5; // positions in the six-sentence plan
        int tabooIndex = plan.TabooFirst ? 0 : 1;
        string[] changed = (string[])templates.Clone();
        int[] layout = Layouts[plan.Layout];
        switch (kind)
        {
            case PairKind.IgnoresTaboo:
                changed[tabooIndex] = Pick(RejectionTemplates.TabooFree, rng);
                break;
            case PairKind.MissingTwist:
                changed[Twist] = Pick(RejectionTemplates.TwistFree, rng);
                break;
            case PairKind.WrongParagraphCount:
                layout = Pick(WrongLayouts, rng);
                break;
            case PairKind.HappyEnding:
                changed[Ending] = Pick(RejectionTemplates.HappyEndings, rng);
                break;
            case PairKind.GraphicGore:
                changed[Escalation] = Pick(RejectionTemplates.Graphic, rng);
                break;
            case PairKind.WrongCharacter:
                // The ending names someone else: the protagonist is still named earlier, so only the wrong-name check fails.
                string? other = OtherName(spec, rng);
                return other is null ? null : Render(slots, changed, layout, Ending, new StorySlots(spec, protagonistAs: other));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a hard pair kind.");
        }
        return Render(slots, changed, layout);
    }

    private string? OtherName(StorySpec spec, Random rng)
    {
        var candidates = Pools.Names.Where(n => !string.Equals(n, spec.Protagonist, StringComparison.OrdinalIgnoreCase) &&
            !string.Equals(n, spec.SupportingCharacter, StringComparison.OrdinalIgnoreCase)).ToList();
        return candidates.Count == 0 ? null : candidates[rng.Next(candidates.Count)];
    }

    /// <summary>The original pipeline's wholesome story: three paragraphs, the taboo a joke, the twist a harmless
    /// coincidence, a cosy ending.</summary>
    private static string WriteWholesome(StorySlots slots, Random rng)
    {
        string[] templates =
        [
            Pick(RejectionTemplates.WholesomeOpeners, rng), Pick(RejectionTemplates.TabooJokes, rng),
            Pick(RejectionTemplates.WholesomeObjects, rng), Pick(RejectionTemplates.TwistCoincidences, rng),
            Pick(RejectionTemplates.CosyEndings, rng),
        ];
        return Render(slots, templates, [2, 2, 1]);
    }

    private static T Pick<T>(T[] items, Random rng) => items[rng.Next(items.Length)];
}
