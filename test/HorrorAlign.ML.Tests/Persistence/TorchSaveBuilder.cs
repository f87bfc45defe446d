using System.IO.Compression;
using System.Numerics;
using System.Text;

namespace HorrorAlign.ML.Tests.Persistence;

/// <summary>One tensor as a torch.save pickle declares it: its storage (type, element count, the bytes its data entry
/// really holds) and its view of that storage. Nothing ties the declaration to the data, which is the point.</summary>
internal sealed record DeclaredTensor(string Name, string Storage, BigInteger Elements, long[] Shape, long[] Stride, long Offset, int DataBytes);

/// <summary>
/// Writes <c>torch.save</c> zips as PyTorch 1.13 does for a state dict (protocol 2, an OrderedDict of
/// <c>torch._utils._rebuild_tensor_v2</c> calls, each storage a persistent id over <c>archive/data/&lt;key&gt;</c>), from
/// declarations that need not be true: a few bytes that claim a terabyte.
/// </summary>
internal static class TorchSaveBuilder
{
    public static byte[] Zip(params DeclaredTensor[] tensors)
    {
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            Put(zip, "archive/data.pkl", Pickle(tensors));
            for (int i = 0; i < tensors.Length; i++) Put(zip, $"archive/data/{i}", new byte[tensors[i].DataBytes]);
            Put(zip, "archive/version", "3\n"u8.ToArray());
        }
        return output.ToArray();
    }

    /// <summary>The pickle <paramref name="zip"/> holds (to mutate it), and the zip with another one in its place.</summary>
    public static byte[] PickleOf(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var stream = archive.Entries.First(e => e.Name == "data.pkl").Open();
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static byte[] WithPickle(byte[] zip, byte[] pickle)
    {
        var output = new MemoryStream();
        output.Write(zip);
        using (var archive = new ZipArchive(output, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = archive.Entries.First(e => e.Name == "data.pkl");
            string name = entry.FullName;
            entry.Delete();
            Put(archive, name, pickle);
        }
        return output.ToArray();
    }

    private static byte[] Pickle(DeclaredTensor[] tensors)
    {
        var p = new List<byte> { 0x80, 2 }; // PROTO 2
        void Op(char code) => p.Add((byte)code);
        void Text(string text) => p.AddRange(Encoding.UTF8.GetBytes(text));
        void Global(string module, string name) { Op('c'); Text($"{module}\n{name}\n"); }
        void Unicode(string s) { Op('X'); p.AddRange(BitConverter.GetBytes(Encoding.UTF8.GetByteCount(s))); Text(s); }
        void Int(BigInteger n)
        {
            if (n >= 0 && n < 256) { Op('K'); p.Add((byte)n); }
            else if (n >= int.MinValue && n <= int.MaxValue) { Op('J'); p.AddRange(BitConverter.GetBytes((int)n)); }
            else { byte[] b = n.ToByteArray(); p.Add(0x8A); p.Add((byte)b.Length); p.AddRange(b); } // LONG1
        }
        void Tuple(IEnumerable<long> items) { Op('('); foreach (long i in items) Int(i); Op('t'); }

        Global("collections", "OrderedDict"); Op(')'); Op('R');
        Op('(');
        for (int i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i];
            Unicode(t.Name);
            Global("torch._utils", "_rebuild_tensor_v2");
            Op('(');
            Op('('); Unicode("storage"); Global("torch", t.Storage); Unicode(i.ToString(System.Globalization.CultureInfo.InvariantCulture)); Unicode("cpu"); Int(t.Elements); Op('t');
            Op('Q'); // BINPERSID
            Int(t.Offset);
            Tuple(t.Shape);
            Tuple(t.Stride);
            p.Add(0x89); // NEWFALSE: requires_grad
            Global("collections", "OrderedDict"); Op(')'); Op('R'); // backward hooks
            Op('t');
            Op('R');
        }
        Op('u'); // SETITEMS
        Op('.');
        return [.. p];
    }

    private static void Put(ZipArchive zip, string name, byte[] bytes)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        stream.Write(bytes);
    }
}
