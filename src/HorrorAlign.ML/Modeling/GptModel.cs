using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

// CONTRACT STUB (owned by the model helper): the signatures below are what training and generation code against.
/// <summary>Decoder-only GPT with the original pipeline's architecture.</summary>
public sealed class GptModel : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates a randomly initialised model.</summary>
    public GptModel(GptConfig config) : base("gpt") { Config = config; throw new NotImplementedException(); }

    /// <summary>The model's shape.</summary>
    public GptConfig Config { get; }

    /// <summary>ids [B,T] int64 → logits [B,T,V].</summary>
    public override Tensor forward(Tensor ids) => throw new NotImplementedException();

    /// <summary>
    /// Final-normalised hidden states [B,T,D]. With a cache, <paramref name="ids"/> are the NEW tokens, placed at
    /// positions cache.Length.., and their keys/values are appended to the cache.
    /// </summary>
    public Tensor ForwardHidden(Tensor ids, KvCache? cache = null) => throw new NotImplementedException();

    /// <summary>The output layer applied to hidden states of any leading shape [..., D] → [..., V].</summary>
    public Tensor Head(Tensor hidden) => throw new NotImplementedException();

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => throw new NotImplementedException();

    /// <summary>An empty key/value cache for incremental decoding of <paramref name="batch"/> sequences.</summary>
    public KvCache CreateCache(int batch) => throw new NotImplementedException();
}

/// <summary>Per-layer keys and values of the tokens decoded so far.</summary>
public sealed class KvCache : IDisposable
{
    /// <summary>Number of positions already in the cache.</summary>
    public int Length { get; internal set; }
    /// <inheritdoc />
    public void Dispose() { }
}
