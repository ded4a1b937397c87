using System.Text.Json;

namespace CrdtSync.RelayBench;

/// <summary>Prints one JSON object per line, and computes percentiles.</summary>
internal static class Figures
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Print(object figure) => Console.WriteLine(JsonSerializer.Serialize(figure, figure.GetType(), Options));

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];

    public static double Round(double value) => Math.Round(value, 1);
}
