using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CrdtSync.Bench.Workloads;

/// <summary>The figures of one workload over its trials, printed as one JSON line: each figure's median with min and max.</summary>
internal sealed class Figures(string workload, string size, int trials)
{
    private readonly List<(string Name, List<double> Values)> _figures = [];
    private readonly List<(string Name, string Json)> _facts = [];

    public void Add(string name, double value)
    {
        var figure = _figures.FirstOrDefault(f => f.Name == name);
        if (figure.Values is null)
        {
            figure = (name, []);
            _figures.Add(figure);
        }

        figure.Values.Add(value);
    }

    /// <summary>A value that is the same in every trial (a check result, a count).</summary>
    public void Fact(string name, object value)
    {
        var json = value switch
        {
            string s => "\"" + s + "\"",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => "\"" + value + "\"",
        };
        _facts.RemoveAll(f => f.Name == name);
        _facts.Add((name, json));
    }

    public string ToJsonLine()
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{{\"workload\":\"{workload}\",\"layer\":\"core\",\"size\":\"{size}\",\"trials\":{trials}");
        foreach (var (name, values) in _figures)
        {
            var sorted = values.Order().ToArray();
            var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
            builder.Append(CultureInfo.InvariantCulture, $",\"{name}\":{{\"median\":{Format(median)},\"min\":{Format(sorted[0])},\"max\":{Format(sorted[^1])}}}");
        }

        foreach (var (name, json) in _facts)
        {
            builder.Append(CultureInfo.InvariantCulture, $",\"{name}\":{json}");
        }

        builder.Append('}');
        return builder.ToString();
    }

    private static string Format(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>Timing helpers: a full collection before each timed region, a monotonic clock around it.</summary>
internal static class Timing
{
    public static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>The 1-minute load average (Linux), recorded with every trial because the machine is shared; -1 elsewhere.</summary>
    public static double LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }

    public static double Milliseconds(long startTimestamp)
    {
        var wall = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        LastCpuMs = ThreadCpuMilliseconds() - s_cpuStart;
        LastAllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - s_allocatedStart;
        return wall;
    }

    [ThreadStatic]
    private static double s_cpuStart;

    [ThreadStatic]
    private static long s_allocatedStart;

    /// <summary>Starts a timed region: the wall-clock timestamp, and the thread's CPU time (see <see cref="LastCpuMs"/>).</summary>
    public static long Start()
    {
        s_cpuStart = ThreadCpuMilliseconds();
        s_allocatedStart = GC.GetAllocatedBytesForCurrentThread();
        return Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// CPU time of the calling thread in the last region from <see cref="Start"/> to <see cref="Milliseconds"/>
    /// (Linux; the blocking GC runs on this thread, so it is included). On a loaded shared machine this moves far
    /// less than the wall clock, which also counts the time the thread waited for a core. -1 elsewhere.
    /// </summary>
    public static double LastCpuMs { get; private set; }

    /// <summary>
    /// Bytes the calling thread allocated in the last region from <see cref="Start"/> to <see cref="Milliseconds"/>:
    /// exact and independent of the machine's load, so code changes can be compared by it on a busy machine.
    /// </summary>
    public static long LastAllocatedBytes { get; private set; }

    private static double ThreadCpuMilliseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        return clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var ts) == 0 ? (ts.Seconds * 1000.0) + (ts.Nanoseconds / 1e6) : -1;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

#pragma warning disable SYSLIB1054, CA5392
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
#pragma warning restore SYSLIB1054, CA5392
}

/// <summary>A digest or invariant check failed: the run is wrong, not slow.</summary>
internal sealed class WorkloadCheckException(string message) : Exception(message);
