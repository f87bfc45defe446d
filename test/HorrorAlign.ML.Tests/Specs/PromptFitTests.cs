using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Modeling;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Tests.Specs;

/// <summary>A spec too long for the model's context fails before any story is written, naming it.</summary>
public sealed class PromptFitTests
{
    /// <summary>A spec whose fields are long runs of short words: many more tokens than <see cref="Short"/>.</summary>
    internal static readonly StorySpec Long = StorySpecTests.Poster with
    {
        Id = "long-1",
        Setting = string.Join(", ", Enumerable.Repeat("a cold door", 14)),
        Taboo = string.Join(", ", Enumerable.Repeat("never knock", 14)),
        Twist = string.Join(", ", Enumerable.Repeat("the night was long", 10)),
    };

    internal static readonly StorySpec Short = StorySpecTests.Poster;

    /// <summary>An untrained plain-text model whose context holds <see cref="Short"/>'s prompt but not <see cref="Long"/>'s.</summary>
    internal static StoryModel Model()
    {
        var vocabulary = TokenVocabulary.BuildCompact([Short.ToPrompt(), Long.ToPrompt()]);
        int context = vocabulary.Encode(Short.ToPrompt()).Length + 8;
        Assert.True(vocabulary.Encode(Long.ToPrompt()).Length > context); // the premise
        return new StoryModel(TinyModels.Create(new GptConfig { VocabSize = vocabulary.Size, DModel = 16, NHeads = 2, NLayers = 1, ContextLength = context }, seed: 3), vocabulary);
    }

    [Fact]
    public void TooLongSpec_IsNamedByFileAndLine_OrByPositionAndId()
    {
        using var model = Model();
        PromptFit.Check(model, [Short, Short]);

        var located = Assert.Throws<SpecValidationException>(() => PromptFit.Check(model, [Short, Long], "specs.jsonl", [1, 3]));
        Assert.StartsWith("specs.jsonl:3: spec 2 (id 'long-1'): its prompt is ", located.Message, StringComparison.Ordinal);
        Assert.Contains($"the model's context length is {model.Config.ContextLength}", located.Message, StringComparison.Ordinal);

        var bare = Assert.Throws<SpecValidationException>(() => PromptFit.Check(model, [Short, Short, Long with { Id = null }]));
        Assert.StartsWith("spec 3: its prompt is ", bare.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluator_ChecksEverySpecBeforeWritingAny()
    {
        using var model = Model();
        int reported = 0;
        var e = Assert.Throws<SpecValidationException>(() => ModelEvaluator.EvaluateConstraints(model, [Short, Long],
            new ModelEvaluationOptions { Sampling = new SamplingOptions { MaxNewTokens = 4 } }, new InlineProgress<EvaluationProgress>(_ => reported++)));
        Assert.StartsWith("spec 2 (id 'long-1')", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, reported);
    }

    [Fact]
    public void GenerateBatch_NamesThePromptIndexBeforeDecoding()
    {
        using var model = Model();
        int done = 0;
        var e = Assert.Throws<ArgumentException>(() => TextGenerator.GenerateBatch(model, [Short.ToPrompt(), Short.ToPrompt(), Long.ToPrompt()],
            new SamplingOptions { MaxNewTokens = 4 }, progress: new InlineProgress<int>(_ => done++)));
        Assert.StartsWith("prompts[2]: The prompt is ", e.Message, StringComparison.Ordinal);
        Assert.Equal("prompts", e.ParamName);
        Assert.Equal(0, done);
    }
}
