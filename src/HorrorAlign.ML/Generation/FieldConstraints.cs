using System.Runtime.CompilerServices;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Generation;

/// <summary>
/// Logit masks over field tokens for one generated story. Without a spec (a prompt that is not a story spec) field
/// tokens are never generated, since no value is known to expand them to; with one, the title is never written. With
/// a spec and
/// <see cref="SamplingOptions.EnforceFields"/>: no end-of-text before both characters, the object, the taboo and the
/// twist have appeared, the setting, the taboo and the twist at most once each (a second one is a loop), and no run
/// of 3 to 24 words written twice in a row.
/// </summary>
internal sealed class FieldConstraints
{
    // Every field a story must name but the setting; the setting, taboo and twist are stated once.
    private static readonly FieldForm[][] Required = [.. FieldTokens.Fields.Where(f => f.Field != "setting").Select(f => f.Forms)];
    private static readonly FieldForm[][] AtMostOnce = [.. FieldTokens.Fields.Where(f => f.Field is "setting" or "taboo" or "twist").Select(f => f.Forms)];

    private readonly TokenVocabulary _vocabulary;
    private readonly bool _noFields;
    private readonly bool _enforce;
    private readonly int _eosId;
    private readonly int[] _uses = new int[FieldTokens.Count];
    private readonly bool[] _isWord;
    private readonly List<int> _words = [];

    // A run of this many words or more written twice in a row, punctuation aside, is a loop ("…could not hear. Kai
    // could not hear"); no template sentence repeats itself that way.
    private const int MinLoopWords = 3, MaxLoopWords = 24;

    // Per vocabulary: which ids are words (a field token, or a token with a letter or digit), the units loops repeat.
    private static readonly ConditionalWeakTable<TokenVocabulary, bool[]> s_words = new();

    private FieldConstraints(TokenVocabulary vocabulary, bool noFields, bool enforce)
    {
        _vocabulary = vocabulary;
        _noFields = noFields;
        _enforce = enforce;
        _isWord = s_words.GetValue(vocabulary, WordIds);
        _eosId = vocabulary.EosId;
    }

    /// <summary>The constraints for a story of <paramref name="codec"/>'s prompt; null without field tokens.</summary>
    public static FieldConstraints? For(StoryCodec codec, bool enforce)
    {
        if (!codec.Vocabulary.HasFieldTokens) return null;
        return new FieldConstraints(codec.Vocabulary, noFields: !codec.UsesFieldTokens, enforce);
    }

    /// <summary>Records a token of the story (generated, or begun earlier).</summary>
    public void Observe(int token)
    {
        if (_isWord[token]) _words.Add(token);
        if (_vocabulary.IsFieldToken(token, out var form)) _uses[(int)form]++;
    }

    /// <summary>Sets the logits of the tokens that may not come next to -∞.</summary>
    public void Apply(Span<float> logits)
    {
        if (_noFields)
        {
            foreach (var form in ValueForms.All) logits[_vocabulary.FieldTokenId(form)] = float.NegativeInfinity;
            return;
        }
        logits[_vocabulary.FieldTokenId(FieldForm.Title)] = float.NegativeInfinity; // the title is read, never written
        if (!_enforce) return;
        foreach (var group in Required)
            if (Uses(group) == 0) logits[_eosId] = float.NegativeInfinity;
        foreach (var group in AtMostOnce)
            if (Uses(group) > 0)
                foreach (var form in group) logits[_vocabulary.FieldTokenId(form)] = float.NegativeInfinity;
        BanLoops(logits);
    }

    /// <summary>Bans every word that would complete a run written twice in a row: with the story's words ending in
    /// w₁…wₙ w₁…wₙ₋₁ (punctuation and spaces aside), the word wₙ.</summary>
    private void BanLoops(Span<float> logits)
    {
        int count = _words.Count;
        for (int n = MinLoopWords; n <= MaxLoopWords && 2 * n - 1 <= count; n++)
        {
            bool repeats = true;
            for (int k = 1; k < n && repeats; k++) repeats = _words[count - k] == _words[count - k - n];
            if (repeats) logits[_words[count - n]] = float.NegativeInfinity;
        }
    }

    private static bool[] WordIds(TokenVocabulary vocabulary)
    {
        var isWord = new bool[vocabulary.Size];
        for (int id = 0; id < isWord.Length; id++)
        {
            if (vocabulary.IsFieldToken(id, out _) || id == vocabulary.EosId)
            {
                isWord[id] = id != vocabulary.EosId;
                continue;
            }
            foreach (byte b in vocabulary.TokenBytes(id))
                if (b >= 0x80 || char.IsAsciiLetterOrDigit((char)b))
                {
                    isWord[id] = true;
                    break;
                }
        }
        return isWord;
    }

    private int Uses(FieldForm[] group)
    {
        int n = 0;
        foreach (var form in group) n += _uses[(int)form];
        return n;
    }
}
