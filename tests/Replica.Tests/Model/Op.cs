namespace CrdtSync.Replica.Tests.Model;

/// <summary>What a model step does.</summary>
public enum OpKind
{
    Create, Edit, Act, Delete, Push, Refuse, RemoteEdit, RemoteDelete, Pull, Retry, Discard, Reopen,
}

/// <summary>One step of a model run: a kind, a record slot (0-2) and a small number (a value, a count, an index).</summary>
public sealed record Op(OpKind Kind, int Slot, int Number)
{
    public override string ToString() => $"{Kind}({Slot},{Number})";
}
