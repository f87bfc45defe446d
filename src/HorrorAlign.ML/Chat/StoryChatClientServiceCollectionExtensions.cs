using HorrorAlign.ML.Persistence;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace HorrorAlign.ML.Chat;

/// <summary>Registers a trained story model as the app's <see cref="IChatClient"/>.</summary>
public static class StoryChatClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="IChatClient"/> over the model at <paramref name="modelPath"/> (a run's model.zip, a
    /// model file, or a PyTorch <c>.pt</c>/<c>.safetensors</c> checkpoint), loaded on first use. Returns the
    /// <see cref="ChatClientBuilder"/>, so middleware goes on with one more call (<c>.UseLogging()</c>, …).
    /// </summary>
    /// <exception cref="ArgumentException">An empty path.</exception>
    public static ChatClientBuilder AddStoryChatClient(this IServiceCollection services, string modelPath) =>
        AddStoryChatClient(services, modelPath, new StoryChatClientOptions());

    /// <summary><see cref="AddStoryChatClient(IServiceCollection, string)"/> with the client's settings (model id, default sampling).</summary>
    public static ChatClientBuilder AddStoryChatClient(this IServiceCollection services, string modelPath, StoryChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentNullException.ThrowIfNull(options);
        return services.AddChatClient(_ => new StoryChatClient(ModelArchive.Load(modelPath), options));
    }

    /// <summary>Adds a singleton <see cref="IChatClient"/> over <paramref name="model"/> (the caller keeps and disposes it).</summary>
    public static ChatClientBuilder AddStoryChatClient(this IServiceCollection services, StoryModel model, StoryChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(model);
        return services.AddChatClient(new StoryChatClient(model, (options ?? throw new ArgumentNullException(nameof(options))) with { OwnsModel = false }));
    }
}
