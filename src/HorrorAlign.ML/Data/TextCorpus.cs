using System.Text;
using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Data;

/// <summary>
/// A plain-text corpus for pretraining, read one document at a time (never whole): a <c>.txt</c> file holds one
/// document per non-blank line (TinyStories' one-story-per-line form), a <c>.jsonl</c> file one JSON object per line
/// with a <c>text</c> field; a folder holds such files, read in ordinal name order.
/// </summary>
internal sealed class TextCorpus
{
    private readonly string[] _files;

    private TextCorpus(string path, string[] files)
    {
        Path = path;
        _files = files;
    }

    /// <summary>The file or folder given.</summary>
    public string Path { get; }

    /// <summary>The files read, in order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>The corpus at <paramref name="path"/> (a .txt or .jsonl file, or a folder of them).</summary>
    /// <exception cref="FileNotFoundException">Nothing at the path, or a folder without .txt/.jsonl files.</exception>
    /// <exception cref="ArgumentException">A file of another kind.</exception>
    public static TextCorpus Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path).Where(IsCorpusFile).Order(StringComparer.Ordinal).ToArray();
            return files.Length > 0 ? new TextCorpus(path, files)
                : throw new FileNotFoundException($"The folder '{path}' holds no .txt or .jsonl files to pretrain on.", path);
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"Corpus not found: {path}", path);
        return IsCorpusFile(path) ? new TextCorpus(path, [path])
            : throw new ArgumentException($"'{path}' is neither .txt (one document per line) nor .jsonl (a \"text\" field per line).", nameof(path));
    }

    private static bool IsCorpusFile(string file) =>
        System.IO.Path.GetExtension(file).ToLowerInvariant() is ".txt" or ".jsonl";

    /// <summary>Every document, in order, streamed.</summary>
    /// <exception cref="JsonlFormatException">A JSONL line is not an object with a string <c>text</c>, or a line is not UTF-8
    /// or longer than <see cref="Jsonl.MaxLineBytes"/> (file and line named).</exception>
    public IEnumerable<string> Documents()
    {
        foreach (var file in _files)
        {
            if (System.IO.Path.GetExtension(file).Equals(".jsonl", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var record in Jsonl.ReadRecords(file))
                {
                    string text = record.GetString("text");
                    if (!string.IsNullOrWhiteSpace(text)) yield return text;
                }
                continue;
            }
            // The same reader as JSONL: strict UTF-8 and a line cap, so a corrupt or endless file fails at its line.
            using var stream = File.OpenRead(file);
            var lines = new JsonlLineReader(stream, file);
            while (lines.TryReadLine(out var bytes))
            {
                if (Utf8Text.FirstInvalidByte(bytes.Span) is { } bad)
                    throw new JsonlFormatException(file, lines.LineNumber, null, $"line is not valid UTF-8 (byte {bad + 1} of the line)");
                string line = Encoding.UTF8.GetString(bytes.Span);
                if (!string.IsNullOrWhiteSpace(line)) yield return line.Trim();
            }
        }
    }
}
