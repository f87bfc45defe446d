using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// <c>--version</c>: the informational version of horroralign itself. System.CommandLine's own action prints the entry
/// assembly's, which is the test host when the command line runs inside tests.
/// </summary>
public sealed class InformationalVersionAction : SynchronousCommandLineAction
{
    /// <summary>The version (<c>0.1.0</c>, plus <c>+commit</c> when the build knew it).</summary>
    public static string Version { get; } = typeof(InformationalVersionAction).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(InformationalVersionAction).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <inheritdoc />
    public override bool ClearsParseErrors => true;

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(Version);
        return ExitCode.Success;
    }
}
