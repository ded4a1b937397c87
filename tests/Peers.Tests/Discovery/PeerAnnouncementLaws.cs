using CrdtSync.Crdt.Clocks;
using CrdtSync.Replica.Peers;
using CrdtSync.Replica.Peers.Discovery;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.Peers.Tests.Discovery;

/// <summary>The announcement's bytes: a round trip keeps everything, and anything else is refused whole. Seeded.</summary>
public sealed class PeerAnnouncementLaws
{
    private static readonly Config Seeded = Config.QuickThrowOnFailure
        .WithMaxTest(int.TryParse(Environment.GetEnvironmentVariable("CRDTSYNC_PROPERTY_CASES"), out var cases) && cases > 0 ? cases : 200)
        .WithReplay(20261203UL, 11UL);

    private static Gen<PeerAnnouncement> Announcements() =>
        from tag in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(PeerAnnouncement.TeamTagSize)
        from high in Gen.Choose(0, int.MaxValue)
        from low in Gen.Choose(1, int.MaxValue)
        from secure in Gen.Elements(true, false)
        from host in Gen.Elements("127.0.0.2", "192.168.1.20", "[::1]", "field-laptop.local", "10.0.0.254")
        from port in Gen.Choose(1, 65535)
        select new PeerAnnouncement(tag, new ReplicaId((ulong)high, (ulong)low), new Uri($"{(secure ? "https" : "http")}://{host}:{port}"));

    [Fact]
    public void An_announcement_decodes_to_what_was_encoded() =>
        Prop.ForAll(Announcements().ToArbitrary(), announcement =>
        {
            var decoded = PeerAnnouncement.Decode(announcement.Encode());
            Assert.Equal(announcement.TeamTag, decoded.TeamTag);
            Assert.Equal(announcement.Replica, decoded.Replica);
            Assert.Equal(announcement.Address, decoded.Address);
        }).Check(Seeded);

    [Fact]
    public void A_cut_or_lengthened_announcement_is_refused_as_a_whole() =>
        Prop.ForAll((from announcement in Announcements() from cut in Gen.Choose(0, 1000) from extra in Gen.Choose(1, 3) select (announcement, cut, extra)).ToArbitrary(), input =>
        {
            var bytes = input.announcement.Encode();
            Assert.Throws<PeerProtocolException>(() => PeerAnnouncement.Decode(bytes.AsSpan(0, input.cut % bytes.Length)));
            Assert.Throws<PeerProtocolException>(() => PeerAnnouncement.Decode([.. bytes, .. new byte[input.extra]]));
        }).Check(Seeded);

    [Fact]
    public void An_announcement_in_a_newer_format_says_to_upgrade()
    {
        var bytes = new PeerAnnouncement(new byte[8], new ReplicaId(1, 2), new Uri("http://127.0.0.2:5300")).Encode();
        bytes[0] = PeerAnnouncement.Version + 1;

        var refused = Assert.Throws<PeerProtocolException>(() => PeerAnnouncement.Decode(bytes));

        Assert.Contains("Upgrade", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_team_whose_secret_made_the_tag_recognises_an_announcement()
    {
        var team = new TeamCredential(PeerNodeSecrets.Team);
        var stranger = new TeamCredential(PeerNodeSecrets.Stranger);
        var announcement = new PeerAnnouncement(team.TeamTag, new ReplicaId(1, 2), new Uri("http://127.0.0.2:5300"));

        Assert.True(announcement.IsFrom(team));
        Assert.False(announcement.IsFrom(stranger));
        Assert.DoesNotContain(PeerNodeSecrets.Team, System.Text.Encoding.UTF8.GetString(announcement.Encode()), StringComparison.Ordinal);
    }
}
