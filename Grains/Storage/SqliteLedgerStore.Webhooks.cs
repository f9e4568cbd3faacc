using System.Globalization;
using Entitlements.Notifications;
using Entitlements.Webhooks;
using Microsoft.Data.Sqlite;

namespace Entitlements.Storage;

public sealed partial class SqliteLedgerStore
{
    public Task<WebhookDeadLetter> WriteDeadLetterAsync(WebhookDeadLetter deadLetter, string? consumer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        return WriteAsync(connection =>
        {
            // One transaction: the position moves with the dead letter or, if either write fails, neither is written.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = Command(connection, $"""
                INSERT INTO webhook_dead_letters (webhook, position, event_id, player_uuid, kind, attempts, last_error, failed_us, replayed_us)
                VALUES ($w, $pos, $event, $p, $kind, $attempts, $error, $failed, NULL)
                ON CONFLICT (webhook, position) DO UPDATE SET
                    attempts = excluded.attempts, last_error = excluded.last_error, failed_us = excluded.failed_us, replayed_us = NULL
                RETURNING {DeadLetterColumns};
                """, transaction);
            command.Parameters.AddWithValue("$w", deadLetter.Webhook);
            command.Parameters.AddWithValue("$pos", deadLetter.Position);
            command.Parameters.AddWithValue("$event", deadLetter.EventId);
            command.Parameters.AddWithValue("$p", deadLetter.PlayerUuid.ToString("D"));
            command.Parameters.AddWithValue("$kind", (int)deadLetter.Kind);
            command.Parameters.AddWithValue("$attempts", deadLetter.Attempts);
            command.Parameters.AddWithValue("$error", (object?)deadLetter.LastError ?? DBNull.Value);
            command.Parameters.AddWithValue("$failed", Time.ToMicros(deadLetter.Failed));
            WebhookDeadLetter written;
            using (var reader = command.ExecuteReader())
            {
                reader.Read();
                written = ReadDeadLetter(reader);
            }

            if (consumer is not null)
            {
                MovePosition(connection, transaction, consumer, deadLetter.Position);
            }

            transaction.Commit();
            return written;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<WebhookDeadLetter>> ReadDeadLettersAsync(string webhook, long afterId, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<WebhookDeadLetter>>(connection =>
        {
            using var command = Command(connection, $"SELECT {DeadLetterColumns} FROM webhook_dead_letters WHERE webhook = $w AND id > $after ORDER BY id LIMIT $limit;");
            command.Parameters.AddWithValue("$w", webhook);
            command.Parameters.AddWithValue("$after", afterId);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var letters = new List<WebhookDeadLetter>();
            while (reader.Read())
            {
                letters.Add(ReadDeadLetter(reader));
            }

            return letters;
        }, cancellationToken);

    public Task<WebhookDeadLetter?> ReadDeadLetterAsync(string webhook, long id, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using var command = Command(connection, $"SELECT {DeadLetterColumns} FROM webhook_dead_letters WHERE webhook = $w AND id = $id;");
        command.Parameters.AddWithValue("$w", webhook);
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadDeadLetter(reader) : null;
    }, cancellationToken);

    public Task<WebhookDeadLetter?> MarkDeadLetterReplayedAsync(string webhook, long id, DateTimeOffset replayed, CancellationToken cancellationToken = default) => WriteAsync(connection =>
    {
        using var command = Command(connection, $"UPDATE webhook_dead_letters SET replayed_us = $at WHERE webhook = $w AND id = $id RETURNING {DeadLetterColumns};");
        command.Parameters.AddWithValue("$w", webhook);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", Time.ToMicros(replayed));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadDeadLetter(reader) : null;
    }, cancellationToken);

    public Task<WebhookDeadLetter?> RecordDeadLetterReplayFailureAsync(string webhook, long id, string? lastError, DateTimeOffset failed, CancellationToken cancellationToken = default) => WriteAsync(connection =>
    {
        using var command = Command(connection, $"""
            UPDATE webhook_dead_letters SET attempts = attempts + 1, last_error = $error, failed_us = $failed
            WHERE webhook = $w AND id = $id
            RETURNING {DeadLetterColumns};
            """);
        command.Parameters.AddWithValue("$w", webhook);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$error", (object?)lastError ?? DBNull.Value);
        command.Parameters.AddWithValue("$failed", Time.ToMicros(failed));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadDeadLetter(reader) : null;
    }, cancellationToken);

    public Task<(long Total, long Pending)> CountDeadLettersAsync(string webhook, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        // Two counts that each read one index (schema version 7), never the rows: the total the unique
        // (webhook, position) one, the pending the partial one on the rows no replay has delivered.
        using var command = Command(connection,
            "SELECT (SELECT COUNT(*) FROM webhook_dead_letters WHERE webhook = $w), (SELECT COUNT(*) FROM webhook_dead_letters WHERE webhook = $w AND replayed_us IS NULL);");
        command.Parameters.AddWithValue("$w", webhook);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }, cancellationToken);

    private const string DeadLetterColumns = "id, webhook, position, event_id, player_uuid, kind, attempts, last_error, failed_us, replayed_us";

    private static WebhookDeadLetter ReadDeadLetter(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Webhook = reader.GetString(1),
        Position = reader.GetInt64(2),
        EventId = reader.GetString(3),
        PlayerUuid = Guid.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
        Kind = (NotificationKind)reader.GetInt32(5),
        Attempts = reader.GetInt32(6),
        LastError = reader.IsDBNull(7) ? null : reader.GetString(7),
        Failed = Time.FromMicros(reader.GetInt64(8)),
        Replayed = reader.IsDBNull(9) ? null : Time.FromMicros(reader.GetInt64(9)),
    };
}
