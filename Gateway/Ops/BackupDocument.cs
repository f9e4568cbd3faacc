using System.Text.Json.Serialization;
using Entitlements.Storage;

namespace Entitlements.Gateway.Ops;

/// <summary>A backup just taken: where it is, how big, the newest ledger sequence in it, and when and how long.</summary>
public sealed record BackupDocument
{
    [JsonPropertyName("file")] public required string File { get; init; }
    [JsonPropertyName("path")] public required string Path { get; init; }
    [JsonPropertyName("bytes")] public required long Bytes { get; init; }
    [JsonPropertyName("last_sequence")] public required long LastSequence { get; init; }
    [JsonPropertyName("started_at")] public required DateTimeOffset StartedAt { get; init; }
    [JsonPropertyName("duration_ms")] public required long DurationMilliseconds { get; init; }

    public static BackupDocument From(LedgerBackup backup)
    {
        ArgumentNullException.ThrowIfNull(backup);
        return new BackupDocument
        {
            File = System.IO.Path.GetFileName(backup.Path),
            Path = backup.Path,
            Bytes = backup.Bytes,
            LastSequence = backup.LastSequence,
            StartedAt = backup.StartedAt,
            DurationMilliseconds = (long)backup.Duration.TotalMilliseconds,
        };
    }
}
