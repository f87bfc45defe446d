namespace HorrorAlign.ML.Specs;

/// <summary>
/// A story specification (or a prompt or file row that should hold one) is malformed. <see cref="Field"/> names the
/// offending field by its JSON name (e.g. <c>supporting_character</c>); when the spec came from a file,
/// <see cref="FileName"/> and the 1-based <see cref="Line"/> say where, and the message starts with <c>file:line:</c>.
/// </summary>
public sealed class SpecValidationException : FormatException
{
    /// <summary>Creates the exception; the message is prefixed with <c>file:line:</c> when a location is given.</summary>
    /// <param name="field">JSON (snake_case) name of the offending field.</param>
    /// <param name="reason">What is wrong, as a sentence fragment naming the field.</param>
    /// <param name="fileName">File the spec was read from, if any.</param>
    /// <param name="line">1-based line in <paramref name="fileName"/>, if any.</param>
    public SpecValidationException(string field, string reason, string? fileName = null, int? line = null)
        : base(Locate(fileName, line) + reason)
    {
        Field = field;
        Reason = reason;
        FileName = fileName;
        Line = line;
    }

    /// <summary>JSON (snake_case) name of the offending field, e.g. <c>taboo</c>.</summary>
    public string Field { get; }

    /// <summary>The problem without the location prefix.</summary>
    public string Reason { get; }

    /// <summary>File the spec was read from, or null.</summary>
    public string? FileName { get; }

    /// <summary>1-based line number in <see cref="FileName"/>, or null.</summary>
    public int? Line { get; }

    /// <summary>The same problem, located at <paramref name="fileName"/>:<paramref name="line"/>.</summary>
    public SpecValidationException At(string fileName, int line) => new(Field, Reason, fileName, line);

    private static string Locate(string? fileName, int? line) =>
        fileName is null ? "" : line is null ? fileName + ": " : $"{fileName}:{line}: ";
}
