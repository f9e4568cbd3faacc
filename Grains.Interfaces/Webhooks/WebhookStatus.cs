namespace Entitlements.Webhooks;

/// <summary>A configured webhook: where it sends (no secret, no query string), how far it got, and its dead letters.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Webhooks.WebhookStatus")]
public sealed record WebhookStatus
{
    [Id(0)] public required string Name { get; init; }

    /// <summary>The endpoint's scheme, host, port and path.</summary>
    [Id(1)] public required string Endpoint { get; init; }

    /// <summary>
    /// The feed position stored in the database: where a restart resumes. Behind <see cref="DeliveredPosition"/>
    /// until the delivered one's write is due (<c>Notifications:PositionWriteInterval</c>) and done: for as long as the database refuses it.
    /// </summary>
    [Id(2)] public required long Position { get; init; }
    [Id(3)] public required long DeadLetters { get; init; }

    /// <summary>Dead letters no replay has delivered yet.</summary>
    [Id(4)] public required long PendingDeadLetters { get; init; }

    /// <summary>The feed position delivered (or dead-lettered) so far, stored or not.</summary>
    [Id(5)] public required long DeliveredPosition { get; init; }
}
