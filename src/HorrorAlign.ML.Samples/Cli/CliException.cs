namespace HorrorAlign.ML.Samples.Cli;

/// <summary>A usage error: printed as <c>error: message</c> without a stack trace, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
