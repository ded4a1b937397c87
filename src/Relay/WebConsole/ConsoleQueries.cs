using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Storage;

namespace CrdtSync.Relay.WebConsole;

/// <summary>
/// The console's screens as data, read from the store (after writing what the console noted in memory, so a screen
/// shows every call this instance answered before the read), and its one change: grant or revoke a role through the
/// relay's <see cref="DeviceRegistry"/>, which wakes live subscribers like the admin service does.
/// </summary>
internal sealed class ConsoleQueries(IRelayStore store, ConsoleActivity activity, RelaySyncConfiguration configuration, DeviceRegistry registry, TimeProvider time)
{
    /// <summary>The window of the outcomes screen.</summary>
    public static readonly TimeSpan OutcomeWindow = TimeSpan.FromHours(1);

    public async Task<DevicesView> DevicesAsync(CancellationToken cancellationToken)
    {
        await activity.FlushAsync(store, cancellationToken).ConfigureAwait(false);
        var info = await store.GetLogInfoAsync(cancellationToken).ConfigureAwait(false);
        var devices = await store.ListDevicesAsync(cancellationToken).ConfigureAwait(false);
        return new DevicesView(info.Head, devices.Select(d => new DeviceRow(
            d.ReplicaId.ToString(), d.User, d.Label, d.CreatedAt, d.Revoked, d.LastHandshakeAt, d.Cursor, d.CursorAt,
            d.Cursor is { } cursor ? Math.Max(0, info.Head - cursor) : null)).ToArray());
    }

    /// <summary>Outcomes of the minutes that started within the last hour (the current minute and the 59 before it).</summary>
    public async Task<OutcomesView> OutcomesAsync(CancellationToken cancellationToken)
    {
        await activity.FlushAsync(store, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var from = ConsoleActivity.MinuteOf(now) - OutcomeWindow + TimeSpan.FromMinutes(1);
        var tallies = await store.ReadOutcomeTalliesAsync(from, cancellationToken).ConfigureAwait(false);
        var kinds = Enum.GetValues<OutcomeKind>()
            .Select(kind => new OutcomeCount(KindName(kind), tallies.Where(t => t.Kind == kind).Sum(t => t.Count)))
            .ToArray();
        return new OutcomesView(from, now, kinds.Sum(k => k.Count), kinds);
    }

    /// <exception cref="RelayRequestException">The collection or id is not a valid name.</exception>
    public async Task<RecordView> RecordAsync(string collectionText, string idText, CancellationToken cancellationToken)
    {
        if (!CollectionName.TryCreate(collectionText, out var collection) || !configuration.Rules.Collections.ContainsKey(collection))
        {
            throw new RelayRequestException(RelayErrorKind.InvalidArgument,
                $"There is no collection '{collectionText}' (collections: {string.Join(", ", configuration.Rules.Collections.Keys.Select(c => c.Text).Order(StringComparer.Ordinal))}).");
        }

        if (!RecordId.TryCreate(idText, out var id))
        {
            throw new RelayRequestException(RelayErrorKind.InvalidArgument, $"'{idText}' is not a valid record id.");
        }

        var record = await store.GetRecordAsync(collection, id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return new RecordView(collection.Text, id.Text, false, false, [], []);
        }

        var state = record.State;
        var fields = state.SortedFields()
            .Select(f => new FieldRow(f.Key.Text, f.Value.Value.ToString(), f.Value.Writer.Origin.ToString(), f.Value.Writer.Sequence, DateTimeOffset.FromUnixTimeMilliseconds(f.Value.Stamp.Milliseconds)))
            .ToArray();
        var journal = state.Journal
            .Select(e => new JournalRow(e.Field.Text, e.Value.ToString(), e.Writer.Origin.ToString(), e.Writer.Sequence, DateTimeOffset.FromUnixTimeMilliseconds(e.Stamp.Milliseconds)))
            .ToArray();
        return new RecordView(collection.Text, id.Text, true, state.IsDeleted, fields, journal);
    }

    public async Task<GrantsView> GrantsAsync(CancellationToken cancellationToken)
    {
        var grants = await store.ListRoleGrantsAsync(cancellationToken).ConfigureAwait(false);
        var devices = await store.ListDevicesAsync(cancellationToken).ConfigureAwait(false);
        var users = grants.Select(g => g.User).Concat(devices.Select(d => d.User)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new GrantsView(
            configuration.Rules.Roles.Keys.Order(StringComparer.Ordinal).ToArray(),
            users.Select(user => UserOf(user, grants, devices)).ToArray());
    }

    /// <exception cref="RelayRequestException">No user, or no such role to grant.</exception>
    public async Task<GrantResult> SetGrantAsync(GrantRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.User) || string.IsNullOrWhiteSpace(request.Role))
        {
            throw new RelayRequestException(RelayErrorKind.InvalidArgument, "Name the user and the role.");
        }

        var changed = await registry.SetRoleAsync(request.User, request.Role, request.Granted, cancellationToken).ConfigureAwait(false);
        var grants = await store.ListRoleGrantsAsync(cancellationToken).ConfigureAwait(false);
        var devices = await store.ListDevicesAsync(cancellationToken).ConfigureAwait(false);
        return new GrantResult(changed, UserOf(request.User, grants, devices));
    }

    /// <summary>The name of an outcome kind on the console (<c>clock_skew</c> for <see cref="OutcomeKind.ClockSkew"/>).</summary>
    public static string KindName(OutcomeKind kind) => kind == OutcomeKind.ClockSkew ? "clock_skew" : kind.ToString().ToLowerInvariant();

    private static UserGrants UserOf(string user, IReadOnlyList<RoleGrant> grants, IReadOnlyList<DeviceOverview> devices) => new(
        user,
        grants.Where(g => g.User == user).Select(g => g.Role).Order(StringComparer.Ordinal).ToArray(),
        devices.Count(d => d.User == user && !d.Revoked));
}
