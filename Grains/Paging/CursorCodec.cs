using System.Buffers.Binary;
using System.Security.Cryptography;
using Entitlements.Storage;

namespace Entitlements.Paging;

/// <summary>
/// Opaque cursors: a position in one listing (a player's entitlement events, everybody's, or the
/// notification feed), signed with a key kept in the database, so that a tampered cursor or one from
/// another listing is refused. 55 characters of unpadded base64url.
/// </summary>
public sealed class CursorCodec(ILedgerStore store)
{
    private const byte PlayerListingFormat = 1;
    private const byte NotificationFormat = 2;
    private const byte EverybodyListingFormat = 3;
    private const int MacLength = 16;
    private const int PayloadLength = 1 + 16 + 8;
    private const int EncodedLength = (((PayloadLength + MacLength) * 4) + 2) / 3;
    private byte[]? _key;

    /// <summary>
    /// Encode a position in <paramref name="player"/>'s listing (a version), or in everybody's when null (a
    /// sequence). Everybody's listing has its own format, not the nil UUID's scope: a player may have the nil
    /// UUID, and a cursor of one listing must never be taken by the other.
    /// </summary>
    public Task<string> EncodeAsync(Guid? player, long position) =>
        player is { } uuid ? EncodeAsync(PlayerListingFormat, uuid, position) : EncodeAsync(EverybodyListingFormat, Guid.Empty, position);

    /// <summary>The position a cursor names, or null when it is not a cursor of this listing.</summary>
    public Task<long?> DecodeAsync(Guid? player, string cursor) =>
        player is { } uuid ? DecodeAsync(PlayerListingFormat, uuid, cursor) : DecodeAsync(EverybodyListingFormat, Guid.Empty, cursor);

    /// <summary>A position in the notification feed: the same for one player's feed and for everybody's.</summary>
    public Task<string> EncodeNotificationAsync(long position) => EncodeAsync(NotificationFormat, Guid.Empty, position);

    /// <summary>The feed position a notification cursor names, or null when it is not one.</summary>
    public Task<long?> DecodeNotificationAsync(string cursor) => DecodeAsync(NotificationFormat, Guid.Empty, cursor);

    private async Task<string> EncodeAsync(byte format, Guid scope, long position)
    {
        var buffer = new byte[PayloadLength + MacLength];
        buffer[0] = format;
        scope.TryWriteBytes(buffer.AsSpan(1, 16));
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(17, 8), position);
        var mac = HMACSHA256.HashData(await KeyAsync(), buffer.AsSpan(0, PayloadLength));
        mac.AsSpan(0, MacLength).CopyTo(buffer.AsSpan(PayloadLength));
        return Convert.ToBase64String(buffer).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private async Task<long?> DecodeAsync(byte format, Guid scope, string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var buffer = new byte[PayloadLength + MacLength];
        var text = cursor.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        if (cursor.Length != EncodedLength || !Convert.TryFromBase64String(text, buffer, out var written) || written != buffer.Length)
        {
            return null;
        }

        var mac = HMACSHA256.HashData(await KeyAsync(), buffer.AsSpan(0, PayloadLength));
        if (!CryptographicOperations.FixedTimeEquals(mac.AsSpan(0, MacLength), buffer.AsSpan(PayloadLength)))
        {
            return null;
        }

        if (buffer[0] != format || new Guid(buffer.AsSpan(1, 16)) != scope)
        {
            return null;
        }

        var position = BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(17, 8));
        return position < 0 ? null : position;
    }

    /// <summary>The signing key, read once; a failed read is tried again on the next call.</summary>
    private async Task<byte[]> KeyAsync() => _key ??= await store.ReadCursorKeyAsync();
}
