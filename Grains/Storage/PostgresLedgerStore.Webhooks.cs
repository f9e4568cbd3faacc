using Entitlements.Notifications;
using Entitlements.Webhooks;
using Npgsql;
using NpgsqlTypes;

namespace Entitlements.Storage;

public sealed partial class PostgresLedgerStore
{
    public async Task<WebhookDeadLetter> WriteDeadLetterAsync(WebhookDeadLetter deadLetter, string? consumer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        // One statement: the position moves with the dead letter or, if it fails, neither is written.
        var movePosition = consumer is null ? string.Empty : $"WITH moved AS ({MovePositionSql}) ";
        await using var command = _dataSource.CreateCommand($"""
            {movePosition}INSERT INTO webhook_dead_letters (webhook, position, event_id, player_uuid, kind, attempts, last_error, failed_us, replayed_us)
            VALUES (@w, @pos, @event, @p, @kind, @attempts, @error, @failed, NULL)
            ON CONFLICT (webhook, position) DO UPDATE SET
                attempts = excluded.attempts, last_error = excluded.last_error, failed_us = excluded.failed_us, replayed_us = NULL
            RETURNING {DeadLetterColumns};
            """);
        command.Parameters.Add(Parameter("w", NpgsqlDbType.Text, deadLetter.Webhook));
        command.Parameters.Add(Parameter("pos", NpgsqlDbType.Bigint, deadLetter.Position));
        command.Parameters.Add(Parameter("event", NpgsqlDbType.Text, deadLetter.EventId));
        command.Parameters.Add(Parameter("p", NpgsqlDbType.Uuid, deadLetter.PlayerUuid));
        command.Parameters.Add(Parameter("kind", NpgsqlDbType.Smallint, (short)deadLetter.Kind));
        command.Parameters.Add(Parameter("attempts", NpgsqlDbType.Integer, deadLetter.Attempts));
        command.Parameters.Add(Parameter("error", NpgsqlDbType.Text, deadLetter.LastError));
        command.Parameters.Add(Parameter("failed", NpgsqlDbType.Bigint, Time.ToMicros(deadLetter.Failed)));
        if (consumer is not null)
        {
            command.Parameters.Add(Parameter("c", NpgsqlDbType.Text, consumer));
            command.Parameters.Add(Parameter("at", NpgsqlDbType.Bigint, Time.ToMicros(DateTimeOffset.UtcNow)));
        }

        return (await ReadDeadLettersAsync(command, cancellationToken).ConfigureAwait(false))[0];
    }

    public Task<IReadOnlyList<WebhookDeadLetter>> ReadDeadLettersAsync(string webhook, long afterId, int limit, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand($"SELECT {DeadLetterColumns} FROM webhook_dead_letters WHERE webhook = @w AND id > @after ORDER BY id LIMIT @limit;");
            command.Parameters.Add(Parameter("w", NpgsqlDbType.Text, webhook));
            command.Parameters.Add(Parameter("after", NpgsqlDbType.Bigint, afterId));
            command.Parameters.Add(Parameter("limit", NpgsqlDbType.Integer, limit));
            return await ReadDeadLettersAsync(command, cancellationToken).ConfigureAwait(false);
        });

    public Task<WebhookDeadLetter?> ReadDeadLetterAsync(string webhook, long id, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand($"SELECT {DeadLetterColumns} FROM webhook_dead_letters WHERE webhook = @w AND id = @id;");
            command.Parameters.Add(Parameter("w", NpgsqlDbType.Text, webhook));
            command.Parameters.Add(Parameter("id", NpgsqlDbType.Bigint, id));
            return (await ReadDeadLettersAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
        });

    public async Task<WebhookDeadLetter?> MarkDeadLetterReplayedAsync(string webhook, long id, DateTimeOffset replayed, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"UPDATE webhook_dead_letters SET replayed_us = @at WHERE webhook = @w AND id = @id RETURNING {DeadLetterColumns};");
        command.Parameters.Add(Parameter("w", NpgsqlDbType.Text, webhook));
        command.Parameters.Add(Parameter("id", NpgsqlDbType.Bigint, id));
        command.Parameters.Add(Parameter("at", NpgsqlDbType.Bigint, Time.ToMicros(replayed)));
        return (await ReadDeadLettersAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task<WebhookDeadLetter?> RecordDeadLetterReplayFailureAsync(string webhook, long id, string? lastError, DateTimeOffset failed, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"""
            UPDATE webhook_dead_letters SET attempts = attempts + 1, last_error = @error, failed_us = @failed
            WHERE webhook = @w AND id = @id
            RETURNING {DeadLetterColumns};
            """);
        command.Parameters.Add(Parameter("w", NpgsqlDbType.Text, webhook));
        command.Parameters.Add(Parameter("id", NpgsqlDbType.Bigint, id));
        command.Parameters.Add(Parameter("error", NpgsqlDbType.Text, lastError));
        command.Parameters.Add(Parameter("failed", NpgsqlDbType.Bigint, Time.ToMicros(failed)));
        return (await ReadDeadLettersAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    public Task<(long Total, long Pending)> CountDeadLettersAsync(string webhook, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            // Two counts that each read one index (schema version 7): the total the unique (webhook, position)
            // one, the pending the partial one on the rows no replay has delivered. Both are index-only scans: a
            // row is visited only on a page changed since autovacuum last marked it all-visible.
            await using var command = _dataSource.CreateCommand(
                "SELECT (SELECT COUNT(*) FROM webhook_dead_letters WHERE webhook = @w), (SELECT COUNT(*) FROM webhook_dead_letters WHERE webhook = @w AND replayed_us IS NULL);");
            command.Parameters.Add(Parameter("w", NpgsqlDbType.Text, webhook));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (reader.GetInt64(0), reader.GetInt64(1));
        });

    private const string DeadLetterColumns = "id, webhook, position, event_id, player_uuid, kind, attempts, last_error, failed_us, replayed_us";

    private static async Task<IReadOnlyList<WebhookDeadLetter>> ReadDeadLettersAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var letters = new List<WebhookDeadLetter>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            letters.Add(new WebhookDeadLetter
            {
                Id = reader.GetInt64(0),
                Webhook = reader.GetString(1),
                Position = reader.GetInt64(2),
                EventId = reader.GetString(3),
                PlayerUuid = reader.GetGuid(4),
                Kind = (NotificationKind)reader.GetInt16(5),
                Attempts = reader.GetInt32(6),
                LastError = reader.IsDBNull(7) ? null : reader.GetString(7),
                Failed = Time.FromMicros(reader.GetInt64(8)),
                Replayed = reader.IsDBNull(9) ? null : Time.FromMicros(reader.GetInt64(9)),
            });
        }

        return letters;
    }
}
