using System.Globalization;

namespace HorrorAlign.ML.IO;

/// <summary>Byte counts as people read them in error messages ("7.7 kB", "3.2 GB"; decimal units).</summary>
internal static class ByteSize
{
    public static string Format(long bytes)
    {
        string[] units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1000 && unit < units.Length - 1) { value /= 1000; unit++; }
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
