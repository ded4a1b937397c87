namespace CrdtSync.Crdt.Schema;

/// <summary>Limits the relay enforces and tells its clients in the handshake.</summary>
public sealed record SyncLimits(int BatchCountMax = 1000, int MessageBytesMax = 4 * 1024 * 1024, int PullPageCountMax = 1000, double PushesPerSecondMax = 200);
