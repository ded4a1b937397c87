using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Api;

/// <summary>How a <see cref="FieldFilter"/> compares.</summary>
public enum FilterOperator
{
    /// <summary>The field equals the value (an absent field reads as null).</summary>
    Equal,
    /// <summary>The field differs from the value.</summary>
    NotEqual,
    /// <summary>The field is less than the value in the value order.</summary>
    LessThan,
    /// <summary>The field is greater than the value in the value order.</summary>
    GreaterThan,
}

/// <summary>A simple condition on one field of a record.</summary>
public sealed record FieldFilter(FieldName Field, FilterOperator Operator, Value Value)
{
    /// <summary>True when <paramref name="actual"/> satisfies the filter.</summary>
    public bool Matches(Value actual) => Operator switch
    {
        FilterOperator.Equal => actual == Value,
        FilterOperator.NotEqual => actual != Value,
        FilterOperator.LessThan => actual.Kind == Value.Kind && actual < Value,
        FilterOperator.GreaterThan => actual.Kind == Value.Kind && actual > Value,
        _ => false,
    };
}
