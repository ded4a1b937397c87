namespace CrdtSync.Replica.Peers;

/// <summary>Why a replica did not merge a change a peer sent (logged; the change is asked for again next round).</summary>
public enum PeerRefusalReason
{
    /// <summary>
    /// The change's stamp is further ahead of this replica's clock than the configuration's <c>clockSkewMax</c>: the relay
    /// would refuse it as clock skew, so merging it could keep a value the relay never decides.
    /// </summary>
    ClockSkew,
}
