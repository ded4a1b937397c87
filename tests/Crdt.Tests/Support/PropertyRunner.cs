using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using FsCheck;
using Microsoft.FSharp.Core;

namespace CrdtSync.Crdt.Tests.Support;

/// <summary>
/// The one way every property in this project is run: the number of cases comes from
/// <see cref="CasesVariable"/> (300 when unset; CI sets 1000) and, when <see cref="ReplayVariable"/> is set,
/// the run replays that seed. A failure reports FsCheck's shrunk counterexample, the seed, and the
/// command line that replays it.
/// </summary>
public static partial class PropertyRunner
{
    /// <summary>Environment variable: how many cases each property runs.</summary>
    public const string CasesVariable = "CRDTSYNC_PROPERTY_CASES";

    /// <summary>Environment variable: a seed to replay, as FsCheck prints it: <c>(seed,gamma)</c> or <c>seed,gamma</c>.</summary>
    public const string ReplayVariable = "CRDTSYNC_PROPERTY_REPLAY";

    /// <summary>Cases per property when <see cref="CasesVariable"/> is unset.</summary>
    public const int CasesDefault = 300;

    /// <summary>The configuration every property uses.</summary>
    public static Config Configuration(string name, bool replay = true)
    {
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(CasesFromEnvironment())
            .WithMaxRejected(CasesFromEnvironment() * 10)
            .WithQuietOnSuccess(true)
            .WithName(name);
        return replay && ReplayFromEnvironment() is { } seed ? config.WithReplay(FSharpOption<Replay>.Some(seed)) : config;
    }

    /// <summary>Runs <paramref name="property"/>; throws <see cref="PropertyFailedException"/> with the counterexample and how to replay it.</summary>
    public static void Check(Property property, [CallerMemberName] string name = "")
    {
        if (TryCheck(property, name) is { } failure)
        {
            throw new PropertyFailedException(failure);
        }
    }

    /// <summary>
    /// Runs <paramref name="property"/>; returns null when it held, else the failure report. The canary passes
    /// <paramref name="replay"/> false, so a replay seed meant for another property cannot hide a broken merge.
    /// </summary>
    public static string? TryCheck(Property property, [CallerMemberName] string name = "", bool replay = true)
    {
        ArgumentNullException.ThrowIfNull(property);
        try
        {
            FsCheck.Check.One(name, Configuration(name, replay), property);
            return null;
        }
        catch (Exception ex)
        {
            return Describe(name, ex.Message);
        }
    }

    private static string Describe(string name, string report)
    {
        var seed = SeedPattern().Match(report);
        var replay = seed.Success ? $"{seed.Groups[1].Value},{seed.Groups[2].Value}" : "<the (seed,gamma) pair printed above>";
        var step = StepPattern().Match(report);
        var direct = step.Success
            ? $"""

              or only the failing case with:
                {ReplayVariable}="{step.Groups[1].Value}" {CasesVariable}=1 dotnet test tests/Crdt.Tests --filter "FullyQualifiedName~{name}"
              """
            : string.Empty;
        return $"""
            Property {name} failed.
            {report}
            Replay this exact run with:
              {ReplayVariable}="{replay}" {CasesVariable}={CasesFromEnvironment()} dotnet test tests/Crdt.Tests --filter "FullyQualifiedName~{name}"{direct}
            """;
    }

    private static int CasesFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(CasesVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return CasesDefault;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var cases) && cases > 0
            ? cases
            : throw new InvalidOperationException($"{CasesVariable} must be a positive whole number of cases, not '{text}'.");
    }

    private static Replay? ReplayFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(ReplayVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = text.Trim().Trim('(', ')').Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3 ||
            !ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ||
            !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var gamma))
        {
            throw new InvalidOperationException($"{ReplayVariable} is the (seed,gamma) pair FsCheck printed, e.g. \"(123,456)\"; got '{text}'.");
        }

        var size = parts.Length == 3 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            ? FSharpOption<int>.Some(s)
            : FSharpOption<int>.None;
        return new Replay(new Rnd(seed, gamma), size);
    }

    [GeneratedRegex(@"failing step with \((\d+,\s*\d+,\s*\d+)\)")]
    private static partial Regex StepPattern();

    [GeneratedRegex(@"\((\d+),\s*(\d+)\)")]
    private static partial Regex SeedPattern();
}

/// <summary>A property was falsified; the message holds the counterexample and the replay command.</summary>
public sealed class PropertyFailedException(string message) : Exception(message);
