using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Api;

/// <summary>
/// A query of one collection: every filter must hold; results are ordered by <see cref="OrderBy"/>
/// (then by record id, so the order is total), and at most <see cref="Limit"/> are returned.
/// </summary>
public sealed record RecordQuery(CollectionName Collection)
{
    /// <summary>Conditions that must all hold.</summary>
    public IReadOnlyList<FieldFilter> Filters { get; init; } = [];

    /// <summary>The field to order by; null orders by record id only.</summary>
    public FieldName? OrderBy { get; init; }

    /// <summary>Order from the greatest value down.</summary>
    public bool Descending { get; init; }

    /// <summary>Most results returned; null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Adds a condition <c>field = value</c>.</summary>
    public RecordQuery WhereEquals(string field, Value value) =>
        this with { Filters = [.. Filters, new FieldFilter(new FieldName(field), FilterOperator.Equal, value)] };

    /// <summary>Orders by a field.</summary>
    public RecordQuery OrderedBy(string field, bool descending = false) => this with { OrderBy = new FieldName(field), Descending = descending };
}
