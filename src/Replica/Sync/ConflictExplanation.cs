using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Sync;

/// <summary>
/// Says who and when for a refused action whose guard no longer holds: when the guard field holds a value that another
/// action of the collection sets (e.g. <c>close</c> sets <c>status = closed</c>), and that action also records its user
/// (<c>$user</c>, e.g. <c>closed_by</c>) and time (<c>$now</c>, e.g. <c>closed_at</c>), the message becomes
/// "Already closed by bob at 2026-11-02 09:00:00Z." followed by the relay's own message. Driven by the configuration only.
/// </summary>
internal static class ConflictExplanation
{
    public static string? Explain(SyncConfiguration configuration, Change refused, string reason, string field, RecordState? current, string relayMessage)
    {
        if (reason != "guard_failed" || current is null || string.IsNullOrEmpty(field)
            || !FieldName.TryCreate(field, out var guardField)
            || !configuration.Collections.TryGetValue(refused.Collection, out var schema)
            || !current.TryGetValue(guardField, out var value))
        {
            return null;
        }

        foreach (var action in schema.Actions.Values)
        {
            if (!action.Effects.Any(e => e.Field == guardField && e.Source == EffectSource.Literal && e.Literal == value))
            {
                continue;
            }

            var user = action.Effects.FirstOrDefault(e => e.Source == EffectSource.User) is { } userEffect && current.TryGetValue(userEffect.Field, out var who) && who.Kind == ValueKind.String
                ? who.AsString
                : null;
            var at = action.Effects.FirstOrDefault(e => e.Source == EffectSource.Now) is { } timeEffect && current.TryGetValue(timeEffect.Field, out var when) && when.Kind == ValueKind.Timestamp
                ? when.AsTimestamp
                : current.Fields[guardField].Stamp.ToDateTimeOffset();
            var byWhom = user is null ? string.Empty : $" by {user}";
            return $"Already {value.AsStringOrText()}{byWhom} at {at:u}. {relayMessage}";
        }

        return null;
    }

    private static string AsStringOrText(this Value value) => value.Kind == ValueKind.String ? value.AsString : value.ToString();
}
