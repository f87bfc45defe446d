using System.Diagnostics;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Tests.Synthesis;

/// <summary>
/// A real teacher for the teacher tests: a small model trained until it writes the template stories of one small
/// dataset's specs, so that most (not all) of what it writes for them passes every check, as a good LLM's would.
/// </summary>
public sealed class TeacherModel : IDisposable
{
    /// <summary>The dataset whose specs the teacher is asked about (seed 7; ten rows).</summary>
    public static readonly DatasetOptions Data = new()
    {
        Seed = 7, SftTrainSize = 3, SftValidationSize = 1, SftTestSize = 1, PrefTrainSize = 3, PrefValidationSize = 1, PrefTestSize = 1,
        HeldOutSpecCount = 2,
    };

    public TeacherModel()
    {
        var clock = Stopwatch.StartNew();
        var templates = Dataset.Generate(Data);
        var stories = templates.SftTrain.Concat(templates.SftValidation).Concat(templates.SftTest)
            .Concat(templates.PrefTrain.Concat(templates.PrefValidation).Concat(templates.PrefTest).Select(p => new SftExample(p.Id, p.Prompt, p.Chosen, p.Spec)))
            .ToList();
        Model = StoryTraining.TrainSft(stories, [], new SftOptions
        {
            Model = new SftOptions().Model with { DModel = 64, NHeads = 2, NLayers = 2, ContextLength = 384 },
            BatchSize = 10, MaxEpochs = 150, LearningRate = 3e-3, WarmupSteps = 5, EvalInterval = 0, EarlyStoppingPatience = 0,
            CheckpointInterval = 0, Seed = 3, Threads = 1,
        });
        Seconds = clock.Elapsed.TotalSeconds;
    }

    public StoryModel Model { get; }

    public double Seconds { get; }

    public void Dispose() => Model.Dispose();
}
