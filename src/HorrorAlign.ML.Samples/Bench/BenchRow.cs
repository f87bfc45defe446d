namespace HorrorAlign.ML.Samples.Bench;

/// <summary>One line of the printed table.</summary>
/// <param name="Measurement">What was measured (JSON key where there is one).</param>
/// <param name="Model">Model shape, e.g. "d128 L2 H4 V3021".</param>
/// <param name="Value">The figure, formatted with its unit.</param>
/// <param name="Detail">How it was measured.</param>
public sealed record BenchRow(string Measurement, string Model, string Value, string Detail);
