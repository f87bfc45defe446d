using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Pipeline;

/// <summary>A finished run of <see cref="AlignmentPipeline"/>: what it trained, how each checkpoint scored, and both
/// models (owned by the run: dispose it to free them).</summary>
/// <param name="Folder">The run folder.</param>
/// <param name="Options">The options it ran with, as stored in <c>run.json</c>.</param>
/// <param name="Data">The dataset used.</param>
/// <param name="DataSource">"generated" or the folder it was read from.</param>
/// <param name="EvalSpecsSource">Where the evaluation specs came from ("benchmark_test" or "benchmark_dev").</param>
/// <param name="Model">The decoder's shape (VocabSize is the compact vocabulary's).</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Sft">The SFT run.</param>
/// <param name="Dpo">The DPO run.</param>
/// <param name="SftEvaluation">Evaluation of the SFT checkpoint (no reference).</param>
/// <param name="DpoEvaluation">Evaluation of the DPO checkpoint (rewards relative to the SFT checkpoint).</param>
/// <param name="Seconds">Wall time per phase: data, sft, on_policy, dpo, evaluation, artefacts, total.</param>
/// <param name="Threads">torch intra-op threads during the run.</param>
/// <param name="OnPolicy">How many probe specs the SFT model wrote for, how many of its stories failed a check and
/// became DPO pairs, and how many of those got a repaired chosen side.</param>
/// <param name="ModelAlone">The constraint checks of both checkpoints' stories for the same specs sampled without
/// field enforcement (null when decoding enforced nothing).</param>
public sealed record AlignmentRun(string Folder, RunOptions Options, Dataset Data, string DataSource, string EvalSpecsSource,
    GptConfig Model, long Parameters, TrainingResult Sft, TrainingResult Dpo, ModelEvaluationReport SftEvaluation,
    ModelEvaluationReport DpoEvaluation, IReadOnlyList<KeyValuePair<string, double>> Seconds, int Threads,
    (int Specs, int Pairs, int Repaired) OnPolicy, (ConstraintReport? Sft, ConstraintReport? Dpo) ModelAlone) : IDisposable
{
    /// <summary>The SFT model (the DPO reference).</summary>
    public StoryModel SftModel => Sft.Model;

    /// <summary>The DPO model: the run's result.</summary>
    public StoryModel DpoModel => Dpo.Model;

    /// <summary>Frees both models.</summary>
    public void Dispose()
    {
        Sft.Model.Dispose();
        Dpo.Model.Dispose();
    }
}
