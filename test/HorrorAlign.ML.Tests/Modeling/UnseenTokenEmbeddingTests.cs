using HorrorAlign.ML.Data;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tests.Training;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Modeling;

public class UnseenTokenEmbeddingTests
{
    private static GptModel Model(int vocab = 30, bool copy = false)
        => TinyModels.Create(TinyModels.Config(vocab: vocab, copy: copy) with { UnseenTokenEmbedding = true });

    private static bool[] SeenBelow(int vocab, int firstUnseen) => Enumerable.Range(0, vocab).Select(i => i < firstUnseen).ToArray();

    [Fact]
    public void StateDictHoldsTheSharedEmbeddingAndTheMarksOnlyWhenAskedFor()
    {
        using var model = Model();
        var keys = model.state_dict().Keys.ToHashSet();
        Assert.Contains("unseen_embedding", keys);
        Assert.Contains("seen_tokens", keys);
        Assert.All(model.SeenTokens(), Assert.True); // a new model reads every id through its own row

        using var plain = TinyModels.Create(TinyModels.Config(vocab: 30));
        Assert.DoesNotContain(plain.state_dict().Keys, k => k.Contains("unseen") || k.Contains("seen_tokens"));
    }

    [Fact]
    public void UnseenIdsAreReadThroughOneSharedEmbeddingWhileTheOutputLayerKeepsTheirRows()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = Model();
        model.MarkSeenTokens(SeenBelow(30, 20), union: false);

        var a = model.ForwardHidden(TinyModels.Ids([1, 2, 21, 3]));
        var b = model.ForwardHidden(TinyModels.Ids([1, 2, 27, 3]));   // another unseen id: read identically
        var c = model.ForwardHidden(TinyModels.Ids([1, 2, 5, 3]));    // a seen id: read through its own row
        Assert.True(a.allclose(b, 0, 0));
        Assert.False(a.allclose(c, 1e-3, 1e-3));

        // The ids stay distinct where it matters: the output layer scores 21 and 27 differently.
        var logits = model.Head(a)[0, 0];
        Assert.NotEqual(logits[21].item<float>(), logits[27].item<float>());
    }

    [Fact]
    public void TreatAsUnseenLastsUntilDisposedAndMarkingCanBeAUnion()
    {
        using var model = Model();
        model.MarkSeenTokens(SeenBelow(30, 20), union: false);
        using (model.TreatAsUnseen([3, 7]))
        {
            var during = model.SeenTokens();
            Assert.False(during[3]);
            Assert.False(during[7]);
            Assert.True(during[4]);
        }
        Assert.Equal(SeenBelow(30, 20), model.SeenTokens());

        model.MarkSeenTokens(Enumerable.Range(0, 30).Select(i => i == 25).ToArray(), union: true);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i < 20 || i == 25), model.SeenTokens());
        Assert.Throws<ArgumentException>(() => model.MarkSeenTokens(new bool[29], union: false));
    }

    [Fact]
    public void WithTheCopyHeadTheCachedDecodingAgreesWithTheFullForward()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = Model(copy: true);
        model.MarkSeenTokens(SeenBelow(30, 20), union: false);
        long[] row = [3, 22, 7, 25, 4, 22, 7];
        var ids = TinyModels.Ids(row);
        var logits = model.Logits(ids, tensor(new long[] { 5 }))[0];
        using var cache = model.CreateCache(1);
        Assert.True(model.NextTokenLogits(ids[.., ..5], cache, sourceLength: 5).allclose(logits[4], 1e-4, 1e-5));
        for (int t = 5; t < row.Length; t++)
            Assert.True(model.NextTokenLogits(ids[.., t..(t + 1)], cache, sourceLength: 5).allclose(logits[t], 1e-4, 1e-5), $"position {t}");
    }
}

[Collection(SerialTorchCollection.Name)]
public class UnseenTokenTrainingTests
{
    [Fact]
    public void SftMarksExactlyTheIdsOfItsTrainingDataAndTheMarksSurviveSaving()
    {
        var (train, validation) = TrainingFixtures.Sft();
        var options = TrainingFixtures.SftOptions() with
        {
            Model = TrainingFixtures.TinyConfig() with { UnseenTokenEmbedding = true },
            ExtraVocabularyText = ["Zanzibar"],
            MaxEpochs = 1,
        };
        using var model = StoryTraining.TrainSft(train, validation, options);

        var expected = new bool[model.Vocabulary.Size];
        foreach (var s in train)
            foreach (int id in new CompletionEncoder(model.Vocabulary, 64).Encode(s.Prompt, s.Response).Ids) expected[id] = true;
        Assert.Equal(expected, model.Model.SeenTokens());
        Assert.Contains(model.Vocabulary.Encode(" Zanzibar"), id => !expected[id]); // in the vocabulary, never read

        using var loaded = StoryModel.FromBytes(model.ToBytes());
        Assert.Equal(expected, loaded.Model.SeenTokens());
    }

    [Fact]
    public void TokenDropoutIsSeededLikeTheRestOfTheRun()
    {
        var (train, validation) = TrainingFixtures.Sft();
        // Rare ids (held by at most 5 % of the examples) are the dropout's candidates: names met once.
        train.AddRange(new[] { "Quillon", "Zebedee", "Ottoline" }.Select(n => new SftExample(TrainingFixtures.Id(n, "a music box"), TrainingFixtures.Prompt(n, "a music box"),
            TrainingFixtures.Story(n, "a music box"))));
        var options = TrainingFixtures.SftOptions() with
        {
            Model = TrainingFixtures.TinyConfig() with { UnseenTokenEmbedding = true },
            UnseenTokenDropout = 0.5,
            MaxEpochs = 2,
        };
        var first = StoryTraining.RunSft(train, validation, options);
        var second = StoryTraining.RunSft(train, validation, options);
        var without = StoryTraining.RunSft(train, validation, options with { UnseenTokenDropout = 0 });
        try
        {
            static double[] Losses(TrainingResult r) => r.TrainingLog.Select(m => m.Values[MetricNames.Loss]).ToArray();
            Assert.Equal(Losses(first), Losses(second));
            Assert.NotEqual(Losses(first), Losses(without));
        }
        finally
        {
            first.Model.Dispose();
            second.Model.Dispose();
            without.Model.Dispose();
        }
    }
}
