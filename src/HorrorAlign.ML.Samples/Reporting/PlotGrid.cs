using HorrorAlign.ML.IO;
using ScottPlot;
using SkiaSharp;

namespace HorrorAlign.ML.Samples.Reporting;

/// <summary>
/// Renders several ScottPlot plots as one PNG, laid out row by row in a grid of equal cells. Rendering each plot on its
/// own surface and copying it into its cell keeps the layout under our control (every panel the same size) with
/// nothing but <see cref="Plot.Render(SKSurface)"/>.
/// </summary>
public static class PlotGrid
{
    /// <summary>Width of one panel in pixels.</summary>
    public const int CellWidth = 640;

    /// <summary>Height of one panel in pixels.</summary>
    public const int CellHeight = 400;

    /// <summary>Writes <paramref name="plots"/> into <paramref name="path"/> (atomically) as a grid with
    /// <paramref name="columns"/> panels per row.</summary>
    public static void SavePng(string path, IReadOnlyList<Plot> plots, int columns)
    {
        ArgumentNullException.ThrowIfNull(plots);
        if (plots.Count == 0) throw new ArgumentException("A plot grid needs at least one plot.", nameof(plots));
        columns = Math.Clamp(columns, 1, plots.Count);
        int rows = (plots.Count + columns - 1) / columns;
        using var surface = SKSurface.Create(new SKImageInfo(columns * CellWidth, rows * CellHeight))
            ?? throw new InvalidOperationException("Could not create a drawing surface for the plot image.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        for (int i = 0; i < plots.Count; i++)
        {
            // Each panel renders on a surface of its own (a plot paints its whole canvas), then is copied into its cell.
            using var panel = SKSurface.Create(new SKImageInfo(CellWidth, CellHeight))
                ?? throw new InvalidOperationException("Could not create a drawing surface for a plot panel.");
            plots[i].Render(panel);
            using var snapshot = panel.Snapshot();
            canvas.DrawImage(snapshot, i % columns * CellWidth, i / columns * CellHeight);
        }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, png.SaveTo);
    }

    /// <summary>The colour of series <paramref name="index"/> (Category10, so SFT and DPO keep their colours across panels).</summary>
    public static Color SeriesColor(int index) => new ScottPlot.Palettes.Category10().GetColor(index);
}
