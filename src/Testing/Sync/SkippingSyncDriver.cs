using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;

namespace CrdtSync.Testing.Sync;

/// <summary>The <see cref="Sabotage.SkipSomePulledChanges"/> canary: a broken merge that drops pulled changes of other origins with an even sequence.</summary>
internal sealed class SkippingSyncDriver : BasicSyncDriver
{
    protected override IReadOnlyList<ReadOnlyMemory<byte>> FilterPulled(ReplicaId self, IReadOnlyList<ReadOnlyMemory<byte>> changes) =>
        [.. changes.Where(bytes => ChangeCodec.Decode(bytes) is var change && (change.Id.Origin == self || change.Id.Sequence % 2 == 1))];
}
