using System.Runtime.CompilerServices;

// The tests start the (internal) StoryServer in process on a free port and talk to it over real HTTP.
[assembly: InternalsVisibleTo("HorrorAlign.ML.Tests")]
