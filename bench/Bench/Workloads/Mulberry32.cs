namespace CrdtSync.Bench.Workloads;

/// <summary>The mulberry32 generator of WORKLOADS.md section 2, with its derived draws.</summary>
internal sealed class Mulberry32(uint seed)
{
    public const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    private uint _state = seed;

    public uint U32()
    {
        _state += 0x6D2B79F5u;
        var t = _state;
        t = (t ^ (t >> 15)) * (t | 1u);
        t ^= t + ((t ^ (t >> 7)) * (t | 61u));
        return t ^ (t >> 14);
    }

    /// <summary>Uniform in [0, n).</summary>
    public int Int(int n) => (int)(((ulong)U32() * (ulong)n) >> 32);

    public string Str(int length) => string.Create(length, this, static (span, random) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = Alphabet[random.Int(36)];
        }
    });

    public bool Bool() => Int(2) == 1;
}
