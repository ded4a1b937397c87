using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Relay.Authority;

/// <summary>Resolves a caller's subscriptions into one <see cref="CollectionView"/> per collection.</summary>
internal static class CollectionViews
{
    /// <summary>
    /// The views of <paramref name="subscriptions"/>. When <paramref name="strict"/>, a collection the caller cannot
    /// read at all is refused (PermissionDenied); otherwise it is left out (a live subscriber who lost a role).
    /// </summary>
    public static IReadOnlyDictionary<CollectionName, CollectionView> Resolve(SyncConfiguration configuration, Principal principal, IReadOnlyList<SubscriptionSpec> subscriptions, bool strict)
    {
        if (subscriptions.Count == 0)
        {
            throw new RelayRequestException(RelayErrorKind.InvalidArgument, "Name at least one subscription (a collection).");
        }

        var views = new Dictionary<CollectionName, CollectionView>();
        foreach (var subscription in subscriptions)
        {
            if (!CollectionName.TryCreate(subscription.Collection, out var name) || !configuration.Collections.TryGetValue(name, out var schema))
            {
                throw new RelayRequestException(RelayErrorKind.InvalidArgument, $"There is no collection '{subscription.Collection}'.");
            }

            FieldName? field = null;
            if (!string.IsNullOrEmpty(subscription.FilterField))
            {
                if (!FieldName.TryCreate(subscription.FilterField, out var parsed) || !schema.Fields.ContainsKey(parsed))
                {
                    throw new RelayRequestException(RelayErrorKind.InvalidArgument, $"{name} has no field '{subscription.FilterField}' to filter on.");
                }

                field = parsed;
            }

            if (!views.TryGetValue(name, out var view))
            {
                view = new CollectionView(configuration, principal, name);
                if (!view.CanReadSome)
                {
                    if (strict)
                    {
                        throw new RelayRequestException(RelayErrorKind.PermissionDenied, $"{principal.User} may not read {name}.");
                    }

                    continue;
                }

                views.Add(name, view);
            }

            view.AddSubscription(field, subscription.FilterEquals);
        }

        return views;
    }
}
