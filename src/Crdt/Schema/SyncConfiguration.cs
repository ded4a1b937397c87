using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>
/// Everything an authority decides by, and what it tells its replicas in the handshake: collections
/// (fields, policies, actions), roles and their grants, how long a replica's offline cache stays
/// fresh, how far ahead a stamp may be, and the limits.
/// </summary>
/// <remarks>
/// Permissions are the union over the principal's roles: a right holds on a record when any of the
/// principal's roles grants it on the record's collection and that grant's filter (if any) matches
/// the record (<c>record[filter] == user</c>).
/// </remarks>
public sealed record SyncConfiguration(
    IReadOnlyDictionary<CollectionName, CollectionSchema> Collections,
    IReadOnlyDictionary<string, RoleDefinition> Roles,
    TimeSpan CacheLifetime,
    TimeSpan ClockSkewMax,
    SyncLimits Limits)
{
    /// <summary>The grants that apply to <paramref name="principal"/> in <paramref name="collection"/>.</summary>
    public IEnumerable<CollectionGrant> GrantsFor(Principal principal, CollectionName collection)
    {
        ArgumentNullException.ThrowIfNull(principal);
        foreach (var roleName in principal.Roles)
        {
            if (Roles.TryGetValue(roleName, out var role) && role.Grants.TryGetValue(collection, out var grant))
            {
                yield return grant;
            }
        }
    }

    /// <summary>True when some grant lets <paramref name="principal"/> read at least part of <paramref name="collection"/>.</summary>
    public bool CanReadCollection(Principal principal, CollectionName collection) => GrantsFor(principal, collection).Any(g => g.Read);

    /// <summary>True when <paramref name="principal"/> may read a record whose fields <paramref name="fields"/> reads.</summary>
    public bool CanRead(Principal principal, CollectionName collection, Func<FieldName, Value> fields) =>
        GrantsFor(principal, collection).Any(g => g.Read && Matches(g, principal.User, fields));

    /// <summary>True when a grant with <paramref name="right"/> matches the record.</summary>
    public bool Allows(Principal principal, CollectionName collection, Func<FieldName, Value> fields, Func<CollectionGrant, bool> right) =>
        GrantsFor(principal, collection).Any(g => right(g) && Matches(g, principal.User, fields));

    /// <summary>True when the grant has no filter, or the record's filter field holds <paramref name="user"/>.</summary>
    public static bool Matches(CollectionGrant grant, string user, Func<FieldName, Value> fields)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(fields);
        if (grant.FilterField is not { } filter)
        {
            return true;
        }

        var value = fields(filter);
        return value.Kind == ValueKind.String && string.Equals(value.AsString, user, StringComparison.Ordinal);
    }
}
