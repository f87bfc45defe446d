namespace HorrorAlign.ML.Pipeline;

/// <summary>
/// The file a run writes first to say what it is (<c>run.json</c>, <c>options.json</c>): a resume reads it, and a new run
/// refuses a folder that has one. A run that fails before its first checkpoint leaves nothing worth resuming, so its
/// record goes with it and cannot block the rerun.
/// </summary>
internal static class RunRecord
{
    /// <summary>Runs <paramref name="run"/>; if it fails (not cancelled) while <paramref name="checkpoints"/> does not
    /// exist yet, deletes <paramref name="record"/> before the exception goes on.</summary>
    public static T RemovedIfFailedBeforeTraining<T>(string record, string checkpoints, Func<T> run)
    {
        try
        {
            return run();
        }
        catch (Exception e) when (e is not OperationCanceledException && !Directory.Exists(checkpoints))
        {
            File.Delete(record);
            throw;
        }
    }
}
