using Entitlements.Notifications;

namespace Entitlements.Gateway.Notifications;

/// <summary>
/// A registered connection and where it starts: after <see cref="Position"/>, replaying the ledger from
/// there when <see cref="Replay"/> (the client resumed with <see cref="Cursor"/>), else live only (and
/// <see cref="Cursor"/> is the head's, where the client resumes if it is ended before it was sent anything).
/// A replay's first page (<see cref="FirstPage"/>) is read before the response starts, so that a ledger that
/// cannot be read refuses the connection as every other route does, instead of accepting it and closing it.
/// </summary>
public sealed record PushStart(PushConnection Connection, long Position, bool Replay, string Cursor, NotificationPage? FirstPage = null);
