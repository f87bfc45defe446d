namespace HorrorAlign.ML.Persistence;

/// <summary>How floating-point weights are stored in a saved model. Loading always gives float32 weights back.</summary>
public enum WeightPrecision
{
    /// <summary>Exact: 4 bytes per weight; a Save/Load round trip is bit-identical.</summary>
    Float32,

    /// <summary>IEEE half precision: 2 bytes per weight (about 3 significant digits); halves the file, for example
    /// inside an ML.NET zip. Weights beyond ±65504 would overflow, which trained weights never approach.</summary>
    Float16,

    /// <summary>bfloat16: 2 bytes per weight with float32's range and about 2 significant digits.</summary>
    BFloat16,
}
