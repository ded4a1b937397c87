using BenchmarkDotNet.Running;
using CrdtSync.Bench.Workloads;

namespace CrdtSync.Bench;

/// <summary>
/// <c>micro [BenchmarkDotNet args]</c>: the BenchmarkDotNet suite. <c>workloads [--quick] [--trials N] [--only RS-1,B3.1]</c>:
/// the workload runner of shared/WORKLOADS.md on the core layer.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var mode = args.Length > 0 ? args[0] : string.Empty;
        switch (mode)
        {
            case "micro":
                // The assembly is CrdtSync.Bench but the project is Bench.csproj, which BenchmarkDotNet's
                // out-of-process toolchain cannot find: run in process (the exe is already Release).
                var micro = args[1..];
                if (!micro.Contains("--inProcess", StringComparer.OrdinalIgnoreCase))
                {
                    micro = [.. micro, "--inProcess"];
                }

                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(micro);
                return 0;
            case "workloads":
                return WorkloadRunner.Run(args[1..]);
            default:
                Console.Error.WriteLine("usage: Bench micro [BenchmarkDotNet args] | Bench workloads [--quick] [--trials N] [--only RS-1,RS-2,RS-3,RS-4,B3.1]");
                return 2;
        }
    }
}
