using System.Collections;
using System.IO.Compression;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Persistence;

/// <summary>
/// <c>torch.save</c> files (<c>.pt</c>, <c>.pth</c>, <c>.bin</c>) through TorchSharp.PyBridge. They are read as WEIGHTS
/// ONLY: PyBridge's unpickler rebuilds tensors and plain containers and never runs code named in the file (unknown
/// classes become inert dictionaries), which is what <c>torch.load(weights_only=True)</c> promises in Python.
/// </summary>
internal static class PyTorchPickle
{
    /// <summary>The wrappers training scripts commonly save around the state dict, in the order they are tried.</summary>
    private static readonly string[] s_wrapperKeys = ["model_state_dict", "state_dict", "model"];

    /// <summary>True when <paramref name="path"/> is a zip whose entries hold a pickle (<c>*/data.pkl</c>): the file
    /// format of <c>torch.save</c> since PyTorch 1.6.</summary>
    public static bool Looks(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            return zip.Entries.Any(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>
    /// The state dict of <paramref name="path"/>: a bare one, or the one inside <c>{"model_state_dict": …}</c>,
    /// <c>{"state_dict": …}</c> or <c>{"model": …}</c>. Tensors are on the CPU and owned by the caller.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a torch.save zip, a tensor that does not fit the data the file holds
    /// (checked before any is allocated), or no dictionary of tensors in it (named).</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        string what = $"PyTorch file '{path}'";
        Hashtable root;
        ZipLimits.Check(path, what);
        using (var zip = ZipFile.OpenRead(path)) PickledTensorCheck.Check(zip, what);
        try
        {
            using var stream = File.OpenRead(path);
            root = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or FileNotFoundException or UnauthorizedAccessException))
        {
            throw Unreadable(what, e.Message, e);
        }

        var dict = Unwrap(root, what);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dict)
        {
            if (entry.Key is not string name || entry.Value is not Tensor t)
            {
                foreach (var owned in tensors.Values) owned.Dispose();
                throw new InvalidDataException(
                    $"The {what}: entry '{entry.Key}' is {entry.Value?.GetType().Name ?? "null"}, not a tensor; a state dict maps names to tensors.");
            }
            tensors.Add(name, t);
        }
        return tensors;
    }

    /// <summary>The error for a file that is no torch.save state dict; <paramref name="reason"/> says what failed.</summary>
    internal static InvalidDataException Unreadable(string what, string reason, Exception? inner = null) => new(
        $"The {what} could not be read as a torch.save file ({reason}). Files saved with " +
        "_use_new_zipfile_serialization=False, or a whole pickled nn.Module, are not supported: save model.state_dict().", inner);

    private static IDictionary Unwrap(Hashtable root, string what)
    {
        if (root.Count > 0 && root.Values.Cast<object?>().All(v => v is Tensor)) return root;
        foreach (var key in s_wrapperKeys)
        {
            if (root[key] is IDictionary inner && inner.Count > 0 && inner.Values.Cast<object?>().All(v => v is Tensor)) return inner;
        }
        var keys = string.Join(", ", root.Keys.Cast<object>().Select(k => $"'{k}'").Take(12));
        throw new InvalidDataException(
            $"The {what} holds no state dict: expected a dictionary of tensors, bare or under 'model_state_dict', 'state_dict' or 'model'; its keys are {keys}.");
    }

    /// <summary>Writes a bare state dict as <c>torch.save</c> does (tensors copied to the CPU, in the given order).</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var scope = NewDisposeScope();
        // PyBridge writes an OrderedDict in the dictionary's enumeration order.
        var ordered = new System.Collections.Specialized.OrderedDictionary(StringComparer.Ordinal);
        foreach (var (name, t) in tensors) ordered.Add(name, t.detach().cpu().contiguous());
        PyTorchPickler.PickleStateDict(stream, ordered, leaveOpen: true);
    }
}
