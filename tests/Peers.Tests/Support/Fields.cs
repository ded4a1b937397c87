using CrdtSync.Crdt.Values;

namespace CrdtSync.Peers.Tests.Support;

public static class Fields
{
    public static Dictionary<string, Value> Of(params (string Name, object Value)[] fields) => fields.ToDictionary(
        f => f.Name,
        f => f.Value switch
        {
            string text => Value.String(text),
            long number => Value.Int64(number),
            int number => Value.Int64(number),
            _ => throw new ArgumentException("unsupported value"),
        });
}
