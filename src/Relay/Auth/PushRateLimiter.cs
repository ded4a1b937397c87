using System.Collections.Concurrent;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Relay.Configuration;

namespace CrdtSync.Relay.Auth;

/// <summary>
/// A token bucket per device for push calls: <c>limits.pushesPerSecondMax</c> per second, with a burst of the same
/// size (at least 1). Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class PushRateLimiter(RelaySyncConfiguration configuration, TimeProvider time)
{
    private readonly ConcurrentDictionary<ReplicaId, Bucket> _buckets = new();

    public bool TryAcquire(ReplicaId device)
    {
        var rate = configuration.Rules.Limits.PushesPerSecondMax;
        if (rate <= 0 || double.IsPositiveInfinity(rate))
        {
            return true;
        }

        var capacity = Math.Max(1, rate);
        var bucket = _buckets.GetOrAdd(device, _ => new Bucket(capacity, time.GetTimestamp()));
        lock (bucket)
        {
            var now = time.GetTimestamp();
            var elapsed = time.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            bucket.Tokens = Math.Min(capacity, bucket.Tokens + (elapsed * rate));
            bucket.Stamp = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;

        public long Stamp { get; set; } = stamp;
    }
}
