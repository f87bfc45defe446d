using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Tests.Tokenization;

public class CompletionEncoderTests
{
    private const string Prompt = "Title: The Door That Wasn't There\nTaboo rule: never answer knocks after 2 a.m.\n\nStory:\n";
    private const string Story = "Mina learned the rule the hard way.\n\nThe brass key grew warm.";

    private static readonly TokenVocabulary Full = TokenVocabulary.Full;

    [Fact]
    public void ShortExampleIsPromptThenResponseThenEos()
    {
        int[] prompt = Full.Encode(Prompt);
        int[] story = Full.Encode(Story);
        EncodedExample example = new CompletionEncoder(Full, 256).Encode(Prompt, Story);

        Assert.Equal([.. prompt, .. story, Full.EosId], example.Ids);
        Assert.Equal(prompt.Length, example.LossStart);
        Assert.Equal(198, example.Ids[example.LossStart - 1]); // the prompt ends on its own "\n" token
        Assert.Equal(Enumerable.Repeat(0f, prompt.Length).Concat(Enumerable.Repeat(1f, story.Length + 1)), example.LossMask);
        Assert.Equal(story.Length + 1, example.SupervisedCount);
        Assert.Equal(0, example.PromptTokensDropped);
        Assert.Equal(0, example.ResponseTokensDropped);
        Assert.Equal(Prompt + Story, Full.Decode(example.Ids));
    }

    [Fact]
    public void BoundaryInvariantsHoldForThousandsOfRandomPairs()
    {
        var random = new RandomText(41);
        TokenVocabulary compact = TokenVocabulary.BuildCompact([Prompt, Story]);
        int truncatedPrompts = 0, truncatedResponses = 0;
        for (int i = 0; i < 2000; i++)
        {
            TokenVocabulary vocabulary = i % 2 == 0 ? Full : compact;
            int maxTokens = random.Rng.Next(2, 200);
            // Piece counts up to ~2x the limit, so fitting, long-prompt and long-response cases all occur.
            string prompt = random.Next(random.Rng.Next(3) == 0 ? 0 : 250);
            string response = random.Next(random.Rng.Next(4) == 0 ? 4 : 250);
            var encoder = new CompletionEncoder(vocabulary, maxTokens);
            EncodedExample example = encoder.Encode(prompt, response);
            CheckInvariants(vocabulary, maxTokens, prompt, response, example);
            if (example.PromptTokensDropped > 0) truncatedPrompts++;
            if (example.ResponseTokensDropped > 0) truncatedResponses++;
        }
        Assert.True(truncatedPrompts > 200, $"only {truncatedPrompts} examples truncated their prompt");
        Assert.True(truncatedResponses > 200, $"only {truncatedResponses} examples truncated their response");
    }

    [Fact]
    public void BoundaryInvariantsHoldForThousandsOfRandomSpecs()
    {
        // Real prompts and template stories, at limits from "everything fits" down to "both sides are cut".
        var specs = HorrorAlign.ML.Data.ValuePools.Default.GenerateSpecs(2000, seed: 7);
        var writer = new StoryWriter();
        var rng = new Random(7);
        TokenVocabulary compact = TokenVocabulary.BuildCompact(HorrorAlign.ML.Data.ValuePools.AllValues);
        int[] limits = [384, 256, 200, 120, 64];
        for (int i = 0; i < specs.Count; i++)
        {
            string prompt = specs[i].ToPrompt();
            string story = writer.WriteChosen(specs[i], rng);
            TokenVocabulary vocabulary = i % 2 == 0 ? Full : compact;
            int maxTokens = limits[i % limits.Length];
            CheckInvariants(vocabulary, maxTokens, prompt, story, new CompletionEncoder(vocabulary, maxTokens).Encode(prompt, story));
        }
    }

    private static void CheckInvariants(TokenVocabulary vocabulary, int maxTokens, string prompt, string response, EncodedExample example)
    {
        int[] promptIds = vocabulary.Encode(prompt);
        int[] responseIds = vocabulary.Encode(response);
        int[] ids = example.Ids;
        int start = example.LossStart;

        Assert.InRange(ids.Length, 1, maxTokens);
        Assert.InRange(start, 0, ids.Length - 1);
        // Mask starts exactly at LossStart; EOS is the last token and the only EOS, so the last supervised one.
        float[] mask = example.LossMask;
        Assert.Equal(ids.Length, mask.Length);
        for (int t = 0; t < ids.Length; t++) Assert.Equal(t >= start ? 1f : 0f, mask[t]);
        Assert.Equal(vocabulary.EosId, ids[^1]);
        Assert.Equal(1, ids.Count(id => id == vocabulary.EosId));
        // Prompt part = TAIL of the separately encoded prompt; response part = HEAD of the encoded response.
        Assert.Equal(promptIds[(promptIds.Length - start)..], ids[..start]);
        Assert.Equal(responseIds[..(ids.Length - 1 - start)], ids[start..^1]);
        Assert.Equal(promptIds.Length - start, example.PromptTokensDropped);
        Assert.Equal(responseIds.Length - (ids.Length - 1 - start), example.ResponseTokensDropped);
        // Nothing is dropped when it fits, and a truncated example fills the whole window.
        bool fits = promptIds.Length + responseIds.Length + 1 <= maxTokens;
        Assert.Equal(fits, example.PromptTokensDropped == 0 && example.ResponseTokensDropped == 0);
        if (!fits) Assert.Equal(maxTokens, ids.Length);
        // A non-empty prompt always keeps at least one token to predict the first response token from.
        if (promptIds.Length > 0) Assert.True(start >= 1);
    }

    [Fact]
    public void LongResponseKeepsOnePromptTokenAndEos()
    {
        string longStory = string.Concat(Enumerable.Repeat(Story + "\n\n", 20));
        EncodedExample example = new CompletionEncoder(Full, 32).Encode(Prompt, longStory);
        Assert.Equal(32, example.Ids.Length);
        Assert.Equal(1, example.LossStart);
        Assert.Equal(198, example.Ids[0]); // the prompt's last token, "\n"
        Assert.Equal(Full.Encode(longStory)[..30], example.Ids[1..^1]);
        Assert.Equal(Full.EosId, example.Ids[^1]);

        EncodedExample noPrompt = new CompletionEncoder(Full, 32).Encode("", longStory);
        Assert.Equal(0, noPrompt.LossStart);
        Assert.Equal(32, noPrompt.Ids.Length);
    }

    [Fact]
    public void PairSharesThePromptAndFitsEachSideOnItsOwn()
    {
        const string rejected = "Everyone laughed; it was a harmless coincidence.";
        var encoder = new CompletionEncoder(Full, 40);
        EncodedPair pair = encoder.EncodePair(Prompt, Story, rejected);
        Assert.Equal(encoder.Encode(Prompt, Story), pair.Chosen, new ExampleComparer());
        Assert.Equal(encoder.Encode(Prompt, rejected), pair.Rejected, new ExampleComparer());
        Assert.Equal(pair.Chosen.Ids[..pair.Chosen.LossStart].TakeLast(5), pair.Rejected.Ids[..pair.Rejected.LossStart].TakeLast(5));
    }

    [Fact]
    public void ThrowPolicyKeepsTheWholePromptOrExplainsWhy()
    {
        int promptLength = Full.Encode(Prompt).Length;
        int storyLength = Full.Encode(Story).Length;

        // Exactly room for the prompt, one response token and EOS: the response is cut, the prompt kept whole.
        EncodedExample tight = new CompletionEncoder(Full, promptLength + 2, PromptOverflow.Throw).Encode(Prompt, Story);
        Assert.Equal(promptLength, tight.LossStart);
        Assert.Equal(promptLength + 2, tight.Ids.Length);
        Assert.Equal(0, tight.PromptTokensDropped);
        Assert.Equal(storyLength - 1, tight.ResponseTokensDropped);

        // An empty response needs only EOS.
        Assert.Equal(promptLength + 1, new CompletionEncoder(Full, promptLength + 1, PromptOverflow.Throw).Encode(Prompt, "").Ids.Length);

        var error = Assert.Throws<ArgumentException>(() => new CompletionEncoder(Full, promptLength + 1, PromptOverflow.Throw).Encode(Prompt, Story));
        Assert.Equal("prompt", error.ParamName);
        Assert.Contains($"The prompt is {promptLength} tokens", error.Message);
        Assert.Contains($"needs {promptLength + 2} tokens", error.Message);
        Assert.Contains($"limit is {promptLength + 1}", error.Message);
        Assert.Throws<ArgumentException>(() => new CompletionEncoder(Full, 10, PromptOverflow.Throw).EncodePair(Prompt, Story, Story));

        // The default policy fits the same input by dropping the prompt's first tokens.
        EncodedExample truncated = new CompletionEncoder(Full, promptLength + 1).Encode(Prompt, Story);
        Assert.Equal(promptLength + 1, truncated.Ids.Length);
        Assert.True(truncated.PromptTokensDropped > 0);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompletionEncoder(Full, 1));
        Assert.Throws<ArgumentNullException>(() => new CompletionEncoder(null!, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompletionEncoder(Full, 16, (PromptOverflow)7));
        Assert.Throws<ArgumentNullException>(() => new CompletionEncoder(Full, 16).Encode(null!, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodedExample([1, 2], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodedExample([1, 2], -1));
        Assert.Throws<ArgumentNullException>(() => new EncodedExample(null!, 0));
    }

    private sealed class ExampleComparer : IEqualityComparer<EncodedExample>
    {
        public bool Equals(EncodedExample? x, EncodedExample? y) =>
            x is not null && y is not null && x.LossStart == y.LossStart && x.Ids.SequenceEqual(y.Ids) &&
            x.PromptTokensDropped == y.PromptTokensDropped && x.ResponseTokensDropped == y.ResponseTokensDropped;

        public int GetHashCode(EncodedExample obj) => obj.LossStart;
    }
}
