using Spectre.Console;

namespace HorrorAlign.ML.Tests.App;

/// <summary>A Spectre console writing plain text into a string, so command output can be asserted on.</summary>
internal sealed class AppConsole
{
    private readonly StringWriter _writer = new();

    public AppConsole() => Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(_writer),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });

    public IAnsiConsole Console { get; }

    public string Text => _writer.ToString();
}
