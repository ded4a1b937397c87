using CrdtSync.Crdt.Clocks;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Storage;
using Microsoft.Extensions.Logging;

namespace CrdtSync.Relay.Auth;

/// <summary>Creates and revokes device tokens and grants and revokes roles, waking live subscribers on every change.</summary>
internal sealed class DeviceRegistry(IRelayStore store, RelaySyncConfiguration configuration, ChangeFeed feed, TimeProvider time, ILogger<DeviceRegistry> logger)
{
    public async Task<(string Token, ReplicaId Replica)> CreateDeviceAsync(string user, ReplicaId? replica, string label, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(user))
        {
            throw new RelayRequestException(RelayErrorKind.InvalidArgument, "A device belongs to a user: name one.");
        }

        var id = replica is { IsEmpty: false } given ? given : RandomReplicaId.Create();
        var token = TokenHasher.NewToken(TokenHasher.DevicePrefix);
        await store.AddDeviceAsync(new DeviceRegistration(id, user, label, TokenHasher.Hash(token), time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        feed.PublishAccessChange();
        logger.LogInformation("Device {Device} created for {User}", id, user);
        return (token, id);
    }

    public async Task<bool> RevokeDeviceAsync(ReplicaId replica, CancellationToken cancellationToken)
    {
        var revoked = await store.RevokeDeviceAsync(replica, cancellationToken).ConfigureAwait(false);
        feed.PublishAccessChange();
        logger.LogInformation("Device {Device} revoked: {Revoked}", replica, revoked);
        return revoked;
    }

    public async Task<bool> SetRoleAsync(string user, string role, bool granted, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(user))
        {
            throw new RelayRequestException(RelayErrorKind.InvalidArgument, "Name the user.");
        }

        if (granted && !configuration.Rules.Roles.ContainsKey(role))
        {
            throw new RelayRequestException(RelayErrorKind.InvalidArgument,
                $"There is no role '{role}' (roles: {string.Join(", ", configuration.Rules.Roles.Keys.Order(StringComparer.Ordinal))}).");
        }

        var changed = await store.SetRoleAsync(user, role, granted, cancellationToken).ConfigureAwait(false);
        feed.PublishAccessChange();
        logger.LogInformation("Role {Role} {Action} {User}: {Changed}", role, granted ? "granted to" : "revoked from", user, changed);
        return changed;
    }
}
