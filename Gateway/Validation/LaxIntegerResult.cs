namespace Entitlements.Gateway.Validation;

/// <summary>What <see cref="LaxInteger.Parse"/> found.</summary>
public enum LaxIntegerResult
{
    Parsed,
    AboveInt64,
    BelowInt64,
    Invalid,
}
