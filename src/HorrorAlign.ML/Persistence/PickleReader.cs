using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace HorrorAlign.ML.Persistence;

/// <summary>
/// A pickle read as inert data, never run: the opcodes of protocols 0–4 that <c>torch.save</c> and plain containers
/// use, with a global kept as its name and a call (REDUCE, NEWOBJ, INST, OBJ) kept as its callable and arguments, so
/// that what a file declares can be checked before anything is built from it. Integers are <see cref="long"/> or,
/// past its range, <see cref="BigInteger"/>; tuples are <c>object?[]</c>, lists <c>List&lt;object?&gt;</c>. Memory is in
/// proportion to the pickle.
/// </summary>
internal static class PickleReader
{
    /// <summary>A global (<c>module.name</c>), by name only.</summary>
    internal sealed record Global(string Module, string Name);

    /// <summary>A persistent id (<c>torch.save</c>'s storages).</summary>
    internal sealed record PersistentId(object? Id);

    /// <summary>A dictionary's items in pickle order.</summary>
    internal sealed class Dict
    {
        public List<KeyValuePair<object?, object?>> Items { get; } = [];
    }

    /// <summary>A call of <see cref="Callable"/>, with what was later set on its result (SETITEM, APPEND, BUILD).</summary>
    internal sealed class Call(object? callable, object? arguments)
    {
        public object? Callable { get; } = callable;
        public object? Arguments { get; } = arguments;
        public Dict Items { get; } = new();
        public List<object?> Appended { get; } = [];
        public List<object?> States { get; } = [];
    }

    /// <summary>The object <paramref name="pickle"/> holds.</summary>
    /// <exception cref="FormatException">Not a pickle of those opcodes; the message gives the byte offset.</exception>
    public static object? Read(byte[] pickle)
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        int at = 0;
        while (true)
        {
            int op = at;
            if (at >= pickle.Length) throw Error(op, "the pickle ends before its STOP opcode");
            byte code = pickle[at++];
            switch (code)
            {
                case 0x80: Take(1); break; // PROTO
                case 0x95: Take(8); break; // FRAME: the frame's bytes follow as ordinary opcodes
                case (byte)'.': return stack.Count == 1 ? stack[0] : throw Error(op, $"STOP with {stack.Count} values on the stack");
                case (byte)'(': marks.Push(stack.Count); break;
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'}': stack.Add(new Dict()); break;
                case (byte)']': stack.Add(new List<object?>()); break;
                case (byte)')': stack.Add(Array.Empty<object?>()); break;
                case 0x8F: stack.Add(new List<object?>()); break; // EMPTY_SET
                case (byte)'t': stack.Add(PopMark(op).ToArray()); break;
                case (byte)'l': stack.Add(PopMark(op)); break;
                case 0x91: stack.Add(PopMark(op)); break; // FROZENSET
                case 0x85: stack.Add(PopN(op, 1)); break;
                case 0x86: stack.Add(PopN(op, 2)); break;
                case 0x87: stack.Add(PopN(op, 3)); break;
                case (byte)'d': stack.Add(ToDict(PopMark(op), op)); break;
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                case (byte)'K': stack.Add((long)Take(1)[0]); break;
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                case 0x8A: stack.Add(Integer(Take(Take(1)[0]))); break; // LONG1
                case 0x8B: stack.Add(Integer(Take(Length(Take(4))))); break; // LONG4
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
                case (byte)'I': stack.Add(TextInteger(Line(), op)); break;
                case (byte)'L': stack.Add(TextInteger(Line().TrimEnd('L'), op)); break;
                case (byte)'F': stack.Add(double.TryParse(Line(), NumberStyles.Float, CultureInfo.InvariantCulture, out double f) ? f : throw Error(op, "FLOAT is not a number")); break;
                case (byte)'X': stack.Add(Utf8(Take(Length(Take(4))), op)); break;
                case 0x8C: stack.Add(Utf8(Take(Take(1)[0]), op)); break; // SHORT_BINUNICODE
                case 0x8D: stack.Add(Utf8(Take(Length8(Take(8))), op)); break; // BINUNICODE8
                case (byte)'T': stack.Add(Latin1(Take(Length(Take(4))))); break; // BINSTRING
                case (byte)'U': stack.Add(Latin1(Take(Take(1)[0]))); break; // SHORT_BINSTRING
                case (byte)'B': stack.Add(Take(Length(Take(4))).ToArray()); break; // BINBYTES
                case (byte)'C': stack.Add(Take(Take(1)[0]).ToArray()); break; // SHORT_BINBYTES
                case 0x8E: stack.Add(Take(Length8(Take(8))).ToArray()); break; // BINBYTES8
                case (byte)'S': stack.Add(Line()); break; // STRING: its repr, kept as written
                case (byte)'V': stack.Add(Line()); break; // UNICODE: raw-unicode-escaped, kept as written
                case (byte)'c': stack.Add(new Global(Line(), Line())); break;
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop(op);
                    var module = Pop(op);
                    stack.Add(module is string m && name is string n ? new Global(m, n) : throw Error(op, "STACK_GLOBAL needs two strings"));
                    break;
                }
                case (byte)'i': // INST
                {
                    var global = new Global(Line(), Line());
                    stack.Add(new Call(global, PopMark(op).ToArray()));
                    break;
                }
                case (byte)'o': // OBJ
                {
                    var items = PopMark(op);
                    if (items.Count == 0) throw Error(op, "OBJ without a class");
                    stack.Add(new Call(items[0], items.Skip(1).ToArray()));
                    break;
                }
                case (byte)'R': // REDUCE
                case 0x81: // NEWOBJ
                {
                    var arguments = Pop(op);
                    stack.Add(new Call(Pop(op), arguments));
                    break;
                }
                case 0x92: // NEWOBJ_EX
                {
                    var keywords = Pop(op);
                    var arguments = Pop(op);
                    stack.Add(new Call(Pop(op), new[] { arguments, keywords }));
                    break;
                }
                case (byte)'Q': stack.Add(new PersistentId(Pop(op))); break;
                case (byte)'P': stack.Add(new PersistentId(Line())); break;
                case (byte)'b': // BUILD
                {
                    var state = Pop(op);
                    if (Peek(op) is Call call) call.States.Add(state);
                    break;
                }
                case (byte)'s': SetItems(Peek2(op), PopN(op, 2), op); break;
                case (byte)'u':
                {
                    var items = PopMark(op);
                    SetItems(Peek(op), items.ToArray(), op);
                    break;
                }
                case (byte)'a':
                {
                    var item = Pop(op);
                    Append(Peek(op), [item], op);
                    break;
                }
                case (byte)'e':
                case 0x90: // APPENDS, ADDITEMS
                {
                    var items = PopMark(op);
                    Append(Peek(op), items, op);
                    break;
                }
                case (byte)'0': Pop(op); break;
                case (byte)'1': PopMark(op); break;
                case (byte)'2': stack.Add(Peek(op)); break;
                case (byte)'q': memo[Take(1)[0]] = Peek(op); break;
                case (byte)'r': memo[Length(Take(4))] = Peek(op); break;
                case 0x94: memo[memo.Count] = Peek(op); break; // MEMOIZE
                case (byte)'p': memo[TextIndex(Line(), op)] = Peek(op); break;
                case (byte)'h': stack.Add(Get(Take(1)[0], op)); break;
                case (byte)'j': stack.Add(Get(Length(Take(4)), op)); break;
                case (byte)'g': stack.Add(Get(TextIndex(Line(), op), op)); break;
                default: throw Error(op, $"opcode 0x{code:x2} is not one a torch.save state dict uses");
            }
        }

        ReadOnlySpan<byte> Take(long count)
        {
            if (count < 0 || count > pickle.Length - at) throw Error(at, $"a {count}-byte argument runs past the end of the pickle");
            var bytes = pickle.AsSpan(at, (int)count);
            at += (int)count;
            return bytes;
        }

        string Line()
        {
            int end = pickle.AsSpan(at).IndexOf((byte)'\n');
            if (end < 0) throw Error(at, "a text argument has no end of line");
            string text = Encoding.Latin1.GetString(pickle, at, end);
            at += end + 1;
            return text;
        }

        object? Pop(int op)
        {
            if (stack.Count == 0 || marks.TryPeek(out int mark) && mark >= stack.Count) throw Error(op, "the stack is empty");
            var top = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return top;
        }

        object? Peek(int op) =>
            stack.Count == 0 || marks.TryPeek(out int mark) && mark >= stack.Count ? throw Error(op, "the stack is empty") : stack[^1];

        object? Peek2(int op) =>
            stack.Count < 3 || marks.TryPeek(out int mark) && mark > stack.Count - 3 ? throw Error(op, "the stack holds too few values") : stack[^3];

        object?[] PopN(int op, int n)
        {
            var items = new object?[n];
            for (int i = n - 1; i >= 0; i--) items[i] = Pop(op);
            return items;
        }

        List<object?> PopMark(int op)
        {
            if (!marks.TryPop(out int mark)) throw Error(op, "no MARK to pop to");
            var items = stack.GetRange(mark, stack.Count - mark);
            stack.RemoveRange(mark, stack.Count - mark);
            return items;
        }

        object? Get(long index, int op) => memo.TryGetValue(index, out var value) ? value : throw Error(op, $"memo {index} was never stored");
    }

    private static void SetItems(object? target, object?[] items, int op)
    {
        if (items.Length % 2 != 0) throw Error(op, "SETITEMS with an odd number of values");
        var dict = target switch
        {
            Dict d => d,
            Call c => c.Items,
            _ => throw Error(op, $"SETITEM on {Describe(target)}"),
        };
        for (int i = 0; i < items.Length; i += 2) dict.Items.Add(new(items[i], items[i + 1]));
    }

    private static void Append(object? target, List<object?> items, int op)
    {
        switch (target)
        {
            case List<object?> list: list.AddRange(items); break;
            case Call call: call.Appended.AddRange(items); break;
            default: throw Error(op, $"APPEND on {Describe(target)}");
        }
    }

    private static Dict ToDict(List<object?> items, int op)
    {
        var dict = new Dict();
        SetItems(dict, items.ToArray(), op);
        return dict;
    }

    private static object Integer(ReadOnlySpan<byte> littleEndian)
    {
        var value = new BigInteger(littleEndian, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private static object TextInteger(string text, int op) => text switch
    {
        "01" => true, // protocol 0's True and False
        "00" => false,
        _ => BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value >= long.MinValue && value <= long.MaxValue ? (long)value : value
            : throw Error(op, "INT is not a number"),
    };

    private static long TextIndex(string text, int op) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long index) ? index : throw Error(op, "a memo index is not a number");

    private static long Length(ReadOnlySpan<byte> fourBytes) => BinaryPrimitives.ReadUInt32LittleEndian(fourBytes);

    private static long Length8(ReadOnlySpan<byte> eightBytes)
    {
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(eightBytes);
        return length > int.MaxValue ? -1 : (long)length; // -1: Take reports it as running past the end
    }

    private static string Utf8(ReadOnlySpan<byte> bytes, int op)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error(op, "a string is not valid UTF-8");
        }
    }

    private static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    private static string Describe(object? value) => value?.GetType().Name ?? "None";

    private static FormatException Error(int offset, string reason) => new($"byte {offset:N0}: {reason}");
}
