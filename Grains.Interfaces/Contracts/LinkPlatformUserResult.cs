namespace Entitlements.Contracts;

[GenerateSerializer, Immutable, Alias("Entitlements.LinkPlatformUserResult")]
public sealed record LinkPlatformUserResult(
    [property: Id(0)] PlatformUserLink Link,
    [property: Id(1)] bool Created);
