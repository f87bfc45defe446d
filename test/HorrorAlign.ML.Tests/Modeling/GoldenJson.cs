using System.Text.Json;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Modeling;

/// <summary>Reads the golden vector files (data/golden/*.json, copied to the test output) into tensors.</summary>
internal static class GoldenJson
{
    public static JsonElement Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "data", "golden", name);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    /// <summary>A nested JSON number array as a tensor of its shape.</summary>
    public static Tensor ToTensor(JsonElement array, ScalarType dtype = ScalarType.Float32)
    {
        var shape = new List<long>();
        for (var e = array; e.ValueKind == JsonValueKind.Array; e = e[0]) shape.Add(e.GetArrayLength());
        var values = new List<double>();
        Flatten(array, values);
        return tensor(values.ToArray(), shape.ToArray()).to_type(dtype);
    }

    public static double[] ToDoubles(JsonElement array)
    {
        var values = new List<double>();
        Flatten(array, values);
        return values.ToArray();
    }

    private static void Flatten(JsonElement e, List<double> into)
    {
        if (e.ValueKind == JsonValueKind.Array)
            foreach (var item in e.EnumerateArray()) Flatten(item, into);
        else
            into.Add(e.GetDouble());
    }
}
