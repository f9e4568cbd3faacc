namespace Entitlements.Contracts;

[GenerateSerializer, Alias("Entitlements.ConsumeOutcome")]
public enum ConsumeOutcome
{
    Consumed = 0,
    Replayed = 1,
    NotOwned = 2,
    InsufficientBalance = 3,
    NotConsumable = 4,
    UnknownPlayer = 5,
    Conflict = 6,
}
