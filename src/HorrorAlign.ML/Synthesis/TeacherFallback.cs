namespace HorrorAlign.ML.Synthesis;

/// <summary>What the teacher does when it cannot go on (its endpoint keeps failing, or a budget is spent).</summary>
public enum TeacherFallback
{
    /// <summary>The rows the teacher has not written keep their template stories.</summary>
    Template,
    /// <summary>Stop with a <see cref="TeacherStoppedException"/>; what was paid for stays in the cache for a rerun.</summary>
    Stop,
}
