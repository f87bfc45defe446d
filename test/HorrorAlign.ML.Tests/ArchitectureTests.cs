using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace HorrorAlign.ML.Tests;

/// <summary>
/// The library's folders are layers and data flows one way: a folder's files use the folders below it, never one above
/// it (so there are no cycles between folders). Read from the library's source files, so a violation fails here naming
/// the file, the line and the folder it reaches up to.
/// </summary>
public partial class ArchitectureTests
{
    /// <summary>The folders of src/HorrorAlign.ML, bottom to top. Each is the namespace <c>HorrorAlign.ML.&lt;Folder&gt;</c>.</summary>
    public static readonly string[] Layers =
    [
        "IO",           // files, JSONL, progress callbacks
        "Text",         // grammar and plain-text helpers: words, stems, sentences, names
        "Specs",        // the story spec and its prompt
        "Data",         // the row types (SFT examples, preference pairs, pair kinds), value pools, word lists, probes, benchmark
        "Modeling",     // the GPT
        "Tokenization", // vocabulary, codec, completion encoder, batching
        "Losses",
        "Persistence",  // the saved model
        "Generation",   // sampling and decoding
        "Training",     // the SFT and DPO loop
        "Evaluation",   // the story checks and the model evaluator
        "Synthesis",    // the template writer that verifies with the checks, and the dataset
        "Mining",       // on-policy pairs
        "MLNet",        // the ML.NET face
        "Chat",         // the trained model as an IChatClient (Microsoft.Extensions.AI)
        "Pipeline",     // the whole run
    ];

    /// <summary>The one folder whose files may declare types in the root namespace <c>HorrorAlign.ML</c>: the ML.NET types
    /// users touch. C# lets every namespace below the root use those types without a using directive, so uses are found by
    /// the types' names.</summary>
    private const string RootNamespaceFolder = "MLNet";

    private const string RootNamespace = "HorrorAlign.ML";

    [Fact]
    public void EveryFileSitsInALayerFolderUnderItsNamespace()
    {
        var problems = new List<string>();
        foreach (var file in SourceFiles())
        {
            if (file.Layer is null)
                problems.Add($"{file.RelativePath}: not in one of the layer folders ({string.Join(", ", Layers)})");
            else if (file.Namespace != $"{RootNamespace}.{file.Layer}" && !(file.Namespace == RootNamespace && file.Layer == RootNamespaceFolder))
                problems.Add($"{file.RelativePath}: namespace {file.Namespace ?? "(none)"}, expected {RootNamespace}.{file.Layer}" +
                    (file.Layer == RootNamespaceFolder ? $" (or {RootNamespace})" : ""));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void NoFolderUsesAFolderAboveIt()
    {
        var files = SourceFiles();
        Assert.True(files.Count > 100, $"found only {files.Count} source files under {LibraryDirectory()}");
        var violations = Violations(files);
        Assert.True(violations.Count == 0, "A folder uses a folder above it (order, bottom to top: " + string.Join(", ", Layers) + "):\n" +
            string.Join("\n", violations));
    }

    [Fact]
    public void TheScannerKeepsTheCodeOfEveryLibraryFile()
    {
        // A literal or comment read wrongly would blank code (hiding its references): its braces would no longer
        // balance, or its using directives would be gone.
        var problems = new List<string>();
        foreach (var file in SourceFiles())
        {
            string code = Code(file.Text);
            if (code.Count(c => c == '{') != code.Count(c => c == '}')) problems.Add($"{file.RelativePath}: braces do not balance");
            var usings = file.Text.Split('\n').Where(l => l.StartsWith("using ", StringComparison.Ordinal));
            problems.AddRange(usings.Where(u => !code.Split('\n').Contains(u)).Select(u => $"{file.RelativePath}: lost '{u}'"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheCheckCatchesEveryKindOfReference()
    {
        var root = new SourceFile("MLNet/StoryThing.cs", "MLNet", RootNamespace, "namespace HorrorAlign.ML;\npublic sealed class StoryThing { }\n");
        var check = new SourceFile("Evaluation/StoryCheck.cs", "Evaluation", "HorrorAlign.ML.Evaluation",
            "namespace HorrorAlign.ML.Evaluation;\npublic enum StoryCheck { A }\n");
        SourceFile Data(string code) => new("Data/Row.cs", "Data", "HorrorAlign.ML.Data", "namespace HorrorAlign.ML.Data;\n" + code);
        string[] Found(string code) => [.. Violations([root, check, Data(code)])];

        Assert.Single(Found("using HorrorAlign.ML.Evaluation;\n"));
        Assert.Single(Found("using static HorrorAlign.ML.Evaluation.StoryCheck;\n"));
        Assert.Single(Found("class R { HorrorAlign.ML.Pipeline.RunOptions? O; }\n"));
        Assert.Single(Found("class R { Evaluation.StoryCheck C; }\n"));                   // relative to HorrorAlign.ML
        Assert.Single(Found("/// <see cref=\"HorrorAlign.ML.Evaluation.StoryCheck\"/>\nclass R { }\n"));
        Assert.Single(Found("class R { StoryThing? T; }\n"));                            // a root-namespace type, no using needed
        Assert.Contains("Data/Row.cs:2: HorrorAlign.ML.Data uses Evaluation", Found("using HorrorAlign.ML.Evaluation;\n")[0]);
        // Downward references, text and comments are fine.
        Assert.Empty(Found("using HorrorAlign.ML.Specs;\nusing HorrorAlign.ML.IO;\n"));
        Assert.Empty(Found("class R { string S = \"HorrorAlign.ML.Evaluation.StoryCheck StoryThing\"; }\n"));
        Assert.Empty(Found("// see HorrorAlign.ML.Evaluation and StoryThing\n/// <summary>Like the StoryThing of Evaluation.StoryCheck.</summary>\nclass R { }\n"));
        Assert.Empty(Found("class R { int Evaluation; int F() => x.Evaluation.StoryCheck; }\n"));
    }

    /// <summary>One library source file: its path under the library folder, its layer (null when it is in none) and namespace.</summary>
    private sealed record SourceFile(string RelativePath, string? Layer, string? Namespace, string Text);

    /// <summary>Every reference from a file to a layer above its own, as <c>path:line: namespace uses Layer (what)</c>.</summary>
    private static List<string> Violations(IReadOnlyList<SourceFile> files)
    {
        var rank = Layers.Select((layer, i) => (layer, i)).ToDictionary(x => x.layer, x => x.i);
        // The types each layer declares (for references relative to HorrorAlign.ML, like "Evaluation.StoryCheck"), and
        // the root namespace's (usable by name from anywhere below the root).
        var declared = Layers.ToDictionary(l => l, _ => new HashSet<string>(StringComparer.Ordinal));
        var rootTypes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in files.Where(f => f.Layer is not null))
            foreach (string type in TopLevelTypes(Code(f.Text)))
                (f.Namespace == RootNamespace ? rootTypes : declared[f.Layer!]).Add(type);

        var violations = new List<string>();
        foreach (var f in files.Where(f => f.Layer is not null))
        {
            int own = rank[f.Layer!];
            string code = Code(f.Text);
            void Report(int index, string layer, string what)
            {
                int line = 1 + code.AsSpan(0, index).Count('\n');
                violations.Add($"{f.RelativePath}:{line}: {f.Namespace} uses {layer} ({what})");
            }
            foreach (Match m in QualifiedReference().Matches(code))
                if (rank.TryGetValue(m.Groups[1].Value, out int used) && used > own) Report(m.Index, m.Groups[1].Value, m.Value);
            foreach (Match m in RelativeReference().Matches(code))
                if (rank.TryGetValue(m.Groups[1].Value, out int used) && used > own && declared[m.Groups[1].Value].Contains(m.Groups[2].Value))
                    Report(m.Index, m.Groups[1].Value, m.Value);
            if (rank[RootNamespaceFolder] > own)
                foreach (Match m in Identifier().Matches(code))
                    if (rootTypes.Contains(m.Value)) Report(m.Index, RootNamespaceFolder, $"{m.Value}, a type of the root namespace {RootNamespace}");
        }
        return violations;
    }

    /// <summary>The names of the types a file declares at the top level of its namespace (nested types need their
    /// outer type's name, so only top-level names can be used bare).</summary>
    private static IEnumerable<string> TopLevelTypes(string code)
    {
        bool fileScoped = NamespaceDeclaration().Match(code) is { Success: true } ns && ns.Value.TrimEnd().EndsWith(';');
        foreach (Match m in TypeDeclaration().Matches(code))
        {
            var before = code.AsSpan(0, m.Index);
            int depth = before.Count('{') - before.Count('}');
            if (depth == (fileScoped ? 0 : 1) && m.Groups[1].Value is not ("where" or "new" or "class" or "struct")) yield return m.Groups[1].Value;
        }
    }

    /// <summary>
    /// The code of a C# file with comments and string and character literals blanked out (line breaks kept, so positions
    /// keep their line numbers), except the <c>cref</c> attributes of documentation comments, which name code.
    /// </summary>
    private static string Code(string text)
    {
        var code = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '/' && At(text, i + 1, '/'))
            {
                int end = text.IndexOf('\n', i);
                if (end < 0) end = text.Length;
                string comment = text[i..end];
                var kept = new StringBuilder(new string(' ', comment.Length));
                if (comment.StartsWith("///", StringComparison.Ordinal))
                    foreach (Match m in Cref().Matches(comment))
                        kept.Remove(m.Groups[1].Index, m.Groups[1].Length).Insert(m.Groups[1].Index, m.Groups[1].Value);
                code.Append(kept);
                i = end;
            }
            else if (c == '/' && At(text, i + 1, '*'))
            {
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + 2;
                Blank(code, text, i, end);
                i = end;
            }
            else if (c == '"' || c == '\'' || ((c == '@' || c == '$') && StringStartsAt(text, i)))
            {
                int end = LiteralEnd(text, i);
                Blank(code, text, i, end);
                i = end;
            }
            else
            {
                code.Append(c);
                i++;
            }
        }
        return code.ToString();
    }

    private static bool At(string text, int i, char c) => i < text.Length && text[i] == c;

    /// <summary>True when a string literal with prefixes (<c>@</c>, <c>$</c>, <c>$@</c>, <c>@$</c>, <c>$$</c>…) starts at <paramref name="i"/>.</summary>
    private static bool StringStartsAt(string text, int i)
    {
        while (i < text.Length && text[i] is '@' or '$') i++;
        return At(text, i, '"');
    }

    /// <summary>The index after the string or character literal that starts at <paramref name="start"/> (an
    /// interpolated string's holes may hold literals of their own).</summary>
    private static int LiteralEnd(string text, int start)
    {
        int i = start;
        bool verbatim = false, interpolated = false;
        while (text[i] is '@' or '$')
        {
            verbatim |= text[i] == '@';
            interpolated |= text[i] == '$';
            i++;
        }
        char quote = text[i];
        int quotes = 0;
        while (At(text, i + quotes, '"') && quote == '"') quotes++;
        if (quotes >= 3) // a raw string: ends at the same number of quotes
        {
            int end = text.IndexOf(new string('"', quotes), i + quotes, StringComparison.Ordinal);
            return end < 0 ? text.Length : end + quotes;
        }
        if (quotes == 2) return i + 2; // ""
        for (i++; i < text.Length; i++)
        {
            if (!verbatim && text[i] == '\\') i++;
            else if (verbatim && text[i] == '"' && At(text, i + 1, '"')) i++;
            else if (interpolated && text[i] == '{' && At(text, i + 1, '{')) i++;
            else if (interpolated && text[i] == '{') i = HoleEnd(text, i + 1) - 1;
            else if (text[i] == quote) return i + 1;
            else if (!verbatim && text[i] == '\n') return i; // unterminated: stop at the line's end
        }
        return text.Length;
    }

    /// <summary>The index after the <c>}</c> that closes an interpolation hole whose expression starts at <paramref name="start"/>.</summary>
    private static int HoleEnd(string text, int start)
    {
        int depth = 1;
        for (int i = start; i < text.Length; i++)
        {
            if (text[i] == '"' || text[i] == '\'' || ((text[i] == '@' || text[i] == '$') && StringStartsAt(text, i))) i = LiteralEnd(text, i) - 1;
            else if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return i + 1;
        }
        return text.Length;
    }

    private static void Blank(StringBuilder code, string text, int start, int end)
    {
        for (int i = start; i < end; i++) code.Append(text[i] == '\n' ? '\n' : ' ');
    }

    [GeneratedRegex(@"(?<![\w.])HorrorAlign\.ML\.([A-Za-z]\w*)")]
    private static partial Regex QualifiedReference();

    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*)\.([A-Z]\w*)")]
    private static partial Regex RelativeReference();

    [GeneratedRegex(@"(?<![\w.@])[A-Za-z_]\w*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record|delegate\s+[\w<>\[\],.?\s]+?)\s+(?:struct\s+|class\s+)?([A-Za-z_]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\bcref=""([^""]*)""")]
    private static partial Regex Cref();

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    private static List<SourceFile> SourceFiles()
    {
        string library = LibraryDirectory();
        var files = new List<SourceFile>();
        foreach (string path in Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(library, path).Replace('\\', '/');
            string[] parts = relative.Split('/');
            if (parts[0] is "bin" or "obj") continue;
            string text = File.ReadAllText(path);
            string? ns = NamespaceDeclaration().Match(Code(text)) is { Success: true } m ? m.Groups[1].Value : null;
            files.Add(new SourceFile(relative, parts.Length > 1 && Layers.Contains(parts[0]) ? parts[0] : null, ns, text));
        }
        return files;
    }

    /// <summary>src/HorrorAlign.ML: found from this file's path at compile time, else (a build that maps source paths)
    /// by walking up from the test's output folder.</summary>
    private static string LibraryDirectory([CallerFilePath] string thisFile = "")
    {
        static string Library(string root) => Path.Combine(root, "src", "HorrorAlign.ML");
        static bool IsRoot(string dir) => File.Exists(Path.Combine(Library(dir), "HorrorAlign.ML.csproj"));
        string? fromSource = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(thisFile)));
        if (fromSource is not null && IsRoot(fromSource)) return Library(fromSource);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (IsRoot(dir.FullName)) return Library(dir.FullName);
        throw new DirectoryNotFoundException($"src/HorrorAlign.ML not found above {thisFile} or {AppContext.BaseDirectory}.");
    }
}
