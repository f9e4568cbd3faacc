namespace Entitlements.Xbox;

/// <summary>Faults a test can switch on to prove crash recovery; never set them in production.</summary>
public enum XboxTestFault
{
    None = 0,

    /// <summary>Kill the process (no shutdown) after the consume call returned.</summary>
    KillProcess = 1,

    /// <summary>Fail the grain call after the consume call returned.</summary>
    Throw = 2,
}
