namespace CrdtSync.Relay.WebConsole;

// The JSON shapes of the console's API (camelCase on the wire). Times are UTC.

/// <summary>The devices screen: every registered device and the log head it is measured against.</summary>
internal sealed record DevicesView(long LogHead, IReadOnlyList<DeviceRow> Devices);

/// <summary>
/// A device: its last handshake, the last cursor seen and how many log sequences it is behind the head
/// (<see cref="Behind"/>, null when no cursor was seen yet).
/// </summary>
internal sealed record DeviceRow(
    string ReplicaId,
    string User,
    string Label,
    DateTimeOffset CreatedAt,
    bool Revoked,
    DateTimeOffset? LastHandshakeAt,
    long? Cursor,
    DateTimeOffset? CursorAt,
    long? Behind);

/// <summary>The outcomes screen: pushed changes decided per kind from <see cref="From"/> (a whole minute) to <see cref="To"/>.</summary>
internal sealed record OutcomesView(DateTimeOffset From, DateTimeOffset To, long Total, IReadOnlyList<OutcomeCount> Kinds);

/// <summary>How many changes were decided with one outcome kind (<c>accepted</c>, <c>conflict</c>, <c>invalid</c>, <c>deleted</c>, <c>forbidden</c>, <c>clock_skew</c>).</summary>
internal sealed record OutcomeCount(string Kind, long Count);

/// <summary>The journal screen: a record as the relay holds it, and its conflict journal (the values that lost a merge).</summary>
internal sealed record RecordView(string Collection, string Id, bool Found, bool Deleted, IReadOnlyList<FieldRow> Fields, IReadOnlyList<JournalRow> Journal);

/// <summary>A field's current value and the change that wrote it.</summary>
internal sealed record FieldRow(string Field, string Value, string Writer, long WriterSequence, DateTimeOffset WrittenAt);

/// <summary>A journal entry: a value of a field that lost to a concurrent write, with its writer and stamp.</summary>
internal sealed record JournalRow(string Field, string Value, string Writer, long WriterSequence, DateTimeOffset StampedAt);

/// <summary>The grants screen: the roles of the sync configuration, and each user's granted roles and device count.</summary>
internal sealed record GrantsView(IReadOnlyList<string> Roles, IReadOnlyList<UserGrants> Users);

/// <summary>One user's granted roles and how many (unrevoked) devices they have.</summary>
internal sealed record UserGrants(string User, IReadOnlyList<string> Roles, int Devices);

/// <summary>A signed-in session as the page sees it: the anti-forgery token to send back, and when it ends.</summary>
internal sealed record SessionView(string AntiForgeryToken, DateTimeOffset ExpiresAt);

/// <summary>The sign-in form.</summary>
internal sealed record SignInRequest(string? Credential);

/// <summary>Grant (<see cref="Granted"/> true) or revoke a role of a user.</summary>
internal sealed record GrantRequest(string? User, string? Role, bool Granted);

/// <summary>The answer to a grant or revoke: whether anything changed, and the user's roles now.</summary>
internal sealed record GrantResult(bool Changed, UserGrants User);

/// <summary>Why a call was refused.</summary>
internal sealed record ProblemView(string Error);
