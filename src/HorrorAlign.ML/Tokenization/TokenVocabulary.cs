using System.Text;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Tokenization;

/// <summary>
/// The model's id space: either full GPT-2 (50257 ids) or a compact dense map of the GPT-2 ids seen in a corpus plus
/// the 256 single-byte tokens and end-of-text, so that any text still encodes and decodes losslessly; optionally
/// followed by the <see cref="FieldTokens"/> (one id per spec-value form, after every GPT-2 id).
/// </summary>
/// <remarks>
/// WHY compact: the 50,257-wide output layer is ~90% of a training step, while a template corpus uses a few thousand
/// GPT-2 ids. A GPT-2 token outside the map is spelled with its single-byte tokens (byte-level fallback): the model
/// then sees more, rarer tokens for unseen text, but nothing is ever lost or replaced.
/// </remarks>
internal sealed class TokenVocabulary
{
    private static readonly Lazy<TokenVocabulary> s_full = new(() => new TokenVocabulary(null, false), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Gpt2Tokenizer _gpt2 = Gpt2Tokenizer.Shared;
    private readonly int[]? _gpt2Ids;      // compact: model id -> GPT-2 id
    private readonly int[]? _modelIds;     // compact: GPT-2 id -> model id, or -1 when not in the map
    private readonly int[]? _byteModelIds; // compact: byte value -> model id of its single-byte token

    private TokenVocabulary(int[]? gpt2Ids, bool fieldTokens)
    {
        FieldTokenCount = fieldTokens ? FieldTokens.Count : 0;
        if (gpt2Ids is null)
        {
            EosId = Gpt2Tokenizer.EosId;
            return;
        }
        _gpt2Ids = gpt2Ids;
        _modelIds = new int[Gpt2Tokenizer.VocabSize];
        Array.Fill(_modelIds, -1);
        for (int modelId = 0; modelId < gpt2Ids.Length; modelId++)
        {
            int gpt2Id = gpt2Ids[modelId];
            if ((uint)gpt2Id >= Gpt2Tokenizer.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(gpt2Ids), $"gpt2Ids[{modelId}] = {gpt2Id} is not a GPT-2 id (0..{Gpt2Tokenizer.VocabSize - 1}).");
            if (_modelIds[gpt2Id] >= 0)
                throw new ArgumentException($"gpt2Ids[{modelId}] = {gpt2Id} repeats gpt2Ids[{_modelIds[gpt2Id]}]; each GPT-2 id may appear once.", nameof(gpt2Ids));
            _modelIds[gpt2Id] = modelId;
        }
        EosId = _modelIds[Gpt2Tokenizer.EosId] >= 0
            ? _modelIds[Gpt2Tokenizer.EosId]
            : throw new ArgumentException($"A compact vocabulary must contain the end-of-text id {Gpt2Tokenizer.EosId}.", nameof(gpt2Ids));
        _byteModelIds = new int[256];
        for (int b = 0; b < 256; b++)
        {
            int byteToken = _gpt2.ByteTokenId((byte)b);
            _byteModelIds[b] = _modelIds[byteToken] >= 0
                ? _modelIds[byteToken]
                : throw new ArgumentException(
                    $"A compact vocabulary must contain all 256 single-byte tokens (the lossless fallback); GPT-2 id {byteToken} (byte 0x{b:X2}) is missing.",
                    nameof(gpt2Ids));
        }
    }

    /// <summary>Full GPT-2 vocabulary: model id == GPT-2 id.</summary>
    public static TokenVocabulary Full => s_full.Value;

    /// <summary>
    /// Builds a compact vocabulary covering the GPT-2 ids of <paramref name="corpus"/>, the 256 single-byte tokens and
    /// end-of-text. Model ids follow ascending GPT-2 id (so the result depends only on the SET of ids, not on corpus
    /// order); end-of-text, the largest GPT-2 id, is therefore the last model id.
    /// </summary>
    public static TokenVocabulary BuildCompact(IEnumerable<string> corpus, bool fieldTokens = false)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        Gpt2Tokenizer gpt2 = Gpt2Tokenizer.Shared;
        var seen = new bool[Gpt2Tokenizer.VocabSize];
        int index = 0;
        foreach (string text in corpus)
        {
            if (text is null) throw new ArgumentException($"corpus[{index}] is null.", nameof(corpus));
            foreach (int id in gpt2.Encode(text)) seen[id] = true;
            index++;
        }
        return BuildCompact(seen, fieldTokens);
    }

    /// <summary>The compact vocabulary of the GPT-2 ids marked in <paramref name="seen"/> (indexed by GPT-2 id), the
    /// 256 single-byte tokens and end-of-text (see <see cref="BuildCompact(IEnumerable{string}, bool)"/>).</summary>
    public static TokenVocabulary BuildCompact(bool[] seen, bool fieldTokens = false)
    {
        ArgumentNullException.ThrowIfNull(seen);
        if (seen.Length != Gpt2Tokenizer.VocabSize)
            throw new ArgumentException($"seen must have one entry per GPT-2 id ({Gpt2Tokenizer.VocabSize}); it has {seen.Length}.", nameof(seen));
        seen = (bool[])seen.Clone();
        for (int b = 0; b < 256; b++) seen[Gpt2Tokenizer.Shared.ByteTokenId((byte)b)] = true;
        seen[Gpt2Tokenizer.EosId] = true;

        var ids = new List<int>();
        for (int id = 0; id < seen.Length; id++)
            if (seen[id]) ids.Add(id);
        return new TokenVocabulary(ids.ToArray(), fieldTokens);
    }

    /// <summary>
    /// Restores a compact vocabulary from its GPT-2 id list (model id i ↔ gpt2Ids[i]), e.g. as saved from
    /// <see cref="Gpt2Ids"/>. The list must hold distinct GPT-2 ids, end-of-text and all 256 single-byte tokens.
    /// </summary>
    public static TokenVocabulary FromGpt2Ids(IReadOnlyList<int> gpt2Ids, bool fieldTokens = false)
    {
        ArgumentNullException.ThrowIfNull(gpt2Ids);
        return new TokenVocabulary(gpt2Ids.ToArray(), fieldTokens);
    }

    /// <summary>This vocabulary with <see cref="FieldTokens"/> appended (or itself when it has them).</summary>
    public TokenVocabulary WithFieldTokens() => HasFieldTokens ? this : new TokenVocabulary(_gpt2Ids, fieldTokens: true);

    /// <summary>Number of model ids (embedding rows), field tokens included.</summary>
    public int Size => Gpt2Size + FieldTokenCount;

    // Ids below this are GPT-2 tokens; the field tokens follow.
    private int Gpt2Size => _gpt2Ids?.Length ?? Gpt2Tokenizer.VocabSize;

    /// <summary>Number of field-token ids (0, or <see cref="FieldTokens.Count"/>).</summary>
    public int FieldTokenCount { get; }

    /// <summary>True when responses are written with field tokens (see <see cref="FieldTokens"/>).</summary>
    public bool HasFieldTokens => FieldTokenCount > 0;

    /// <summary>The model id of a field token.</summary>
    /// <exception cref="InvalidOperationException">The vocabulary has no field tokens.</exception>
    public int FieldTokenId(FieldForm form) => HasFieldTokens
        ? Gpt2Size + (int)form
        : throw new InvalidOperationException("This vocabulary has no field tokens.");

    /// <summary>True when <paramref name="modelId"/> is a field token; <paramref name="form"/> is its form.</summary>
    public bool IsFieldToken(int modelId, out FieldForm form)
    {
        form = (FieldForm)(modelId - Gpt2Size);
        return modelId >= Gpt2Size && modelId < Size;
    }

    /// <summary>True for a compact map.</summary>
    public bool IsCompact => _gpt2Ids is not null;

    /// <summary>Model id of the end-of-text token.</summary>
    public int EosId { get; }

    /// <summary>For compact vocabularies, the GPT-2 id of each model id; null for the full vocabulary.</summary>
    public IReadOnlyList<int>? Gpt2Ids => _gpt2Ids is null ? null : Array.AsReadOnly(_gpt2Ids);

    /// <summary>The GPT-2 id behind a model id.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a GPT-2 token of this vocabulary (a field token has none).</exception>
    public int ToGpt2Id(int modelId)
    {
        if ((uint)modelId >= (uint)Gpt2Size)
            throw new ArgumentOutOfRangeException(nameof(modelId), modelId, $"GPT-2 tokens of this vocabulary are model ids 0..{Gpt2Size - 1}.");
        return _gpt2Ids is null ? modelId : _gpt2Ids[modelId];
    }

    /// <summary>Encodes text to model ids. Never produces EOS from text (a literal "&lt;|endoftext|&gt;" stays text).</summary>
    public int[] Encode(string text)
    {
        int[] ids = _gpt2.Encode(text);
        if (_modelIds is null) return ids;

        // Fast path: in-corpus text maps one-to-one (in place, no second array).
        int i = 0;
        for (; i < ids.Length; i++)
        {
            int modelId = _modelIds[ids[i]];
            if (modelId < 0) break;
            ids[i] = modelId;
        }
        if (i == ids.Length) return ids;

        // Byte-level fallback from the first unmapped token on: spell it out with single-byte tokens.
        var result = new List<int>(ids.Length + 16);
        result.AddRange(ids.AsSpan(0, i));
        for (; i < ids.Length; i++)
        {
            int modelId = _modelIds[ids[i]];
            if (modelId >= 0)
            {
                result.Add(modelId);
                continue;
            }
            foreach (byte b in _gpt2.TokenBytes(ids[i])) result.Add(_byteModelIds![b]);
        }
        return result.ToArray();
    }

    /// <summary>
    /// Encodes a response written with field markers (<see cref="FieldTokens.Delexicalize"/>): each marker becomes its
    /// field token, the text between markers is encoded as by <see cref="Encode"/>. Without field tokens, the same as
    /// <see cref="Encode"/> of the text with its markers removed.
    /// </summary>
    public int[] EncodeResponse(string delexicalized)
    {
        ArgumentNullException.ThrowIfNull(delexicalized);
        if (!HasFieldTokens) return Encode(FieldTokens.Strip(delexicalized));
        var ids = new List<int>(delexicalized.Length / 3);
        int start = 0;
        for (int i = 0; i <= delexicalized.Length; i++)
        {
            bool marker = i < delexicalized.Length && FieldTokens.IsMarker(delexicalized[i], out _);
            if (!marker && i < delexicalized.Length) continue;
            if (i > start) ids.AddRange(Encode(delexicalized[start..i]));
            if (marker)
            {
                FieldTokens.IsMarker(delexicalized[i], out var form);
                ids.Add(FieldTokenId(form));
            }
            start = i + 1;
        }
        return [.. ids];
    }

    /// <summary>
    /// Encodes a prompt for generation, failing clearly when it cannot fit: <paramref name="maxTokens"/> is the most
    /// prompt tokens the caller can afford (typically the context length minus the tokens it wants to generate).
    /// </summary>
    public int[] EncodePrompt(string prompt, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens);
        int[] ids = Encode(prompt);
        if (ids.Length > maxTokens)
            throw new ArgumentException(
                $"The prompt is {ids.Length} tokens long but at most {maxTokens} fit in the model's context; shorten the prompt or generate fewer tokens.",
                nameof(prompt));
        return ids;
    }

    /// <summary>The bytes of one model id; empty for end-of-text (it decodes to nothing); a field token's marker
    /// character for a field token (<see cref="FieldTokens.Expand"/> turns it into the value).</summary>
    public ReadOnlySpan<byte> TokenBytes(int modelId)
    {
        if (CheckModelId(modelId) == EosId) return ReadOnlySpan<byte>.Empty;
        return IsFieldToken(modelId, out var form) ? s_markerBytes[(int)form] : _gpt2.TokenBytes(ToGpt2Id(modelId));
    }

    private static readonly byte[][] s_markerBytes =
        [.. Enum.GetValues<FieldForm>().Select(f => Encoding.UTF8.GetBytes(FieldTokens.Marker(f).ToString()))];

    /// <summary>
    /// The raw bytes of <paramref name="ids"/> (end-of-text skipped). Unlike <see cref="Decode"/> nothing is replaced,
    /// so a character split across tokens stays intact: use it (or <see cref="IncrementalTextDecoder"/>) to check a
    /// growing generation for stop strings.
    /// </summary>
    public byte[] DecodeBytes(ReadOnlySpan<int> ids)
    {
        int length = 0;
        foreach (int id in ids) length += TokenBytes(id).Length;
        var bytes = new byte[length];
        int at = 0;
        foreach (int id in ids)
        {
            ReadOnlySpan<byte> token = TokenBytes(id);
            token.CopyTo(bytes.AsSpan(at));
            at += token.Length;
        }
        return bytes;
    }

    /// <summary>Decodes model ids to text (EOS decodes to nothing; invalid UTF-8 becomes U+FFFD only if ids split a character).</summary>
    public string Decode(ReadOnlySpan<int> ids) => Encoding.UTF8.GetString(DecodeBytes(ids));

    private int CheckModelId(int modelId) =>
        (uint)modelId < (uint)Size ? modelId : throw new ArgumentOutOfRangeException(nameof(modelId), modelId, $"Model ids of this vocabulary are 0..{Size - 1}.");
}
