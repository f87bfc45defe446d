using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Text;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Tests.Synthesis;

public class FreshValuesTests
{
    private static readonly Lazy<IReadOnlyList<StorySpec>> Specs = new(() =>
    {
        var rng = new Random(2024);
        return [.. Enumerable.Range(0, 3000).Select(_ => FreshValues.Spec(rng))];
    });

    private static readonly HashSet<string> PoolNames =
        new(ValuePools.Default.Names.Select(n => n.ToLowerInvariant()), StringComparer.Ordinal);

    private static IEnumerable<string> NonNameValues(StorySpec s) => [s.Title, s.Setting, s.Object, s.Taboo, s.Twist];

    private static List<string> Draw(Func<Random, string> draw, int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => draw(rng))];
    }

    private static bool IsFresh(StorySpec spec) =>
        !StorySpec.Fields.Select(f => f.Get(spec)).Any(v => ValuePools.AllValues.Contains(v, StringComparer.OrdinalIgnoreCase));

    [Fact]
    public void SameSeed_SameValues_DifferentSeed_Differs()
    {
        List<StorySpec> Specs(int seed)
        {
            var rng = new Random(seed);
            return [.. Enumerable.Range(0, 200).Select(_ => FreshValues.Spec(rng))];
        }
        Assert.Equal(Specs(7), Specs(7));
        Assert.NotEqual(Specs(7), Specs(8));
        Assert.Equal(Draw(FreshValues.Name, 100, 3), Draw(FreshValues.Name, 100, 3));
    }

    [Fact]
    public void Specs_AreValid_AndFollowThePoolsGrammar()
    {
        string[] consonantSounds = ["one", "uni", "use", "eu"];
        foreach (var spec in Specs.Value)
        {
            spec.Validate();
            Assert.NotEqual(spec.Protagonist, spec.SupportingCharacter, StringComparer.OrdinalIgnoreCase);
            // Same article rules as the built-in pools (see ValuePoolsTests): own article, "a"/"an" by sound.
            foreach (string phrase in new[] { spec.Setting, spec.Object })
            {
                Assert.Matches("^(a|an|the) [a-z]", phrase);
                Assert.False(phrase.StartsWith("a ", StringComparison.Ordinal) && "aeiou".Contains(phrase[2]) &&
                    !consonantSounds.Any(c => phrase[2..].StartsWith(c, StringComparison.Ordinal)), phrase);
                Assert.False(phrase.StartsWith("an ", StringComparison.Ordinal) && !"aeiouh".Contains(phrase[3]), phrase);
            }
            Assert.Matches("^(never|do not|always) [a-z]", spec.Taboo);
            Assert.Matches("^[a-z]", spec.Twist);
            // Title Case: every word capitalised except small function words after the first.
            string[] titleWords = spec.Title.Split(' ');
            Assert.All(titleWords.Select((w, i) => (w, i)), x => Assert.True(
                char.IsUpper(x.w[0]) || (x.i > 0 && x.w is "a" or "an" or "the" or "of" or "in" or "at" or "on" or "to"), spec.Title));
            foreach (string value in NonNameValues(spec))
            {
                // No sentence punctuation: a stray full stop would end a sentence mid-template.
                Assert.DoesNotContain(value, c => c is '.' or '!' or '?' or ';' or ':' or '"');
                Assert.Equal(value.Trim(), value);
                Assert.DoesNotContain("  ", value, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Values_AreEerieNotGraphicNotCheerful_AndNeverHoldAPoolName()
    {
        foreach (var spec in Specs.Value)
        {
            foreach (string value in NonNameValues(spec))
            {
                string[] words = StoryText.Words(value);
                Assert.DoesNotContain(words, StoryLexicon.Gore.Contains);
                Assert.DoesNotContain(words, PoolNames.Contains);
                Assert.DoesNotContain(StoryLexicon.HappyCues, cue => StoryText.ContainsSequence(words, cue.Split(' ')));
            }
            Assert.DoesNotContain(spec.Protagonist.ToLowerInvariant(), PoolNames);
            Assert.DoesNotContain(spec.SupportingCharacter.ToLowerInvariant(), PoolNames);
        }
    }

    [Fact]
    public void TaboosAndTwists_HaveKeyContent_AndObjectsAShortPhraseWithAHeadNoun()
    {
        foreach (var spec in Specs.Value)
        {
            Assert.True(StoryText.ContentStems(spec.Taboo).Count >= 2, spec.Taboo);
            Assert.True(StoryText.ContentStems(spec.Twist).Count >= 2, spec.Twist);
            Assert.DoesNotContain(SpecValues.NounPhrase(spec.Object)[^1], StoryText.StopWords);
            Assert.InRange(StoryText.Words(spec.Object).Length, 2, FreshValues.MaxObjectWords);
        }
    }

    [Fact]
    public void Names_ArePronounceableMadeUpWords_OfOneToThreeGpt2Tokens()
    {
        var names = Draw(FreshValues.Name, 2000, 11);
        // Every word the project's own English text uses (pool values, story and rejection templates, check
        // lexicons): a made-up name must be none of them.
        var englishText = ValuePools.AllValues.Concat(StoryTemplates.Openers).Concat(StoryTemplates.TabooStatements)
            .Concat(StoryTemplates.ObjectSentences).Concat(StoryTemplates.Escalations).Concat(StoryTemplates.TwistReveals)
            .Concat(StoryTemplates.Endings).Concat(RejectionTemplates.TabooFree).Concat(RejectionTemplates.TwistFree)
            .Concat(RejectionTemplates.HappyEndings).Concat(StoryLexicon.UnsettlingCues).Concat(StoryLexicon.HappyCues)
            .Concat(StoryText.StopWords).Concat(StoryLexicon.Gore);
        var englishWords = new HashSet<string>(englishText.SelectMany(StoryText.Words), StringComparer.Ordinal);
        englishWords.ExceptWith(PoolNames);
        var tokenCounts = new List<int>();
        foreach (string name in names)
        {
            Assert.Matches("^[A-Z][a-z]{2,6}$", name);
            Assert.DoesNotContain(name.ToLowerInvariant(), PoolNames);
            Assert.DoesNotContain(name.ToLowerInvariant(), englishWords);
            Assert.DoesNotMatch("[aeiouy]{3}", name.ToLowerInvariant());
            tokenCounts.Add(Gpt2Tokenizer.Shared.Encode(" " + name).Length);
        }
        Assert.All(tokenCounts, c => Assert.InRange(c, 1, FreshValues.MaxNameTokens));
        // Varied tokenisation: both two- and three-token names are common.
        Assert.True(tokenCounts.Count(c => c == 2) > names.Count / 5);
        Assert.True(tokenCounts.Count(c => c == 3) > names.Count / 5);
    }

    [Fact]
    public void Values_AreDiverse()
    {
        var draws = new (string Field, Func<Random, string> Draw)[]
        {
            ("name", FreshValues.Name), ("object", FreshValues.Object), ("taboo", FreshValues.Taboo),
            ("twist", FreshValues.Twist), ("setting", FreshValues.Setting), ("title", FreshValues.Title),
        };
        foreach (var (field, draw) in draws)
        {
            var values = Draw(draw, 2000, 5);
            int distinct = values.Distinct(StringComparer.Ordinal).Count();
            Assert.True(distinct >= 0.95 * values.Count, $"{field}: only {distinct} of {values.Count} distinct");
        }
    }

    [Fact]
    public void Spec_RedrawsValuesItIsToldToAvoid()
    {
        var first = FreshValues.Spec(new Random(1));
        var avoid = new HashSet<string>([first.Title, first.Setting, first.Protagonist, first.Object, first.Taboo, first.Twist], StringComparer.Ordinal);
        var second = FreshValues.Spec(new Random(1), avoid);
        Assert.DoesNotContain(second.Title, avoid);
        Assert.DoesNotContain(second.Setting, avoid);
        Assert.DoesNotContain(second.Protagonist, avoid);
        Assert.DoesNotContain(second.Object, avoid);
        Assert.DoesNotContain(second.Taboo, avoid);
        Assert.DoesNotContain(second.Twist, avoid);
    }

    [Fact]
    public void FullShare_EveryTrainingRowIsFresh_AndPassesEveryCheck()
    {
        var d = Dataset.Generate(new DatasetOptions
        {
            Seed = 3, FreshValueShare = 1, SftTrainSize = 300, SftValidationSize = 10, SftTestSize = 10,
            PrefTrainSize = 140, PrefValidationSize = 7, PrefTestSize = 7, HeldOutSpecCount = 5,
        });
        foreach (var row in d.SftTrain)
        {
            Assert.True(IsFresh(row.Spec!), row.Id);
            var result = StoryChecks.Check(row.Spec!, row.Response);
            Assert.True(result.AllPassed, $"{row.Id}: {string.Join(", ", result.Failures)}\n{row.Response}");
        }
        foreach (var row in d.PrefTrain)
        {
            Assert.True(IsFresh(row.Spec!), row.Id);
            Assert.True(StoryChecks.Check(row.Spec!, row.Chosen).AllPassed, row.Id);
            var failures = StoryChecks.Check(row.Spec!, row.Rejected).Failures;
            if (row.Kind.TargetCheck() is { } target) Assert.Equal([target], failures);
            else Assert.NotEmpty(failures);
        }
        // Every pair kind still occurs among fresh specs.
        Assert.Equal(PairKindExtensions.TemplateKinds.Count, d.PrefTrain.Select(r => r.Kind).Distinct().Count());
        var training = ValuePools.Default.Split(0.15, 3).Training;
        Assert.All(d.SftValidation.Concat(d.SftTest).Select(r => r.Spec!), s => Assert.True(training.Covers(s)));
        Assert.All(d.PrefValidation.Concat(d.PrefTest).Select(r => r.Spec!), s => Assert.True(training.Covers(s)));
    }

    [Fact]
    public void ZeroShare_DrawsEverySpecFromThePools()
    {
        var d = Dataset.Generate(new DatasetOptions { Seed = 5, SftTrainSize = 200, PrefTrainSize = 40, FreshValueShare = 0 });
        var training = ValuePools.Default.Split(0.15, 5).Training;
        Assert.All(d.SftTrain.Select(r => r.Spec!).Concat(d.PrefTrain.Select(r => r.Spec!)), s => Assert.True(training.Covers(s)));
    }

    [Fact]
    public void HalfShare_MixesFreshAndPoolRowsInTraining_Only()
    {
        var options = new DatasetOptions { Seed = 9, FreshValueShare = 0.5 };
        var d = Dataset.Generate(options);
        var training = ValuePools.Default.Split(options.HeldOutFraction, options.Seed).Training;
        // Every training row is wholly fresh or wholly from the training pools.
        var sftSpecs = d.SftTrain.Select(r => r.Spec!).ToList();
        var prefSpecs = d.PrefTrain.Select(r => r.Spec!).ToList();
        Assert.All(sftSpecs.Concat(prefSpecs), s => Assert.True(IsFresh(s) ^ training.Covers(s), s.ToJson()));
        Assert.InRange(sftSpecs.Count(IsFresh) / (double)sftSpecs.Count, 0.38, 0.62);
        Assert.InRange(prefSpecs.Count(IsFresh) / (double)prefSpecs.Count, 0.38, 0.62);
        var pooled = d.SftValidation.Concat(d.SftTest).Select(r => r.Spec!)
            .Concat(d.PrefValidation.Concat(d.PrefTest).Select(r => r.Spec!));
        Assert.All(pooled, s => Assert.True(training.Covers(s)));
        // Same seed, same mix.
        Assert.Equal(d.SftTrain, Dataset.Generate(options).SftTrain);
    }

    [Fact]
    public void Share_OutsideZeroToOne_IsRejectedNamingTheOption()
    {
        foreach (double share in new[] { -0.1, 1.5, double.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DatasetOptions { FreshValueShare = share }.Validate());
            Assert.Equal(nameof(DatasetOptions.FreshValueShare), e.ParamName);
        }
    }
}
