using CrdtSync.Replica.Tests.Faults;

namespace CrdtSync.Replica.Tests;

/// <summary>
/// The test assembly's entry point. Under <c>dotnet test</c> it is never called; the crash test starts this assembly
/// as a child process (<c>dotnet CrdtSync.Replica.Tests.dll crash-writer ...</c>) to write records until it is killed.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 3 && args[0] == CrashWriter.Command)
        {
            await CrashWriter.RunAsync(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        }

        await Console.Error.WriteLineAsync("This is a test assembly; run it with 'dotnet test'.");
        return 2;
    }
}
