using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Generation;

/// <summary>
/// Logit masks over field tokens for one generated story. Without a spec (a prompt that is not a story spec) field
/// tokens are never generated, since no value is known to expand them to; with one, the title is never written. With
/// a spec and
/// <see cref="SamplingOptions.EnforceFields"/>: no end-of-text before both characters, the object, the taboo and the
/// twist have appeared, the setting, the taboo and the twist at most once each (a second one is a loop), and no run
/// of 3 to 24 tokens written twice in a row.
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
    private readonly List<int> _story = [];

    // A run of this many tokens or more written twice in a row is a loop ("…whispered. Kai whispered."); no template
    // sentence repeats itself that way.
    private const int MinLoopTokens = 3, MaxLoopTokens = 24;

    private FieldConstraints(TokenVocabulary vocabulary, bool noFields, bool enforce)
    {
        _vocabulary = vocabulary;
        _noFields = noFields;
        _enforce = enforce;
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
        _story.Add(token);
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
        if (Required.Any(group => Uses(group) == 0)) logits[_eosId] = float.NegativeInfinity;
        foreach (var group in AtMostOnce)
            if (Uses(group) > 0)
                foreach (var form in group) logits[_vocabulary.FieldTokenId(form)] = float.NegativeInfinity;
        BanLoops(logits);
    }

    /// <summary>Bans every token that would complete a run written twice in a row: with the story ending in
    /// x₁…xₙ x₁…xₙ₋₁, the token xₙ.</summary>
    private void BanLoops(Span<float> logits)
    {
        int count = _story.Count;
        for (int n = MinLoopTokens; n <= MaxLoopTokens && 2 * n - 1 <= count; n++)
        {
            bool repeats = true;
            for (int k = 1; k < n && repeats; k++) repeats = _story[count - k] == _story[count - k - n];
            if (repeats) logits[_story[count - n]] = float.NegativeInfinity;
        }
    }

    private int Uses(FieldForm[] group)
    {
        int n = 0;
        foreach (var form in group) n += _uses[(int)form];
        return n;
    }
}
