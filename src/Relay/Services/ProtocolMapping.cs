using CrdtSync.Crdt.Schema;
using CrdtSync.Relay.Authority;
using CrdtSync.Protocol.V1;
using Google.Protobuf;
using OutcomeKind = CrdtSync.Crdt.Schema.OutcomeKind;
using WireOutcomeKind = CrdtSync.Protocol.V1.OutcomeKind;

namespace CrdtSync.Relay.Services;

/// <summary>Conversions between the authority's values and the wire messages.</summary>
internal static class ProtocolMapping
{
    public static WireOutcomeKind ToWire(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Accepted => WireOutcomeKind.Accepted,
        OutcomeKind.Conflict => WireOutcomeKind.Conflict,
        OutcomeKind.Invalid => WireOutcomeKind.Invalid,
        OutcomeKind.Deleted => WireOutcomeKind.Deleted,
        OutcomeKind.Forbidden => WireOutcomeKind.Forbidden,
        OutcomeKind.ClockSkew => WireOutcomeKind.ClockSkew,
        _ => WireOutcomeKind.Unspecified,
    };

    public static ChangeOutcome ToWire(PushResult result)
    {
        var outcome = result.Outcome;
        var wire = new ChangeOutcome
        {
            Origin = ByteString.CopyFrom(outcome.Id.Origin.ToByteArray()),
            Sequence = outcome.Id.Sequence,
            Kind = ToWire(outcome.Kind),
            Reason = outcome.Reason,
            Message = outcome.Message,
            Field = outcome.Field ?? string.Empty,
            LogSequence = outcome.LogSequence,
            RepeatedPush = result.Repeated,
        };
        foreach (var bytes in result.Committed)
        {
            wire.Committed.Add(ByteString.CopyFrom(bytes));
        }

        if (result.CurrentState is { } state)
        {
            wire.CurrentState = ByteString.CopyFrom(Crdt.Encoding.RecordStateCodec.Encode(state));
            wire.HasCurrentState = true;
        }

        return wire;
    }

    public static PullResponse ToWire(PullResult result)
    {
        var response = new PullResponse { NextCursor = result.NextCursor, CaughtUp = result.CaughtUp, ResyncRequired = result.ResyncRequired };
        foreach (var entry in result.Entries)
        {
            response.Entries.Add(entry.Change is { } change
                ? new LogEntry { Sequence = entry.Sequence, Change = ByteString.CopyFrom(change) }
                : new LogEntry { Sequence = entry.Sequence, RecordState = ByteString.CopyFrom(entry.RecordState) });
        }

        return response;
    }

    public static IReadOnlyList<SubscriptionSpec> FromWire(IEnumerable<Subscription> subscriptions) =>
        [.. subscriptions.Select(s => new SubscriptionSpec(s.Collection, s.FilterField, s.FilterEquals))];

    public static IEnumerable<CollectionAccess> Access(SyncConfiguration configuration, Principal principal)
    {
        foreach (var collection in configuration.Collections.Keys.OrderBy(c => c))
        {
            var grants = configuration.GrantsFor(principal, collection).ToArray();
            if (grants.Length == 0)
            {
                continue;
            }

            var access = new CollectionAccess
            {
                Collection = collection.Text,
                Read = grants.Any(g => g.Read),
                Write = grants.Any(g => g.Write),
                Delete = grants.Any(g => g.Delete),
                AllActions = grants.Any(g => g.Actions is null),
                Filtered = grants.Where(g => g.Read).All(g => g.FilterField is not null),
            };
            if (!access.AllActions)
            {
                access.Actions.AddRange(grants.SelectMany(g => g.Actions!).Select(a => a.Text).Distinct().Order(StringComparer.Ordinal));
            }

            yield return access;
        }
    }
}
