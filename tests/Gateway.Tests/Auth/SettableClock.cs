namespace Entitlements.Tests.Auth;

/// <summary>
/// A clock that reads what a test sets, and may be set back (a system clock stepped back by NTP), which
/// <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/> refuses.
/// </summary>
public sealed class SettableClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
