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
    private const byte NilPlayerListingFormat = 4;
    private const int MacLength = 16;
    private const int PayloadLength = 1 + 16 + 8;
    private const int EncodedLength = (((PayloadLength + MacLength) * 4) + 2) / 3;
    private byte[]? _key;

    /// <summary>
    /// Encode a position in <paramref name="player"/>'s listing (a version), or in everybody's when null (a
    /// sequence). Everybody's listing and the nil-UUID player's each have their own format, not the player
    /// format with the nil UUID as scope: a player may have the nil UUID, and a cursor of one listing must
    /// never be taken by the other.
    /// </summary>
    public Task<string> EncodeAsync(Guid? player, long position)
    {
        var (format, scope) = Listing(player);
        return EncodeAsync(format, scope, position);
    }

    /// <summary>
    /// The position a cursor names, or null when it is not a cursor of this listing. Earlier builds issued the
    /// player format with the nil UUID as scope: before 2026-12-06 for both everybody's listing and the nil-UUID
    /// player's, and took it in both; then for the nil-UUID player's only. It is issued no more, so both
    /// listings take it, as the builds before 2026-12-06 did: a consumer's saved position survives the upgrade.
    /// </summary>
    public async Task<long?> DecodeAsync(Guid? player, string cursor)
    {
        var (format, scope) = Listing(player);
        return await DecodeAsync(cursor) is { } read
            && read.Scope == scope
            && (read.Format == format || (scope == Guid.Empty && read.Format == PlayerListingFormat))
            ? read.Position
            : null;
    }

    /// <summary>A position in the notification feed: the same for one player's feed and for everybody's.</summary>
    public Task<string> EncodeNotificationAsync(long position) => EncodeAsync(NotificationFormat, Guid.Empty, position);

    /// <summary>The feed position a notification cursor names, or null when it is not one.</summary>
    public async Task<long?> DecodeNotificationAsync(string cursor) =>
        await DecodeAsync(cursor) is { Format: NotificationFormat } read && read.Scope == Guid.Empty ? read.Position : null;

    /// <summary>The format and scope of <paramref name="player"/>'s listing, or of everybody's when null.</summary>
    private static (byte Format, Guid Scope) Listing(Guid? player) => player switch
    {
        null => (EverybodyListingFormat, Guid.Empty),
        { } uuid when uuid == Guid.Empty => (NilPlayerListingFormat, Guid.Empty),
        { } uuid => (PlayerListingFormat, uuid),
    };

    private async Task<string> EncodeAsync(byte format, Guid scope, long position)
    {
        var buffer = new byte[PayloadLength + MacLength];
        buffer[0] = format;
        scope.TryWriteBytes(buffer.AsSpan(1, 16));
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(17, 8), position);
        var mac = HMACSHA256.HashData(await KeyAsync(), buffer.AsSpan(0, PayloadLength));
        mac.AsSpan(0, MacLength).CopyTo(buffer.AsSpan(PayloadLength));
        return Text(buffer);
    }

    /// <summary>The one spelling a cursor is issued in: unpadded base64url, the last character's unused bits clear.</summary>
    private static string Text(byte[] buffer) => Convert.ToBase64String(buffer).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// What a cursor holds, or null when it is not one this database signed, spelled as it was issued (or names a
    /// negative position).
    /// </summary>
    private async Task<(byte Format, Guid Scope, long Position)?> DecodeAsync(string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var buffer = new byte[PayloadLength + MacLength];
        var text = cursor.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        if (cursor.Length != EncodedLength || !Convert.TryFromBase64String(text, buffer, out var written) || written != buffer.Length)
        {
            return null;
        }

        if (!string.Equals(Text(buffer), cursor, StringComparison.Ordinal))
        {
            // The same bytes spelled otherwise than issued ('+' or '/' for '-' or '_', the last character's unused
            // bits set): refused as a forged cursor is, so that one position has one cursor.
            return null;
        }

        var mac = HMACSHA256.HashData(await KeyAsync(), buffer.AsSpan(0, PayloadLength));
        if (!CryptographicOperations.FixedTimeEquals(mac.AsSpan(0, MacLength), buffer.AsSpan(PayloadLength)))
        {
            return null;
        }

        var position = BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(17, 8));
        return position < 0 ? null : (buffer[0], new Guid(buffer.AsSpan(1, 16)), position);
    }

    /// <summary>The signing key, read once; a failed read is tried again on the next call.</summary>
    private async Task<byte[]> KeyAsync() => _key ??= await store.ReadCursorKeyAsync();
}
