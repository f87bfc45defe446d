namespace HorrorAlign.ML.Generation;

/// <summary>
/// How to sample a story. Per step the logits go through: repetition penalty → temperature → top-k → top-p → draw
/// (Hugging Face's order). Temperature 0 is greedy (after the repetition penalty).
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Maximum number of new tokens (EOS not counted).</summary>
    public int MaxNewTokens { get; init; } = 200;
    /// <summary>Softmax temperature; 0 means greedy, else in [<see cref="MinTemperature"/>, <see cref="MaxTemperature"/>].</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Keep only the k most likely tokens (0 = off).</summary>
    public int TopK { get; init; }
    /// <summary>Nucleus threshold in (0,1]; 1 = off. The original's default is 0.95.</summary>
    public double TopP { get; init; } = 0.95;
    /// <summary>
    /// CTRL-style repetition penalty (1 = off; in [<see cref="MinRepetitionPenalty"/>, <see cref="MaxRepetitionPenalty"/>]): the logit of every token already GENERATED is divided by the penalty
    /// when positive and multiplied by it when negative. Prompt tokens are not penalised, so the story may still
    /// use the names and objects of its specification.
    /// </summary>
    public double RepetitionPenalty { get; init; } = 1.0;
    /// <summary>
    /// Never generate the same run of this many tokens twice (Hugging Face's <c>no_repeat_ngram_size</c>; 0 = off): a
    /// token that would complete a repeat of an earlier n-gram of the STORY is excluded before sampling. Only generated
    /// tokens count, so the story may still repeat the prompt's names, taboo and twist word for word.
    /// </summary>
    public int NoRepeatNGramSize { get; init; }
    /// <summary>Seed for reproducible sampling (same seed, model and prompt ⇒ same output, whatever other threads do).</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Extra strings that end generation (EOS always does); the text is cut before the first one found.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    /// <summary>Use the key/value cache (on by default; off re-runs the whole context each token, like the original).</summary>
    public bool UseKvCache { get; init; } = true;
    /// <summary>
    /// For a model with field tokens: no end-of-text before both characters, the object, the taboo and the twist have
    /// appeared, the setting, taboo and twist at most once each, and no run of words written twice in a row (see
    /// <c>FieldConstraints</c>). On by default; off samples the model alone. Ignored for models without field tokens.
    /// </summary>
    public bool EnforceFields { get; init; } = true;

    /// <summary>Smallest non-zero <see cref="Temperature"/>: below it a float logit divided by it overflows to infinity.</summary>
    public const double MinTemperature = 1e-3;

    /// <summary>Largest <see cref="Temperature"/>: at 100 the logits of a trained model are already flat (uniform noise).</summary>
    public const double MaxTemperature = 100;

    /// <summary>Smallest <see cref="RepetitionPenalty"/>: a factor of 1,000 already decides every step; beyond it, float
    /// logits overflow or vanish (1e-50 is 0 as a float) and the draw fails or rewards repetition.</summary>
    public const double MinRepetitionPenalty = 1e-3;

    /// <summary>Largest <see cref="RepetitionPenalty"/> (see <see cref="MinRepetitionPenalty"/>).</summary>
    public const double MaxRepetitionPenalty = 1e3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        static void Require(bool ok, string field, string message)
        {
            if (!ok) throw new ArgumentException($"SamplingOptions.{field}: {message}", field);
        }

        Require(MaxNewTokens >= 0, nameof(MaxNewTokens), $"must be >= 0 (got {MaxNewTokens}).");
        // Checked as the float the sampler uses: 1e-50 is 0 there (a division by zero), and past 100 the draw is noise.
        Require(Temperature == 0 || Temperature is >= MinTemperature and <= MaxTemperature, nameof(Temperature),
            $"must be 0 (greedy) or in [{MinTemperature}, {MaxTemperature}] (got {Temperature}).");
        Require(TopK >= 0, nameof(TopK), $"must be >= 0 (got {TopK}); 0 = off.");
        Require(TopP > 0 && TopP <= 1, nameof(TopP), $"must be in (0, 1] (got {TopP}); 1 = off, use Temperature 0 for greedy.");
        Require(RepetitionPenalty is >= MinRepetitionPenalty and <= MaxRepetitionPenalty, nameof(RepetitionPenalty),
            $"must be in [{MinRepetitionPenalty}, {MaxRepetitionPenalty}] (got {RepetitionPenalty}); 1 = off.");
        Require(NoRepeatNGramSize >= 0, nameof(NoRepeatNGramSize), $"must be >= 0 (got {NoRepeatNGramSize}); 0 = off.");
        Require(StopStrings is not null, nameof(StopStrings), "must not be null (use an empty list).");
        Require(StopStrings!.All(s => !string.IsNullOrEmpty(s)), nameof(StopStrings), "must not contain null or empty strings.");
    }
}
