using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>Where an effect's value comes from.</summary>
public enum EffectSource
{
    /// <summary>A fixed value from the configuration.</summary>
    Literal,
    /// <summary><c>$now</c>: the deciding authority's clock (a timestamp).</summary>
    Now,
    /// <summary><c>$user</c>: the name of the user who performed the action (a string).</summary>
    User,
    /// <summary><c>$arg.name</c>: the action's argument of that name.</summary>
    Argument,
}

/// <summary>One field an accepted action sets.</summary>
public sealed record ActionEffect(FieldName Field, EffectSource Source, Value Literal = default, FieldName? Argument = null)
{
    /// <summary>The value the effect writes, given the decision's time, user and the action's arguments.</summary>
    public Value Resolve(DateTimeOffset now, string user, IReadOnlyList<Changes.FieldValue> arguments) => Source switch
    {
        EffectSource.Literal => Literal,
        EffectSource.Now => Value.Timestamp(now),
        EffectSource.User => Value.String(user),
        EffectSource.Argument => arguments.FirstOrDefault(a => a.Name == Argument).Value,
        _ => Value.Null,
    };
}
