namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Hard limits on a <see cref="GptConfig"/>, checked by <see cref="GptConfig.Validate"/> and so by every loader before
/// a model is built: a config read from a file must not be able to ask for more memory than any sane model needs.
/// </summary>
internal static class GptLimits
{
    // Each limit is far above the models this library trains (d 256, 4 blocks, 512 positions, GPT-2's 50,257 ids) and
    // at or above the largest open decoders of this shape (d 8192, 126 blocks, ~262k-id vocabularies).
    public const int MaxDModel = 8192;
    public const int MaxLayers = 128;
    public const int MaxContextLength = 32768;
    public const int MaxVocabSize = 1_000_000;
    public const int MaxMlpRatio = 16;
}
