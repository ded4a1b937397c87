namespace CrdtSync.Testing;

/// <summary>Ready-made configurations for simulations.</summary>
public static class SimulationConfigurations
{
    /// <summary>
    /// Incidents with a guarded close/reopen, a manual field, a range-checked priority, a <c>contractor</c> role that reads
    /// and writes only the incidents assigned to its user (a record filter: pulls carry whole record states, and a user
    /// whose access narrows to the filter downloads the collection again), and a <c>notes</c> collection that only leads
    /// may read (so grants and revocations decide what reaches a replica).
    /// </summary>
    public const string Incidents = """
    {
      "cacheLifetime": "7.00:00:00",
      "clockSkewMax": "00:05:00",
      "limits": { "batchCountMax": 50, "messageBytesMax": 4194304, "pullPageCountMax": 7, "pushesPerSecondMax": 0 },
      "collections": {
        "incidents": {
          "fields": {
            "title":      { "type": "string", "required": true, "maxLength": 20 },
            "priority":   { "type": "int64", "min": 1, "max": 5 },
            "resolution": { "type": "string", "policy": "manual" },
            "status":     { "type": "string", "policy": "guarded", "initial": "open" },
            "closed_by":  { "type": "string", "policy": "guarded" },
            "assigned_to": { "type": "string" }
          },
          "actions": {
            "close":  { "guard": { "exists": true, "fieldIn": { "status": ["open"] } }, "effects": { "status": "closed", "closed_by": "$user" }, "offline": true },
            "reopen": { "guard": { "exists": true, "fieldIn": { "status": ["closed"] } }, "effects": { "status": "open", "closed_by": null }, "offline": true }
          }
        },
        "notes": {
          "fields": { "text": { "type": "string", "required": true }, "done": { "type": "bool" } }
        }
      },
      "roles": {
        "agent":  { "incidents": { "read": true, "write": true, "delete": false, "actions": ["close"] } },
        "lead":   { "incidents": { "read": true, "write": true, "delete": true, "actions": "*" },
                    "notes":     { "read": true, "write": true, "delete": true } },
        "viewer": { "incidents": { "read": true } },
        "contractor": { "incidents": { "read": true, "write": true, "actions": ["close"], "filter": { "assigned_to": "$user" } } }
      }
    }
    """;

    /// <summary>The users of <see cref="Incidents"/>: an agent, a lead and a contractor.</summary>
    public static IReadOnlyList<SimulationUser> IncidentsUsers { get; } =
    [
        new("ana", ["agent"]),
        new("ben", ["lead"]),
        new("cy", ["contractor"]),
    ];
}
