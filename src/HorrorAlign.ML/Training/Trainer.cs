using System.Globalization;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Training;

/// <summary>
/// The one training loop shared by SFT and DPO (the stage-specific part is an <see cref="ITrainingObjective"/>):
/// seeded shuffling, gradient accumulation, AdamW with decay on matrices only, warmup + cosine schedule, clipping,
/// periodic whole-set validation, early stopping with best-weight restore, a NaN/Inf guard, cancellation and
/// bit-exact resume from checkpoints.
/// </summary>
internal sealed class Trainer : IDisposable
{
    private readonly StoryModel _policy;
    private readonly GptModel _model;
    private readonly ITrainingObjective _objective;
    private readonly TrainingOptions _options;
    private readonly string _fingerprint;
    private readonly IProgress<TrainingMetrics>? _progress;
    private readonly CancellationToken _cancellation;
    private readonly Parameter[] _parameters;
    private readonly AdamW _optimizer;
    private readonly LearningRateSchedule _schedule;
    private readonly string? _checkpointPath;
    private readonly int _trainCount;
    private readonly int _examplesPerStep;
    private readonly int _stepsPerEpoch;
    private readonly int _totalSteps;

    // Run state; everything below is saved in checkpoints.
    private int _step;                       // optimizer steps completed
    private double? _bestLoss;
    private int? _bestStep;
    private int _badEvaluations;
    private TrainingStopReason? _stopReason;
    private List<TrainingMetrics> _history = [];
    private MetricWindow _window = new();
    private Dictionary<string, Tensor>? _bestWeights;

    private int? _resumedFromStep;
    private int _orderEpoch = -1;
    private int[] _order = [];

    private Trainer(StoryModel policy, ITrainingObjective objective, TrainingOptions options, string fingerprint,
        IProgress<TrainingMetrics>? progress, CancellationToken cancellation)
    {
        _policy = policy;
        _model = policy.Model;
        _objective = objective;
        _options = options;
        _fingerprint = fingerprint;
        _progress = progress;
        _cancellation = cancellation;

        _trainCount = objective.Count(DataSplit.Train);
        _examplesPerStep = options.BatchSize * options.GradientAccumulationSteps;
        _stepsPerEpoch = (_trainCount + _examplesPerStep - 1) / _examplesPerStep;
        long planned = (long)_stepsPerEpoch * options.MaxEpochs;
        _totalSteps = (int)Math.Min(planned, options.MaxSteps ?? int.MaxValue);
        _schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, _totalSteps, options.MinLearningRateRatio);
        _checkpointPath = options.CheckpointDirectory is null ? null : TrainingCheckpoint.PathFor(options.CheckpointDirectory, objective.Stage);

        // nanoGPT's grouping: decay matrices and embeddings, never biases or norm scales (decaying a norm's scale toward
        // zero fights the normalisation itself). The optimizer's moments are created here, outside any dispose scope.
        var named = _model.named_parameters().Where(p => p.parameter.requires_grad).ToArray();
        _parameters = named.Select(p => p.parameter).ToArray();
        var decay = named.Where(p => p.parameter.dim() >= 2).Select(p => p.parameter).ToArray();
        var noDecay = named.Where(p => p.parameter.dim() < 2).Select(p => p.parameter).ToArray();
        var groups = new List<AdamW.ParamGroup>();
        if (decay.Length > 0)
            groups.Add(new AdamW.ParamGroup(decay, options.LearningRate, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon, options.WeightDecay));
        if (noDecay.Length > 0)
            groups.Add(new AdamW.ParamGroup(noDecay, options.LearningRate, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon, 0.0));
        _optimizer = optim.AdamW(groups, options.LearningRate, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon, options.WeightDecay);
    }

    /// <summary>Trains <paramref name="policy"/> in place and returns it inside the result (the result then owns it).</summary>
    public static TrainingResult Run(StoryModel policy, ITrainingObjective objective, TrainingOptions options, string fingerprint,
        IProgress<TrainingMetrics>? progress, CancellationToken cancellation)
    {
        using var threads = TorchThreads.Use(options.Threads);
        using var trainer = new Trainer(policy, objective, options, fingerprint, progress, cancellation);
        return trainer.Run();
    }

    private TrainingResult Run()
    {
        TryResume();
        // A longer plan, or a new time budget, continues a finished run.
        if (_stopReason is TrainingStopReason.Completed or TrainingStopReason.TimeLimitReached) _stopReason = null;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (_stopReason is null && _step < _totalSteps)
        {
            if (_cancellation.IsCancellationRequested)
            {
                WriteCheckpoint();
                _cancellation.ThrowIfCancellationRequested();
            }

            TrainStep();
            _step++;

            bool timeUp = _options.TimeLimit is { } limit && clock.Elapsed >= limit;
            bool last = _step == _totalSteps || timeUp;
            if (_step % _options.LoggingInterval == 0 || last) Log();
            bool epochEnd = _step % _stepsPerEpoch == 0;
            if (_objective.Count(DataSplit.Validation) > 0
                && ((_options.EvalInterval > 0 && _step % _options.EvalInterval == 0) || epochEnd || last))
                Evaluate();
            if (_options.CheckpointInterval > 0 && _step % _options.CheckpointInterval == 0 && _stopReason is null && !last)
                WriteCheckpoint();
            if (timeUp) _stopReason ??= TrainingStopReason.TimeLimitReached;
        }

        _stopReason ??= TrainingStopReason.Completed;
        if (_window.Steps > 0) Log(); // an early stop between logging points still reports its last steps
        WriteCheckpoint();
        return Finish(_stopReason.Value);
    }

    /// <summary>One optimizer step over BatchSize × GradientAccumulationSteps examples of the current epoch's order.</summary>
    private void TrainStep()
    {
        int epoch = _step / _stepsPerEpoch;
        if (epoch != _orderEpoch)
        {
            _order = Batching.Permutation(_trainCount, unchecked(_options.Seed + epoch));
            _orderEpoch = epoch;
        }
        int start = _step % _stepsPerEpoch * _examplesPerStep;
        int end = Math.Min(start + _examplesPerStep, _trainCount);

        // Reseeding per step makes dropout a function of (seed, step): identical after a resume, and unaffected by how
        // many random numbers evaluation or anything else drew in between.
        manual_seed(unchecked(_options.Seed * 1000003L + _step));
        _model.train(_objective.UseDropout);
        using (var scope = NewDisposeScope()) _optimizer.zero_grad(); // its grad() handles are temporaries too

        double summedLoss = 0, weight = 0;
        var sums = new List<KeyValuePair<string, double>>();
        for (int s = start; s < end; s += _options.BatchSize)
        {
            using var scope = NewDisposeScope();
            var indices = new ArraySegment<int>(_order, s, Math.Min(_options.BatchSize, end - s));
            var output = _objective.Run(_model, DataSplit.Train, indices);
            double value = output.SummedLoss.item<float>();
            if (!double.IsFinite(value)) Diverge(MetricNames.Loss, value);
            output.SummedLoss.backward();
            summedLoss += value;
            weight += output.Weight;
            Accumulate(sums, output.MetricSums);
        }

        // Each micro-batch back-propagated its loss SUMMED over tokens (SFT) or pairs (DPO); one division of the gradient
        // by the step's total turns that into the exact mean over the whole effective batch, however it was split.
        double gradNorm;
        using (var scope = NewDisposeScope())
        {
            using (no_grad())
            {
                // One Scalar held across the loop: an implicit one per call could be finalised while libtorch reads it.
                using var divisor = weight.ToScalar();
                foreach (var p in _parameters) p.grad?.div_(divisor);
            }
            gradNorm = nn.utils.clip_grad_norm_(_parameters, _options.MaxGradNorm > 0 ? _options.MaxGradNorm : double.PositiveInfinity);
        }
        if (!double.IsFinite(gradNorm)) Diverge(MetricNames.GradNorm, gradNorm);

        double learningRate = _schedule.At(_step);
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = learningRate;
        using (var scope = NewDisposeScope()) NoGcRegion.Run(() => _optimizer.step());

        var stepValues = new List<KeyValuePair<string, double>> { new(MetricNames.Loss, summedLoss / weight) };
        foreach (var (name, sum) in sums) stepValues.Add(new(name, sum / weight));
        _window.Add(stepValues, learningRate, gradNorm);
    }

    /// <summary>Validation over the WHOLE validation set (not one batch), then the early-stopping bookkeeping.</summary>
    private void Evaluate()
    {
        int count = _objective.Count(DataSplit.Validation);
        int batch = _options.EffectiveEvalBatchSize;
        double summedLoss = 0, weight = 0;
        var sums = new List<KeyValuePair<string, double>>();
        _model.eval();
        using (no_grad())
        {
            for (int start = 0; start < count; start += batch)
            {
                using var scope = NewDisposeScope();
                var indices = Enumerable.Range(start, Math.Min(batch, count - start)).ToArray();
                var output = _objective.Run(_model, DataSplit.Validation, indices);
                summedLoss += output.SummedLoss.item<float>();
                weight += output.Weight;
                Accumulate(sums, output.MetricSums);
            }
        }

        double loss = summedLoss / weight;
        var values = new Dictionary<string, double>(StringComparer.Ordinal) { [MetricNames.EvalLoss] = loss };
        foreach (var (name, sum) in sums) values[MetricNames.Eval(name)] = sum / weight;
        values[MetricNames.Epoch] = Epoch;
        Record(values);
        if (!double.IsFinite(loss)) Diverge(MetricNames.EvalLoss, loss);

        if (_bestLoss is null || loss < _bestLoss.Value - _options.EarlyStoppingMinDelta)
        {
            _bestLoss = loss;
            _bestStep = _step;
            _badEvaluations = 0;
            if (_options.RestoreBestModel)
            {
                ModelWeights.Dispose(_bestWeights);
                _bestWeights = ModelWeights.Snapshot(_model);
            }
        }
        else if (_options.EarlyStoppingPatience > 0 && ++_badEvaluations >= _options.EarlyStoppingPatience)
        {
            _stopReason = TrainingStopReason.EarlyStopped;
        }
    }

    private double Epoch => (double)_step / _stepsPerEpoch;

    private void Log() => Record(_window.Flush(Epoch));

    private void Record(Dictionary<string, double> values)
    {
        var metrics = new TrainingMetrics(_objective.Stage, _step, _totalSteps, Epoch, values);
        _history.Add(metrics);
        _progress?.Report(metrics);
    }

    private static void Accumulate(List<KeyValuePair<string, double>> into, IReadOnlyList<KeyValuePair<string, double>> add)
    {
        foreach (var (name, value) in add)
        {
            int i = into.FindIndex(kv => kv.Key == name);
            if (i < 0) into.Add(new(name, value));
            else into[i] = new(name, into[i].Value + value);
        }
    }

    /// <summary>Stops on a NaN/Inf: the failing update was not applied; the best weights (if any) are put back.</summary>
    private void Diverge(string quantity, double value)
    {
        int failingStep = quantity == MetricNames.EvalLoss ? _step : _step + 1;
        using (var scope = NewDisposeScope()) _optimizer.zero_grad();
        bool restored = RestoreBest();
        _model.eval();
        string kept = restored
            ? $"the best weights (step {_bestStep}, eval_loss {Format(_bestLoss)}) were restored"
            : $"the weights from before step {failingStep} were kept";
        string message = $"Training diverged at step {failingStep} of {_totalSteps} ({_objective.Stage}): {quantity} is {Format(value)}; " +
                         $"the update was not applied and {kept}. Lower LearningRate or check the data.";
        var result = Result(TrainingStopReason.Diverged, restored, message);
        throw new TrainingDivergedException(message, failingStep, quantity, value, result);
    }

    private TrainingResult Finish(TrainingStopReason reason)
    {
        bool restored = RestoreBest();
        _model.eval();
        string message = $"{_objective.Stage}: {Describe(reason)} after {_step} of {_totalSteps} steps" +
            (_bestStep is null ? "; no validation set, kept the last weights." :
             $"; best eval_loss {Format(_bestLoss)} at step {_bestStep}" + (restored ? " (restored)." : " (last weights kept)."));
        return Result(reason, restored, message);
    }

    private static string Describe(TrainingStopReason reason) => reason switch
    {
        TrainingStopReason.EarlyStopped => "stopped early",
        TrainingStopReason.Diverged => "diverged",
        TrainingStopReason.TimeLimitReached => "stopped at the time limit",
        _ => "completed",
    };

    private TrainingResult Result(TrainingStopReason reason, bool restored, string message) =>
        new(_policy, _history.ToArray(), reason, _step, _totalSteps, _bestStep, _bestLoss, restored, _resumedFromStep, message);

    private bool RestoreBest()
    {
        if (!_options.RestoreBestModel || _bestWeights is null) return false;
        ModelWeights.CopyInto(_model, _bestWeights, "best-weights snapshot");
        return true;
    }

    private static string Format(double? value) => value?.ToString("G6", CultureInfo.InvariantCulture) ?? "n/a";

    private void WriteCheckpoint()
    {
        if (_checkpointPath is null) return;
        byte[] best = [];
        if (_bestWeights is not null)
        {
            using var ms = new MemoryStream();
            ModelFormat.Write(ms, _policy.Config, _policy.Vocabulary, _bestWeights, WeightPrecision.Float32);
            best = ms.ToArray();
        }
        byte[] optimizer;
        using (var ms = new MemoryStream())
        {
            using (var writer = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) _optimizer.save_state_dict(writer);
            optimizer = ms.ToArray();
        }
        new TrainingCheckpoint
        {
            Data = new TrainingCheckpoint.State
            {
                Stage = _objective.Stage,
                Fingerprint = _fingerprint,
                Step = _step,
                BestLoss = _bestLoss,
                BestStep = _bestStep,
                BadEvaluations = _badEvaluations,
                StopReason = _stopReason,
                History = _history,
                Window = _window,
            },
            Model = _policy.ToBytes(),
            BestModel = best,
            Optimizer = optimizer,
        }.Save(_checkpointPath);
    }

    private void TryResume()
    {
        string? path = _options.ResumeFrom;
        if (path is not null)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"ResumeFrom: checkpoint file '{path}' does not exist.", path);
        }
        else if (_options.ResumeFromCheckpoint && _checkpointPath is not null && File.Exists(_checkpointPath))
        {
            path = _checkpointPath;
        }
        if (path is null) return;

        var checkpoint = TrainingCheckpoint.Load(path);
        var state = checkpoint.Data;
        if (state.Stage != _objective.Stage)
            throw new InvalidOperationException($"Checkpoint '{path}' belongs to stage '{state.Stage}', not '{_objective.Stage}'.");
        if (state.Fingerprint != _fingerprint)
            throw new InvalidOperationException(
                $"Checkpoint '{path}' was written by a different run (other data, seed, batch shape, token limit or starting model); " +
                "delete it or point CheckpointDirectory elsewhere to start afresh.");
        if (state.Step > _totalSteps && state.StopReason is null)
            throw new InvalidOperationException($"Checkpoint '{path}' is at step {state.Step}, beyond this run's {_totalSteps} planned steps.");

        using (var ms = new MemoryStream(checkpoint.Model, writable: false))
        using (var contents = ModelFormat.Read(ms, $"model inside checkpoint '{path}'"))
            ModelWeights.CopyInto(_model, contents.Tensors, $"model inside checkpoint '{path}'");
        using (var ms = new MemoryStream(checkpoint.Optimizer, writable: false))
        using (var reader = new BinaryReader(ms))
            _optimizer.load_state_dict(reader);
        if (checkpoint.BestModel.Length > 0)
        {
            using var ms = new MemoryStream(checkpoint.BestModel, writable: false);
            var contents = ModelFormat.Read(ms, $"best model inside checkpoint '{path}'");
            ModelWeights.Dispose(_bestWeights);
            _bestWeights = contents.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.DetachFromDisposeScope(), StringComparer.Ordinal);
        }

        _step = state.Step;
        _bestLoss = state.BestLoss;
        _bestStep = state.BestStep;
        _badEvaluations = state.BadEvaluations;
        _stopReason = state.StopReason;
        _history = state.History;
        _window = state.Window;
        _resumedFromStep = state.Step;
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        ModelWeights.Dispose(_bestWeights);
        _bestWeights = null;
    }
}
