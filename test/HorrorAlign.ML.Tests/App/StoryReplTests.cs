using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;

namespace HorrorAlign.ML.Tests.App;

/// <summary>The REPL of <c>generate --interactive</c>, with a stand-in for the model that records what it was asked.</summary>
public sealed class StoryReplTests
{
    private sealed class Session
    {
        private readonly AppConsole _console = new();

        public List<(string Prompt, int Seed)> Asked { get; } = [];

        public string Run(string input, CancellationToken ct = default)
        {
            var repl = new StoryRepl((prompt, sampling) =>
            {
                Asked.Add((prompt, sampling.Seed));
                return "STORY " + Asked.Count;
            }, new SamplingOptions { Seed = 7 }, new CliConsole(_console.Console, TextWriter.Null, new StringReader(input)));
            repl.Run(ct);
            return _console.Text;
        }
    }

    [Fact]
    public void HelpListsTheReplCommands()
    {
        var session = new Session();

        string text = session.Run(":help\n");

        Assert.Contains(":help", text);
        Assert.Matches(@":spec\s+Fill in the seven spec fields", text);
        Assert.Matches(@":quit, :q, exit, quit\s+Leave", text);
        Assert.Empty(session.Asked);
    }

    [Fact]
    public void AnUnknownColonWordIsAnErrorLineNotAPrompt()
    {
        var session = new Session();

        string text = session.Run(":hlep\n:quit now\nA prompt\\nwith a break\n:q\nnever read\n");

        Assert.Contains("error: ':hlep' is not a REPL command; :help lists them", text);
        Assert.Contains("error: ':quit now' is not a REPL command", text);
        Assert.Equal([("A prompt\nwith a break", 7)], session.Asked);
        Assert.Contains("STORY 1", text);
    }

    [Fact]
    public void SpecFieldsAndJsonSpecsAreWrittenWithTheirChecksAndANewSeedPerTurn()
    {
        var session = new Session();
        string json = """{"title":"T","setting":"a lighthouse","protagonist":"Mara","supporting_character":"Ilse","object":"a brass key","taboo":"never open the door","twist":"the keeper was dead"}""";

        string text = session.Run($":spec\nT\na lighthouse\nMara\nIlse\na brass key\nnever open the door\nthe keeper was dead\n{json}\n");

        Assert.Equal(2, session.Asked.Count);
        Assert.Equal(session.Asked[0].Prompt, session.Asked[1].Prompt);
        Assert.Equal([7, 8], session.Asked.Select(a => a.Seed));
        Assert.Equal(2, text.Split("[checks: ").Length - 1);
    }

    [Fact]
    public void CtrlCEndsTheLoop()
    {
        var session = new Session();

        Assert.Throws<OperationCanceledException>(() => session.Run("a prompt\n", new CancellationToken(canceled: true)));
        Assert.Empty(session.Asked);
    }
}
