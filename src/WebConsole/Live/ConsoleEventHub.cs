using System.Text.Json.Nodes;
using System.Threading.Channels;
using CrdtSync.Replica;
using CrdtSync.Replica.Events;
using CrdtSync.Replica.Sync;
using CrdtSync.WebConsole.Api;

namespace CrdtSync.WebConsole.Live;

/// <summary>
/// Fans the replica's and the sync client's events out to every open event stream (<c>GET /api/events</c>). Publishing never
/// blocks the replica: each stream has a small bounded queue that drops its oldest event when full (the page re-reads the
/// state on any event, so a dropped one loses nothing).
/// </summary>
internal sealed class ConsoleEventHub : IDisposable
{
    private const int QueueLength = 64;

    private readonly Lock _gate = new();
    private readonly List<Channel<ConsoleEvent>> _streams = [];
    private readonly ReplicaStore _replica;
    private readonly SyncClient? _client;

    public ConsoleEventHub(ReplicaStore replica, SyncClient? client)
    {
        _replica = replica;
        _client = client;
        replica.RecordChanged += OnRecordChanged;
        replica.RecordStatusChanged += OnRecordStatusChanged;
        replica.OutboxChanged += OnOutboxChanged;
        replica.OfflineModeChanged += OnOfflineModeChanged;
        if (client is not null)
        {
            client.StatusChanged += OnSyncStatusChanged;
        }
    }

    /// <summary>Opens a stream; dispose the returned subscription to close it.</summary>
    public Subscription Open()
    {
        var channel = Channel.CreateBounded<ConsoleEvent>(new BoundedChannelOptions(QueueLength)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _streams.Add(channel);
        }

        return new Subscription(this, channel);
    }

    /// <summary>Sends an event to every open stream.</summary>
    public void Publish(string name, JsonObject data)
    {
        var message = new ConsoleEvent(name, data.ToJsonString());
        lock (_gate)
        {
            foreach (var stream in _streams)
            {
                stream.Writer.TryWrite(message);
            }
        }
    }

    public void Dispose()
    {
        _replica.RecordChanged -= OnRecordChanged;
        _replica.RecordStatusChanged -= OnRecordStatusChanged;
        _replica.OutboxChanged -= OnOutboxChanged;
        _replica.OfflineModeChanged -= OnOfflineModeChanged;
        if (_client is not null)
        {
            _client.StatusChanged -= OnSyncStatusChanged;
        }

        lock (_gate)
        {
            foreach (var stream in _streams)
            {
                stream.Writer.TryComplete();
            }

            _streams.Clear();
        }
    }

    private void OnRecordChanged(object? sender, RecordChangedEventArgs e) =>
        Publish("record", new JsonObject { ["collection"] = e.Collection.Text, ["id"] = e.RecordId.Text, ["exists"] = e.Exists });

    private void OnRecordStatusChanged(object? sender, RecordStatusChangedEventArgs e) => Publish("status", new JsonObject
    {
        ["collection"] = e.Collection.Text,
        ["id"] = e.RecordId.Text,
        ["before"] = ConsoleViews.Mark(e.Before),
        ["after"] = ConsoleViews.Mark(e.After),
    });

    private void OnOutboxChanged(object? sender, OutboxChangedEventArgs e) => Publish("outbox", new JsonObject { ["count"] = e.EntryCount });

    private void OnOfflineModeChanged(object? sender, EventArgs e) => Publish("offline", new JsonObject { ["offlineMode"] = _replica.IsInOfflineMode });

    private void OnSyncStatusChanged(object? sender, SyncStatus status) => Publish("sync", ConsoleSync.StatusJson(status));

    private void Close(Channel<ConsoleEvent> channel)
    {
        lock (_gate)
        {
            _streams.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    /// <summary>One open stream.</summary>
    public sealed class Subscription(ConsoleEventHub hub, Channel<ConsoleEvent> channel) : IDisposable
    {
        public ChannelReader<ConsoleEvent> Reader => channel.Reader;

        public void Dispose() => hub.Close(channel);
    }
}

/// <summary>One server-sent event: its name and JSON data.</summary>
internal sealed record ConsoleEvent(string Name, string Data);
