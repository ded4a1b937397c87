using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>
/// The pure rules an authority decides a pushed change by, and that a replica uses to refuse bad local
/// edits early and to list the actions available now. No I/O: the caller passes the record's current
/// state, who acts, and the time.
/// </summary>
/// <remarks>
/// Checks run in this order, and the first that fails is the outcome: clock skew; unknown collection
/// (invalid); permission (forbidden); tombstone (deleted); then per kind: upsert → field rules
/// (invalid), then <c>manual</c> fields written concurrently (conflict); action → unknown action or
/// arguments (invalid), guard (conflict), effects; delete → exists and not changed concurrently (conflict).
/// A change is concurrent with a field's writer when its base does not include that writer.
/// </remarks>
public static class ChangeRules
{
    /// <summary>Decides <paramref name="change"/> against <paramref name="current"/> (an empty state when the record is unknown).</summary>
    public static Decision Decide(SyncConfiguration configuration, Principal principal, RecordState current, Change change, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(change);

        var aheadMilliseconds = change.Stamp.Milliseconds - now.ToUnixTimeMilliseconds();
        if (aheadMilliseconds > (long)configuration.ClockSkewMax.TotalMilliseconds)
        {
            return Decision.Refuse(OutcomeKind.ClockSkew, "clock_skew",
                $"The device clock is {TimeSpan.FromMilliseconds(aheadMilliseconds):g} ahead of the relay (at most {configuration.ClockSkewMax:g} allowed). Correct the device clock; pending changes are re-stamped and retried.");
        }

        if (!configuration.Collections.TryGetValue(change.Collection, out var collection))
        {
            return Decision.Refuse(OutcomeKind.Invalid, "unknown_collection", $"There is no collection '{change.Collection}'.");
        }

        var forbidden = CheckPermission(configuration, principal, current, change);
        if (forbidden is not null)
        {
            return forbidden;
        }

        if (current.IsDeleted)
        {
            var by = current.Tombstone!.Value;
            return Decision.Refuse(OutcomeKind.Deleted, "deleted",
                $"{change.Collection}/{change.RecordId} was deleted at {by.Stamp.ToDateTimeOffset():u}. This change can only be discarded.");
        }

        return change.Kind switch
        {
            ChangeKind.Upsert => DecideUpsert(collection, current, change),
            ChangeKind.Action => DecideAction(collection, principal, current, change, now),
            _ => DecideDelete(current, change),
        };
    }

    /// <summary>
    /// The actions of the record's collection whose guard holds on <paramref name="visible"/> now and that
    /// <paramref name="principal"/> may perform; while <paramref name="offline"/>, only those allowed offline.
    /// </summary>
    public static IReadOnlyList<ActionName> AvailableActions(SyncConfiguration configuration, Principal principal, RecordState visible, bool offline)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(visible);
        if (!configuration.Collections.TryGetValue(visible.Collection, out var collection) || visible.IsDeleted)
        {
            return [];
        }

        var result = new List<ActionName>();
        foreach (var action in collection.Actions.Values.OrderBy(a => a.Name))
        {
            if (offline && !action.AllowedOffline)
            {
                continue;
            }

            if (!configuration.Allows(principal, visible.Collection, f => visible[f], g => g.AllowsAction(action.Name)))
            {
                continue;
            }

            if (CheckGuardValues(action.Guard, visible, collection) is null)
            {
                result.Add(action.Name);
            }
        }

        return result;
    }

    private static Decision? CheckPermission(SyncConfiguration configuration, Principal principal, RecordState current, Change change)
    {
        // An existing record is judged by its current values; a new one by the values the change gives it.
        Func<FieldName, Value> fields = current.Exists
            ? f => current[f]
            : f => change.Kind == ChangeKind.Upsert && change.TryGetField(f, out var v) ? v : Value.Null;
        var (allowed, what) = change.Kind switch
        {
            ChangeKind.Upsert => (configuration.Allows(principal, change.Collection, fields, g => g.Write), "edit"),
            ChangeKind.Action => (configuration.Allows(principal, change.Collection, fields, g => g.AllowsAction(change.ActionName!.Value)), $"perform '{change.ActionName}' on"),
            _ => (configuration.Allows(principal, change.Collection, fields, g => g.Delete), "delete"),
        };
        return allowed
            ? null
            : Decision.Refuse(OutcomeKind.Forbidden, "forbidden", $"{principal.User} may not {what} {change.Collection}/{change.RecordId}. This change can only be discarded.");
    }

    private static Decision DecideUpsert(CollectionSchema collection, RecordState current, Change change)
    {
        var creating = !current.Exists;
        if (creating && change.Fields.Count > 0 && change.Fields.All(f => f.Value.IsNull && collection.Fields.ContainsKey(f.Name)))
        {
            // Writes no value to a record that does not exist, which stays absent: no create rule applies
            // (a compensation of a create, docs/design/merge.md "Existence").
            return Decision.Accept();
        }

        foreach (var (name, value) in change.Fields)
        {
            if (!collection.Fields.TryGetValue(name, out var field))
            {
                return Decision.Refuse(OutcomeKind.Invalid, "unknown_field", $"{collection.Name} has no field '{name}'.", name);
            }

            if (field.Check(value) is { } rule)
            {
                return Decision.Refuse(OutcomeKind.Invalid, "rule", Capitalize(rule) + ".", name);
            }

            if (field.Policy == FieldPolicy.Guarded)
            {
                var initial = field.Initial ?? Value.Null;
                if (!creating || value != initial)
                {
                    var actions = string.Join(", ", collection.Actions.Values.Where(a => a.Effects.Any(e => e.Field == name)).Select(a => a.Name.Text));
                    return Decision.Refuse(OutcomeKind.Invalid, "guarded_field",
                        $"'{name}' changes only through actions{(actions.Length > 0 ? " (" + actions + ")" : string.Empty)}" +
                        (creating ? $"; a new record starts with {initial}." : "."), name);
                }
            }
        }

        if (creating)
        {
            foreach (var field in collection.Fields.Values)
            {
                if (field.Required && (!change.TryGetField(field.Name, out var value) || value.IsNull) && current[field.Name].IsNull)
                {
                    return Decision.Refuse(OutcomeKind.Invalid, "required", $"'{field.Name}' is required.", field.Name);
                }
            }
        }

        foreach (var (name, value) in change.Fields)
        {
            if (!creating &&
                collection.Fields[name].Policy == FieldPolicy.Manual &&
                current.Fields.TryGetValue(name, out var entry) &&
                !change.Base.Includes(entry.Writer) &&
                entry.Value != value)
            {
                return Decision.Refuse(OutcomeKind.Conflict, "manual_field_changed",
                    $"'{name}' was changed to '{entry.Value}' at {entry.Stamp.ToDateTimeOffset():u} since you last saw it. Keep your value (retry) or take theirs (discard).",
                    name, entry);
            }
        }

        return Decision.Accept();
    }

    private static Decision DecideAction(CollectionSchema collection, Principal principal, RecordState current, Change change, DateTimeOffset now)
    {
        var name = change.ActionName!.Value;
        if (!collection.Actions.TryGetValue(name, out var action))
        {
            return Decision.Refuse(OutcomeKind.Invalid, "unknown_action", $"{collection.Name} has no action '{name}'.");
        }

        foreach (var (argument, value) in change.Fields)
        {
            if (!action.Arguments.TryGetValue(argument, out var schema))
            {
                return Decision.Refuse(OutcomeKind.Invalid, "unknown_argument", $"Action '{name}' takes no argument '{argument}'.", argument);
            }

            if (schema.Check(value) is { } rule)
            {
                return Decision.Refuse(OutcomeKind.Invalid, "rule", Capitalize(rule) + ".", argument);
            }
        }

        foreach (var schema in action.Arguments.Values.Where(a => a.Required))
        {
            if (!change.TryGetField(schema.Name, out var value) || value.IsNull)
            {
                return Decision.Refuse(OutcomeKind.Invalid, "required", $"Action '{name}' needs the argument '{schema.Name}'.", schema.Name);
            }
        }

        if (action.Guard.RequiresExists && !current.Exists)
        {
            return Decision.Refuse(OutcomeKind.Conflict, "not_found", $"{change.Collection}/{change.RecordId} does not exist at the relay.");
        }

        if (CheckGuardValues(action.Guard, current, collection) is { } failed)
        {
            return failed;
        }

        foreach (var field in action.Guard.UnchangedSinceBase)
        {
            if (current.Fields.TryGetValue(field, out var entry) && !change.Base.Includes(entry.Writer))
            {
                return Decision.Refuse(OutcomeKind.Conflict, "changed_since_base",
                    $"'{field}' was changed to '{entry.Value}' at {entry.Stamp.ToDateTimeOffset():u} since you last saw it.", field, entry);
            }
        }

        var effects = action.Effects.Select(e => new FieldValue(e.Field, e.Resolve(now, principal.User, change.Fields))).ToArray();
        return Decision.Accept(effects);
    }

    private static Decision DecideDelete(RecordState current, Change change)
    {
        if (!current.Exists)
        {
            return Decision.Refuse(OutcomeKind.Conflict, "not_found", $"{change.Collection}/{change.RecordId} does not exist at the relay.");
        }

        if (!change.Base.Covers(current.Version))
        {
            return Decision.Refuse(OutcomeKind.Conflict, "changed_since_base",
                $"{change.Collection}/{change.RecordId} was changed since you last saw it. Look at the current values, then delete again or discard.");
        }

        return Decision.Accept();
    }

    /// <summary>A guarded field nobody has written yet holds its declared initial value.</summary>
    private static Decision? CheckGuardValues(ActionGuard guard, RecordState state, CollectionSchema collection)
    {
        foreach (var (field, allowed) in guard.FieldIn)
        {
            var value = state.TryGetValue(field, out var written) ? written
                : collection.Fields.TryGetValue(field, out var schema) && schema.Initial is { } initial ? initial
                : Value.Null;
            if (!allowed.Contains(value))
            {
                state.Fields.TryGetValue(field, out var entry);
                var wanted = string.Join(" or ", allowed.Select(v => $"'{v}'"));
                return Decision.Refuse(OutcomeKind.Conflict, "guard_failed",
                    $"'{field}' is '{value}' (needs {wanted})" +
                    (state.Fields.ContainsKey(field) ? $", set at {entry.Stamp.ToDateTimeOffset():u}." : "."),
                    field, state.Fields.ContainsKey(field) ? entry : null);
            }
        }

        return null;
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
