using System.Buffers;
using System.Text.Unicode;

namespace HorrorAlign.ML.IO;

/// <summary>Strict UTF-8 checks for input files: a byte sequence that is not UTF-8 is reported, never replaced by U+FFFD.</summary>
internal static class Utf8Text
{
    /// <summary>The 0-based offset of the first byte that is not part of valid UTF-8, or null when all of it is valid.</summary>
    public static int? FirstInvalidByte(ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8)) return null;
        // Only on the error path: transcode to find where validity ends.
        char[] scratch = ArrayPool<char>.Shared.Rent(utf8.Length);
        try
        {
            Utf8.ToUtf16(utf8, scratch, out int read, out _, replaceInvalidSequences: false);
            return read;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(scratch);
        }
    }
}
