using System.IO.Compression;
using System.Numerics;
using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Persistence;

/// <summary>
/// Every tensor a <c>torch.save</c> pickle declares, checked against its zip before one is built: its storage
/// (elements × element size) must lie in its data entry, and its shape, strides and offset inside that storage.
/// PyBridge allocates each tensor's whole shape before it reads a byte of it, so without this a pickle of a few bytes
/// could ask for terabytes (<c>[1048576, 1048576]</c> over a 16-byte entry).
/// </summary>
internal static class PickledTensorCheck
{
    /// <summary>Largest <c>data.pkl</c> read: a state dict of 128 layers pickles to about 100 KB.</summary>
    public const int MaxPickleBytes = 64 << 20;

    /// <summary>Bytes an element of each storage type takes (the types PyBridge reads).</summary>
    private static readonly Dictionary<string, int> ElementBytes = new(StringComparer.Ordinal)
    {
        ["DoubleStorage"] = 8, ["FloatStorage"] = 4, ["HalfStorage"] = 2, ["LongStorage"] = 8, ["IntStorage"] = 4,
        ["ShortStorage"] = 2, ["CharStorage"] = 1, ["ByteStorage"] = 1, ["BoolStorage"] = 1, ["BFloat16Storage"] = 2,
        ["ComplexDoubleStorage"] = 16, ["ComplexFloatStorage"] = 8,
    };

    /// <summary>Checks the tensors of the torch.save zip <paramref name="archive"/>; <paramref name="what"/> names it.</summary>
    /// <exception cref="InvalidDataException">The pickle is unreadable, or a tensor does not fit its data; names
    /// <paramref name="what"/> and the tensor.</exception>
    public static void Check(ZipArchive archive, string what)
    {
        foreach (var (name, call) in Tensors(Root(archive, what)))
            CheckTensor(archive, what, name, call);
    }

    private static object? Root(ZipArchive archive, string what)
    {
        // The entry PyBridge unpickles.
        var entry = archive.Entries.FirstOrDefault(e => e.Name.EndsWith("data.pkl", StringComparison.Ordinal))
            ?? throw PyTorchPickle.Unreadable(what, "it has no data.pkl");
        if (entry.Length > MaxPickleBytes)
            throw PyTorchPickle.Unreadable(what, $"its {entry.FullName} is {ByteSize.Format(entry.Length)}, more than the {ByteSize.Format(MaxPickleBytes)} a state dict needs");
        try
        {
            var pickle = new byte[entry.Length];
            using (var stream = entry.Open()) stream.ReadExactly(pickle);
            return PickleReader.Read(pickle);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw PyTorchPickle.Unreadable(what, $"{entry.FullName}, {e.Message}", e);
        }
    }

    /// <summary>Each <c>torch._utils._rebuild_tensor(_v2)</c> call in the pickle with its name: the dictionary keys
    /// that lead to it, joined by '.' (a walk with its own stack: nesting depth costs no thread stack).</summary>
    private static IEnumerable<(string Name, PickleReader.Call Call)> Tensors(object? root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(string Path, object? Value)>();
        pending.Push(("", root));
        while (pending.TryPop(out var next))
        {
            var (path, value) = next;
            if (value is null || value is string || value.GetType().IsValueType || !seen.Add(value)) continue;
            switch (value)
            {
                case PickleReader.Call { Callable: PickleReader.Global { Module: "torch._utils", Name: "_rebuild_tensor" or "_rebuild_tensor_v2" } } call:
                    yield return (path.Length == 0 ? "(the root)" : path, call);
                    break;
                case PickleReader.Call call:
                    pending.Push((path, call.Arguments));
                    pending.Push((path, call.Items));
                    pending.Push((path, call.Appended));
                    pending.Push((path, call.States));
                    break;
                case PickleReader.Dict dict:
                    for (int i = dict.Items.Count - 1; i >= 0; i--)
                    {
                        string key = dict.Items[i].Key as string ?? $"[{i}]";
                        pending.Push((path.Length == 0 ? key : path + "." + key, dict.Items[i].Value));
                    }
                    break;
                case IList<object?> items:
                    for (int i = items.Count - 1; i >= 0; i--) pending.Push(($"{path}[{i}]", items[i]));
                    break;
            }
        }
    }

    private static void CheckTensor(ZipArchive archive, string what, string name, PickleReader.Call call)
    {
        InvalidDataException Bad(string reason) => new($"The {what}: tensor '{name}' {reason}.");

        if (call.Arguments is not object?[] { Length: >= 4 } args || args[0] is not PickleReader.PersistentId { Id: object?[] { Length: >= 5 } id }
            || id[0] is not "storage" || id[1] is not PickleReader.Global storageType || id[2] is not string key)
            throw Bad("is not rebuilt from (storage, offset, shape, stride) as torch.save writes it");
        if (!ElementBytes.TryGetValue(storageType.Name, out int elementBytes))
            throw Bad($"has storage type '{storageType.Module}.{storageType.Name}', which is not one of {string.Join(", ", ElementBytes.Keys)}");
        // The entry PyBridge reads the storage from.
        var entry = archive.Entries.FirstOrDefault(f => f.FullName.EndsWith($"data/{key}", StringComparison.Ordinal))
            ?? throw Bad($"has its storage in data/{key}, which is not in the file");
        if (Count(id[4]) is not { } elements)
            throw Bad($"declares a storage of {id[4] ?? "None"} elements");
        var bytes = elements * elementBytes;
        if (bytes > entry.Length)
            throw Bad($"declares a storage of {elements:N0} {storageType.Name} elements ({Size(bytes)}), but its data entry " +
                $"'{entry.FullName}' holds {ByteSize.Format(entry.Length)}");

        if (Count(args[1]) is not { } offset || Counts(args[2]) is not { } shape || Counts(args[3]) is not { } stride || shape.Length != stride.Length)
            throw Bad("has an offset, shape or strides that are not counts of the same rank");
        // The elements the shape holds (what PyBridge allocates) and the furthest one its strides reach.
        var held = shape.Aggregate(BigInteger.One, (product, size) => product * size);
        var reach = held.IsZero ? BigInteger.Zero : offset + shape.Zip(stride, (size, step) => (size - 1) * step).Aggregate(BigInteger.Zero, BigInteger.Add) + 1;
        if (held > elements || reach > elements)
            throw Bad($"has shape [{string.Join(", ", shape)}] (strides [{string.Join(", ", stride)}], offset {offset}), which needs " +
                $"{BigInteger.Max(held, reach):N0} elements, but its storage declares {elements:N0}");
    }

    /// <summary>A non-negative integer, or null.</summary>
    private static BigInteger? Count(object? value) => value switch
    {
        long n when n >= 0 => n,
        BigInteger n when n.Sign >= 0 => n,
        _ => null,
    };

    private static BigInteger[]? Counts(object? value)
    {
        if (value is not object?[] items) return null;
        var counts = new BigInteger[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (Count(items[i]) is not { } n) return null;
            counts[i] = n;
        }
        return counts;
    }

    private static string Size(BigInteger bytes) => bytes <= long.MaxValue ? ByteSize.Format((long)bytes) : $"{bytes:N0} bytes";
}
