using System.Text;

namespace CrdtSync.Testing.Schedules;

/// <summary>
/// A simulation to run: the seed of the simulator's own choices (replica ids, record ids, the simulated users' choices
/// while draining) and the steps. Running the same schedule twice gives the same result.
/// </summary>
/// <param name="Seed">Drives every random choice of the run; also the seed the schedule was generated from.</param>
/// <param name="Steps">The steps, in order.</param>
public sealed record Schedule(int Seed, IReadOnlyList<SimStep> Steps)
{
    /// <summary>The steps, one per line, numbered.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Steps.Count; i++)
        {
            text.Append("  ").Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(3)).Append(": ").AppendLine(Steps[i].ToString());
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"Schedule(seed={Seed}, {Steps.Count} steps)";
}
