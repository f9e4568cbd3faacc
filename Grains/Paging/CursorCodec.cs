using System.Buffers.Binary;
using System.Security.Cryptography;
using Entitlements.Storage;

namespace Entitlements.Paging;

/// <summary>
/// Opaque pagination cursors: a position in one listing (a player's, or everybody's), signed with a
/// key kept in the database, so that a tampered cursor or one from another listing is refused.
/// 55 characters of unpadded base64url.
/// </summary>
public sealed class CursorCodec(ILedgerStore store)
{
    private const byte Format = 1;
    private const int MacLength = 16;
    private const int PayloadLength = 1 + 16 + 8;
    private const int EncodedLength = (((PayloadLength + MacLength) * 4) + 2) / 3;
    private byte[]? _key;

    /// <summary>Encode a position; <paramref name="scope"/> is the player, or <see cref="Guid.Empty"/> for everybody.</summary>
    public async Task<string> EncodeAsync(Guid scope, long position)
    {
        var buffer = new byte[PayloadLength + MacLength];
        buffer[0] = Format;
        scope.TryWriteBytes(buffer.AsSpan(1, 16));
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(17, 8), position);
        var mac = HMACSHA256.HashData(await KeyAsync(), buffer.AsSpan(0, PayloadLength));
        mac.AsSpan(0, MacLength).CopyTo(buffer.AsSpan(PayloadLength));
        return Convert.ToBase64String(buffer).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The position a cursor names, or null when it is not a cursor of this listing.</summary>
    public async Task<long?> DecodeAsync(Guid scope, string cursor)
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

        if (buffer[0] != Format || new Guid(buffer.AsSpan(1, 16)) != scope)
        {
            return null;
        }

        var position = BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(17, 8));
        return position < 0 ? null : position;
    }

    /// <summary>The signing key, read once; a failed read is tried again on the next call.</summary>
    private async Task<byte[]> KeyAsync() => _key ??= await store.ReadCursorKeyAsync();
}
