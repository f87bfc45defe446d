using HorrorAlign.ML.IO;
using HorrorAlign.ML.Modeling;

namespace HorrorAlign.ML.Persistence;

/// <summary>
/// Checks that a file's tensors (names and shapes, read from its table before any tensor is made) are exactly the state
/// dict its config implies (<see cref="GptShapes"/>), and that the config's weights fit in the bytes the file holds, so
/// that a loader never builds a model larger than its file. Failures are <see cref="InvalidDataException"/> naming the
/// file and the field or tensor.
/// </summary>
internal static class StateDictCheck
{
    /// <summary>
    /// The config's state dict, stored at <paramref name="minElementBytes"/> per element at the least, must fit in the
    /// <paramref name="dataBytes"/> the file holds for tensors.
    /// </summary>
    public static void RequireFits(GptConfig config, long dataBytes, int minElementBytes, string what)
    {
        long needed = GptShapes.ElementCount(config) * minElementBytes;
        if (needed > dataBytes)
            throw new InvalidDataException(
                $"The {what}: config d_model {config.DModel} × {config.NLayers} layers (vocabulary {config.VocabSize:N0}, " +
                $"context {config.ContextLength:N0}) needs {ByteSize.Format(needed)} of weights but the file holds {ByteSize.Format(dataBytes)}.");
    }

    /// <summary>Every tensor the config implies is listed with its shape, and nothing else is.</summary>
    public static void RequireExact(GptConfig config, IReadOnlyDictionary<string, long[]> listed, string what)
    {
        var expected = GptShapes.Of(config);
        foreach (var (name, shape) in expected)
        {
            if (!listed.TryGetValue(name, out var got))
                throw new InvalidDataException($"The {what} has no tensor '{name}', which the model needs.");
            if (!got.SequenceEqual(shape))
                throw new InvalidDataException(
                    $"The {what}: tensor '{name}' has shape [{string.Join(",", got)}], the model needs [{string.Join(",", shape)}].");
        }
        foreach (var name in listed.Keys)
        {
            if (!expected.ContainsKey(name))
                throw new InvalidDataException($"The {what} has tensor '{name}', which this model does not have.");
        }
    }
}
