using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Tests.Training;

/// <summary>A tiny model trained on template stories with field tokens writes values it never read, exactly.</summary>
[Collection(SerialTorchCollection.Name)]
public class FieldTokenTrainingTests
{
    private static readonly Lazy<StoryModel> Model = new(Train);

    private static StoryModel Train()
    {
        var data = Dataset.Generate(new DatasetOptions
        {
            SftTrainSize = 96, SftValidationSize = 8, SftTestSize = 8, PrefTrainSize = 8, PrefValidationSize = 4, PrefTestSize = 4,
            HeldOutSpecCount = 4, FreshValueShare = 0.5, Seed = 5,
        });
        var options = new SftOptions
        {
            Model = new GptConfig { DModel = 48, NHeads = 2, NLayers = 2, MlpRatio = 2, Dropout = 0, ContextLength = 384, TieEmbeddings = true, FusedAttention = true },
            MaxTokens = 384, BatchSize = 8, MaxEpochs = 6, LearningRate = 1e-2, WarmupSteps = 4, EvalInterval = 0,
            EarlyStoppingPatience = 0, CheckpointInterval = 0, Seed = 3, Threads = 1,
        };
        return StoryTraining.TrainSft(data.SftTrain, data.SftValidation, options);
    }

    // 30+ GPT-2 tokens of letters no training text holds.
    private const string LongName = "Þórhildur Ásgerður Guðmundsdóttir-Ólafsdóttir Þrándardóttir";

    private static StorySpec UnseenSpec => new("Ljós í myrkri", "a night shift at a rural veterinary clinic", LongName, "Siobhán Ní Bhriain",
        "two brass keys on a red string", "never whistle after the lamps are lit, not even once", "Þórhildur's shadow had been answering the phone all along");

    [Fact]
    public void AValueNeverRead_IsWrittenWholeAndExact()
    {
        int tokens = Gpt2Tokenizer.Shared.Encode(" " + LongName).Length;
        Assert.True(tokens >= 30, $"{tokens} tokens");
        var model = Model.Value;
        Assert.True(model.Vocabulary.HasFieldTokens);
        string story = TextGenerator.Generate(model, UnseenSpec.ToPrompt(), new SamplingOptions { Temperature = 0 });

        Assert.Contains(LongName, story);
        // Whatever else this barely trained model writes, no value in it is cut or spliced.
        var check = StoryChecks.Check(UnseenSpec, story);
        Assert.True(check.Passed(StoryCheck.NoSplicedValues), story);
        Assert.True(check.Passed(StoryCheck.NoPromptText), story);
    }

    [Fact]
    public void GeneratedText_NeverHoldsAFieldToken_OrPromptText()
    {
        var model = Model.Value;
        var specs = new[] { UnseenSpec, new StorySpec("The Weight of Salt", "the last ferry of the season", "Zoë", "Jean-Luc",
            "grandmother's rosary", "don't say \"goodnight\", not even to yourself", "the captain, not the crew, was the one left behind") };
        for (int seed = 0; seed < 4; seed++)
            foreach (var spec in specs)
            {
                string story = TextGenerator.Generate(model, spec.ToPrompt(), new SamplingOptions { Seed = seed });
                Assert.DoesNotContain(story, c => c is >= '\uE000' and < '\uE100');
                foreach (string promptText in new[] { "Title:", "Constraints", "Story:", "Taboo rule", spec.Title })
                    Assert.DoesNotContain(promptText, story);
                Assert.True(StoryChecks.Check(spec, story).Passed(StoryCheck.NoPromptText), story);
            }
    }

    [Fact]
    public void AFreePrompt_GetsNoFieldTokens()
    {
        var model = Model.Value;
        var (text, _) = TextGenerator.GenerateRaw(model, "Once upon a midnight dreary,", new SamplingOptions { Seed = 1, MaxNewTokens = 60 });
        Assert.DoesNotContain(text, c => c is >= '\uE000' and < '\uE100');
    }

    [Fact]
    public void Enforcement_IsAnOption_AndTheModelAloneStillExpandsValues()
    {
        var model = Model.Value;
        string alone = TextGenerator.Generate(model, UnseenSpec.ToPrompt(), new SamplingOptions { Temperature = 0, EnforceFields = false });
        Assert.DoesNotContain(alone, c => c is >= '\uE000' and < '\uE100');
        Assert.Contains(LongName, alone);
    }
}
