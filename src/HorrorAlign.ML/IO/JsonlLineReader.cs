namespace HorrorAlign.ML.IO;

/// <summary>
/// Splits a stream into "\n"-ended lines of at most <see cref="Jsonl.MaxLineBytes"/> bytes (a trailing "\r" and a
/// leading UTF-8 byte-order mark are dropped). It never holds more than one line plus one read buffer: a line past the
/// cap fails as soon as the cap is crossed, so one huge line (or <c>/dev/zero</c>) cannot exhaust memory.
/// </summary>
internal sealed class JsonlLineReader(Stream stream, string fileName, int maxLineBytes = Jsonl.MaxLineBytes)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private byte[] _line = new byte[4 * 1024];
    private int _start, _end, _length;
    private bool _eof;

    /// <summary>1-based number of the line last returned.</summary>
    public int LineNumber { get; private set; }

    /// <summary>The next line's bytes (valid until the next call), or false at end of input.</summary>
    /// <exception cref="JsonlFormatException">The line is longer than the cap; names file and line.</exception>
    public bool TryReadLine(out ReadOnlyMemory<byte> line)
    {
        _length = 0;
        bool any = false;
        while (true)
        {
            if (_start == _end)
            {
                if (_eof || !Fill()) break;
            }
            any = true;
            var chunk = _buffer.AsSpan(_start, _end - _start);
            int newline = chunk.IndexOf((byte)'\n');
            var part = newline < 0 ? chunk : chunk[..newline];
            Append(part);
            _start += part.Length;
            if (newline >= 0)
            {
                _start++;
                break;
            }
        }
        if (!any)
        {
            line = default;
            return false;
        }
        LineNumber++;
        var bytes = _line.AsMemory(0, _length);
        if (LineNumber == 1 && bytes.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        if (bytes.Span.EndsWith((byte)'\r')) bytes = bytes[..^1];
        line = bytes;
        return true;
    }

    private bool Fill()
    {
        _start = 0;
        _end = stream.Read(_buffer, 0, _buffer.Length);
        _eof = _end == 0;
        return !_eof;
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        if (_length + part.Length > maxLineBytes)
            throw new JsonlFormatException(fileName, LineNumber + 1, null,
                $"line is longer than the limit of {maxLineBytes:N0} bytes (a line is one record: a JSON object, or one document)");
        if (_length + part.Length > _line.Length)
            Array.Resize(ref _line, Math.Min(maxLineBytes, Math.Max(_line.Length * 2, _length + part.Length)));
        part.CopyTo(_line.AsSpan(_length));
        _length += part.Length;
    }
}
