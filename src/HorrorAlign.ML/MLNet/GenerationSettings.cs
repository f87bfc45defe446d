using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using HorrorAlign.ML.Generation;

namespace HorrorAlign.ML.MLNet;

/// <summary>
/// The sampling options of a <see cref="StoryGeneratorTransformer"/> as the text value it persists in its inner chain
/// (a CustomMapping factory receives no state, so the options travel as a column, like the model).
/// Format: <c>HORRORALIGN-SAMPLING-v1;key=value;…</c>, invariant culture, round-trip doubles, stop strings base64.
/// </summary>
internal static class GenerationSettings
{
    const string Tag = "HORRORALIGN-SAMPLING-v1";
    static readonly ConcurrentDictionary<string, SamplingOptions> Parsed = new(StringComparer.Ordinal);

    public static string Format(SamplingOptions o)
    {
        var ci = CultureInfo.InvariantCulture;
        string stops = string.Join(",", o.StopStrings.Select(s => Convert.ToBase64String(Encoding.UTF8.GetBytes(s))));
        return string.Join(";",
            Tag,
            "max_new_tokens=" + o.MaxNewTokens.ToString(ci),
            "temperature=" + o.Temperature.ToString("R", ci),
            "top_k=" + o.TopK.ToString(ci),
            "top_p=" + o.TopP.ToString("R", ci),
            "repetition_penalty=" + o.RepetitionPenalty.ToString("R", ci),
            "seed=" + o.Seed.ToString(ci),
            "use_kv_cache=" + (o.UseKvCache ? "1" : "0"),
            "stop=" + stops);
    }

    /// <summary>Parses (and memoises: every row of a model carries the same few strings).</summary>
    public static SamplingOptions Parse(string text)
    {
        if (Parsed.TryGetValue(text, out var cached)) return cached;
        var options = ParseCore(text);
        if (Parsed.Count < 256) Parsed.TryAdd(text, options);
        return options;
    }

    static SamplingOptions ParseCore(string text)
    {
        var parts = text.Split(';');
        if (parts[0] != Tag)
            throw new InvalidDataException(
                $"The story generator's saved sampling settings have format '{parts[0]}', but this version of HorrorAlign.ML reads '{Tag}'.");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new InvalidDataException($"The story generator's saved sampling settings are corrupt near '{part}'.");
            values[part[..eq]] = part[(eq + 1)..];
        }
        var ci = CultureInfo.InvariantCulture;
        string Get(string key) => values.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"The story generator's saved sampling settings lack '{key}'.");
        try
        {
            var options = new SamplingOptions
            {
                MaxNewTokens = int.Parse(Get("max_new_tokens"), NumberStyles.Integer, ci),
                Temperature = double.Parse(Get("temperature"), NumberStyles.Float, ci),
                TopK = int.Parse(Get("top_k"), NumberStyles.Integer, ci),
                TopP = double.Parse(Get("top_p"), NumberStyles.Float, ci),
                RepetitionPenalty = double.Parse(Get("repetition_penalty"), NumberStyles.Float, ci),
                Seed = int.Parse(Get("seed"), NumberStyles.Integer, ci),
                UseKvCache = Get("use_kv_cache") == "1",
                StopStrings = Get("stop").Length == 0 ? []
                    : Get("stop").Split(',').Select(s => Encoding.UTF8.GetString(Convert.FromBase64String(s))).ToArray(),
            };
            // The zip may have been edited by hand: hold it to the same rules as options given in code.
            options.Validate();
            return options;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"The story generator's saved sampling settings are corrupt: {e.Message}", e);
        }
    }
}
