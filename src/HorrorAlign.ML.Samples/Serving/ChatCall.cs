using Microsoft.Extensions.AI;

namespace HorrorAlign.ML.Samples.Serving;

/// <summary>One chat request as <see cref="IChatClient"/> takes it, plus how the answer goes back.</summary>
/// <param name="Messages">The conversation; the chat client reads the spec from the last user message.</param>
/// <param name="Options">The sampling settings the request gave.</param>
/// <param name="Stream">Server-sent events instead of one JSON answer.</param>
/// <param name="IncludeUsage">A stream ends with a usage chunk (<c>stream_options.include_usage</c>).</param>
internal sealed record ChatCall(IReadOnlyList<ChatMessage> Messages, ChatOptions Options, bool Stream, bool IncludeUsage);
