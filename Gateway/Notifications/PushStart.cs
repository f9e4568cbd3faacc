namespace Entitlements.Gateway.Notifications;

/// <summary>
/// A registered connection and where it starts: after <see cref="Position"/>, replaying the ledger from
/// there when <see cref="Replay"/> (the client resumed with <see cref="Cursor"/>), else live only (and
/// <see cref="Cursor"/> is the head's, where the client resumes if it is ended before it was sent anything).
/// </summary>
public sealed record PushStart(PushConnection Connection, long Position, bool Replay, string Cursor);
