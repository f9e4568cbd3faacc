using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// A gateway whose push sends time out after five seconds, with a buffer too large to overflow in a test: a
/// client that stops reading is ended by a send that cannot complete, not by the buffer. Five, not one: the
/// same timeout applies to the connection that resumes and reads the backlog, whose reader (in the test
/// host, on a loaded machine) can pause for a second.
/// </summary>
public sealed class PushSendTimeoutFixture : GatewayFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Notifications:Push:BufferSize"] = "100000";
        settings["Notifications:Push:HeartbeatSeconds"] = "60";
        settings["Notifications:Push:SendTimeoutSeconds"] = "5";
    }
}
