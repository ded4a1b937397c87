using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Relay.Storage;

namespace CrdtSync.Relay.Authority;

/// <summary>
/// What one caller may receive of one collection: the union of its subscriptions to it, within its read grants.
/// A record is visible when some read grant matches it (its filter field holds the user, or no filter) and some
/// subscription matches it. A deleted record is judged by its last state before the delete, so its tombstone
/// reaches exactly those who could read it.
/// </summary>
internal sealed class CollectionView
{
    private readonly SyncConfiguration _configuration;
    private readonly Principal _principal;
    private readonly List<(FieldName Field, string Value)?> _filters = [];

    public CollectionView(SyncConfiguration configuration, Principal principal, CollectionName collection)
    {
        _configuration = configuration;
        _principal = principal;
        Collection = collection;
        var grants = configuration.GrantsFor(principal, collection).Where(g => g.Read).ToArray();
        CanReadSome = grants.Length > 0;
        GrantFiltered = !grants.Any(g => g.FilterField is null);
    }

    public CollectionName Collection { get; }

    /// <summary>True when at least one role reads (part of) the collection.</summary>
    public bool CanReadSome { get; }

    /// <summary>True when the caller reads only through record filters.</summary>
    public bool GrantFiltered { get; }

    /// <summary>True when visibility depends on each record's values: entries then travel as record states.</summary>
    public bool Filtered => GrantFiltered || _filters.Any(f => f is not null) && !_filters.Any(f => f is null);

    public void AddSubscription(FieldName? field, string? equals)
    {
        _filters.Add(field is { } f ? (f, equals == "$user" ? _principal.User : equals ?? string.Empty) : null);
    }

    public bool CanSee(StoredRecord record)
    {
        var state = record.VisibleBy;
        if (!_configuration.CanRead(_principal, Collection, f => state[f]))
        {
            return false;
        }

        return _filters.Any(filter => filter is not { } f || (state[f.Field] is { Kind: ValueKind.String } v && string.Equals(v.AsString, f.Value, StringComparison.Ordinal)));
    }
}
