using CrdtSync.Crdt.Schema;
using CrdtSync.Relay.Storage;

namespace CrdtSync.Relay.Auth;

/// <summary>Turns an authenticated device into the principal the rules judge: its user and the roles granted to that user now.</summary>
internal sealed class PrincipalResolver(IRelayStore store)
{
    public async Task<Principal> ResolveAsync(DeviceIdentity device, CancellationToken cancellationToken) =>
        new(device.User, await store.GetRolesAsync(device.User, cancellationToken).ConfigureAwait(false));
}
