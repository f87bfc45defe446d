namespace HorrorAlign.ML.Synthesis;

/// <summary>The teacher gave up and <see cref="TeacherOptions.Fallback"/> is <see cref="TeacherFallback.Stop"/>.</summary>
public sealed class TeacherStoppedException(string message, Exception? inner = null) : Exception(message, inner);
