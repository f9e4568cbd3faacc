using System.Globalization;
using Entitlements.Contracts;
using Microsoft.Data.Sqlite;

namespace Entitlements.Storage;

public sealed partial class SqliteLedgerStore
{
    public Task<PlayerInfo?> ReadPlayerAsync(Guid playerUuid, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using var command = Command(connection, "SELECT player_uuid, player_id, created_us FROM players WHERE player_uuid = $p;");
        command.Parameters.AddWithValue("$p", playerUuid.ToString("D"));
        return ReadPlayer(command);
    }, cancellationToken);

    public Task<PlayerInfo?> ReadPlayerByIdAsync(long playerId, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using var command = Command(connection, "SELECT player_uuid, player_id, created_us FROM players WHERE player_id = $id;");
        command.Parameters.AddWithValue("$id", playerId);
        return ReadPlayer(command);
    }, cancellationToken);

    public Task<PlatformUserLink?> ReadPlatformUserAsync(Platform platform, string platformUserId, CancellationToken cancellationToken = default) =>
        ReadAsync(connection => ReadLink(connection, null, platform, platformUserId), cancellationToken);

    public Task<LinkPlatformUserResult> LinkPlatformUserAsync(
        Platform platform, string platformUserId, string? displayName, Guid? playerUuid, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var existing = ReadLink(connection, transaction, platform, platformUserId);
            if (existing is not null && (playerUuid is null || playerUuid == existing.PlayerUuid))
            {
                if (displayName is null || displayName == existing.DisplayName)
                {
                    return new LinkPlatformUserResult(existing, Created: false);
                }

                using var rename = Command(connection, "UPDATE platform_users SET display_name = $name WHERE platform = $platform AND platform_user_id = $user;", transaction);
                rename.Parameters.AddWithValue("$name", displayName);
                rename.Parameters.AddWithValue("$platform", platform.ToString());
                rename.Parameters.AddWithValue("$user", platformUserId);
                rename.ExecuteNonQuery();
                transaction.Commit();
                return new LinkPlatformUserResult(existing with { DisplayName = displayName }, Created: false);
            }

            var target = (playerUuid ?? Guid.NewGuid()).ToString("D");
            // INSERT ... SELECT ... WHERE NOT EXISTS rather than ON CONFLICT DO NOTHING, which still advances the
            // AUTOINCREMENT sequence: a link to an existing player would leave a hole in the sequential ids.
            using (var player = Command(connection, "INSERT INTO players (player_uuid, created_us) SELECT $p, $at WHERE NOT EXISTS (SELECT 1 FROM players WHERE player_uuid = $p);", transaction))
            {
                player.Parameters.AddWithValue("$p", target);
                player.Parameters.AddWithValue("$at", Time.ToMicros(now));
                player.ExecuteNonQuery();
            }

            using (var link = Command(connection, """
                INSERT INTO platform_users (platform, platform_user_id, player_uuid, display_name, created_us) VALUES ($platform, $user, $p, $name, $at)
                ON CONFLICT (platform, platform_user_id) DO UPDATE SET player_uuid = excluded.player_uuid, display_name = COALESCE(excluded.display_name, platform_users.display_name);
                """, transaction))
            {
                link.Parameters.AddWithValue("$platform", platform.ToString());
                link.Parameters.AddWithValue("$user", platformUserId);
                link.Parameters.AddWithValue("$p", target);
                link.Parameters.AddWithValue("$name", (object?)displayName ?? DBNull.Value);
                link.Parameters.AddWithValue("$at", Time.ToMicros(now));
                link.ExecuteNonQuery();
            }

            var linked = ReadLink(connection, transaction, platform, platformUserId)!;
            PlayerInfo.ThrowIfNotIssuable(linked.PlayerId);
            transaction.Commit();
            return new LinkPlatformUserResult(linked, Created: existing is null);
        }, cancellationToken);

    private static PlayerInfo? ReadPlayer(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new PlayerInfo(Guid.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetInt64(1), Time.FromMicros(reader.GetInt64(2)))
            : null;
    }

    private static PlatformUserLink? ReadLink(SqliteConnection connection, SqliteTransaction? transaction, Platform platform, string platformUserId)
    {
        using var command = Command(connection, """
            SELECT u.display_name, u.player_uuid, p.player_id, u.created_us
            FROM platform_users u JOIN players p ON p.player_uuid = u.player_uuid
            WHERE u.platform = $platform AND u.platform_user_id = $user;
            """, transaction);
        command.Parameters.AddWithValue("$platform", platform.ToString());
        command.Parameters.AddWithValue("$user", platformUserId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new PlatformUserLink
        {
            Platform = platform,
            PlatformUserId = platformUserId,
            DisplayName = reader.IsDBNull(0) ? null : reader.GetString(0),
            PlayerUuid = Guid.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
            PlayerId = reader.GetInt64(2),
            Created = Time.FromMicros(reader.GetInt64(3)),
        };
    }
}
