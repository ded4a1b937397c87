using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Encoding;

/// <summary>
/// A small, lossy, thread-safe cache of names (collections, fields, actions) that a decoder has already checked,
/// by their UTF-8 bytes: decoding the same name again returns the same string without decoding, checking or
/// allocating. A name's bytes are ASCII, so equal bytes are the equal, already valid name.
/// </summary>
internal static class KnownNames
{
    private const int Slots = 512;
    private static readonly Entry?[] s_entries = new Entry?[Slots];

    /// <summary>The checked name whose UTF-8 form is <paramref name="utf8"/>, or null when it is not cached.</summary>
    public static string? Find(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0 || utf8.Length > IdentifierRules.NameLengthMax)
        {
            return null;
        }

        var entry = Volatile.Read(ref s_entries[Slot(utf8)]);
        return entry is not null && utf8.SequenceEqual(entry.Utf8) ? entry.Text : null;
    }

    /// <summary>Caches <paramref name="text"/>, a name that passed <see cref="IdentifierRules.CheckName"/>, under its UTF-8 form.</summary>
    public static void Add(ReadOnlySpan<byte> utf8, string text)
    {
        if (utf8.Length > IdentifierRules.NameLengthMax)
        {
            return;
        }

        // One immutable entry per slot, replaced whole: a reader sees the old entry or the new one, never a mix.
        Volatile.Write(ref s_entries[Slot(utf8)], new Entry(utf8.ToArray(), text));
    }

    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        // FNV-1a: names are short, and a collision only costs a miss.
        var hash = 2166136261u;
        foreach (var b in utf8)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % Slots);
    }

    private sealed class Entry(byte[] utf8, string text)
    {
        public byte[] Utf8 { get; } = utf8;

        public string Text { get; } = text;
    }
}
