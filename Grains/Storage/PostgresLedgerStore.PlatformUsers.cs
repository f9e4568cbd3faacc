using System.Data;
using Entitlements.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace Entitlements.Storage;

public sealed partial class PostgresLedgerStore
{
    public Task<PlayerInfo?> ReadPlayerAsync(Guid playerUuid, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand("SELECT player_uuid, player_id, created_us FROM players WHERE player_uuid = @p;");
            command.Parameters.Add(Parameter("p", NpgsqlDbType.Uuid, playerUuid));
            return await ReadPlayerAsync(command, cancellationToken).ConfigureAwait(false);
        });

    public Task<PlayerInfo?> ReadPlayerByIdAsync(long playerId, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand("SELECT player_uuid, player_id, created_us FROM players WHERE player_id = @id;");
            command.Parameters.Add(Parameter("id", NpgsqlDbType.Bigint, playerId));
            return await ReadPlayerAsync(command, cancellationToken).ConfigureAwait(false);
        });

    public Task<PlatformUserLink?> ReadPlatformUserAsync(Platform platform, string platformUserId, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await ReadLinkAsync(connection, null, platform, platformUserId, cancellationToken).ConfigureAwait(false);
        });

    public async Task<LinkPlatformUserResult> LinkPlatformUserAsync(
        Platform platform, string platformUserId, string? displayName, Guid? playerUuid, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, transaction, PlayersLock, cancellationToken).ConfigureAwait(false);
        var existing = await ReadLinkAsync(connection, transaction, platform, platformUserId, cancellationToken).ConfigureAwait(false);
        if (existing is not null && (playerUuid is null || playerUuid == existing.PlayerUuid))
        {
            if (displayName is null || displayName == existing.DisplayName)
            {
                return new LinkPlatformUserResult(existing, Created: false);
            }

            await using var rename = Command(connection, "UPDATE platform_users SET display_name = @name WHERE platform = @platform AND md5(platform_user_id) = md5(@user) AND platform_user_id = @user;", transaction);
            rename.Parameters.Add(Parameter("name", NpgsqlDbType.Text, displayName));
            rename.Parameters.Add(Parameter("platform", NpgsqlDbType.Text, platform.ToString()));
            rename.Parameters.Add(Parameter("user", NpgsqlDbType.Text, platformUserId));
            await rename.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new LinkPlatformUserResult(existing with { DisplayName = displayName }, Created: false);
        }

        var target = playerUuid ?? Guid.NewGuid();
        // INSERT ... SELECT ... WHERE NOT EXISTS rather than ON CONFLICT DO NOTHING: a conflicting insert
        // would still draw a player_id, leaving a hole in the sequential ids.
        await using (var player = Command(connection, """
            INSERT INTO players (player_uuid, created_us)
            SELECT @p, @at WHERE NOT EXISTS (SELECT 1 FROM players WHERE player_uuid = @p);
            INSERT INTO platform_users (platform, platform_user_id, player_uuid, display_name, created_us) VALUES (@platform, @user, @p, @name, @at)
            ON CONFLICT (platform, md5(platform_user_id)) DO UPDATE SET player_uuid = excluded.player_uuid, display_name = COALESCE(excluded.display_name, platform_users.display_name)
            WHERE platform_users.platform_user_id = excluded.platform_user_id;
            """, transaction))
        {
            player.Parameters.Add(Parameter("p", NpgsqlDbType.Uuid, target));
            player.Parameters.Add(Parameter("at", NpgsqlDbType.Bigint, Time.ToMicros(now)));
            player.Parameters.Add(Parameter("platform", NpgsqlDbType.Text, platform.ToString()));
            player.Parameters.Add(Parameter("user", NpgsqlDbType.Text, platformUserId));
            player.Parameters.Add(Parameter("name", NpgsqlDbType.Text, displayName));
            await player.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // Nothing was written only when another id of the platform has the same MD5 (the unique key).
        var linked = await ReadLinkAsync(connection, transaction, platform, platformUserId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The {platform} user id has the same MD5 as another user id of the platform; it cannot be linked.");
        PlayerInfo.ThrowIfNotIssuable(linked.PlayerId);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new LinkPlatformUserResult(linked, Created: existing is null);
    }

    private static async Task<PlayerInfo?> ReadPlayerAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new PlayerInfo(reader.GetGuid(0), reader.GetInt64(1), Time.FromMicros(reader.GetInt64(2)))
            : null;
    }

    private static async Task<PlatformUserLink?> ReadLinkAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Platform platform, string platformUserId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, """
            SELECT u.display_name, u.player_uuid, p.player_id, u.created_us
            FROM platform_users u JOIN players p ON p.player_uuid = u.player_uuid
            WHERE u.platform = @platform AND md5(u.platform_user_id) = md5(@user) AND u.platform_user_id = @user;
            """, transaction);
        command.Parameters.Add(Parameter("platform", NpgsqlDbType.Text, platform.ToString()));
        command.Parameters.Add(Parameter("user", NpgsqlDbType.Text, platformUserId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new PlatformUserLink
        {
            Platform = platform,
            PlatformUserId = platformUserId,
            DisplayName = reader.IsDBNull(0) ? null : reader.GetString(0),
            PlayerUuid = reader.GetGuid(1),
            PlayerId = reader.GetInt64(2),
            Created = Time.FromMicros(reader.GetInt64(3)),
        };
    }
}
