using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Entitlements.Contracts;
using Entitlements.Storage;
using Orleans.Concurrency;

namespace Entitlements;

/// <summary>
/// Session tickets: <c>base64url(payload).base64url(HMAC-SHA256)</c>, the payload holding a format byte,
/// the player UUID, the expiry (unix seconds) and the XUID. Opaque to clients.
/// </summary>
[StatelessWorker]
[Reentrant] // its only state is the key, read once (two concurrent first reads read the same key)
public sealed class SessionTicketGrain(ILedgerStore store, TimeProvider time) : Grain, ISessionTicketGrain
{
    private const byte Format = 1;
    private const int MaxTicketLength = 1024;
    private byte[]? _key;

    public async Task<string> IssueAsync(SessionTicketClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var xuid = Encoding.UTF8.GetBytes(claims.Xuid);
        var payload = new byte[1 + 16 + 8 + xuid.Length];
        payload[0] = Format;
        claims.PlayerUuid.TryWriteBytes(payload.AsSpan(1, 16));
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(17, 8), claims.Expires.ToUnixTimeSeconds());
        xuid.CopyTo(payload.AsSpan(25));
        var mac = HMACSHA256.HashData(await KeyAsync(), payload);
        return Encode(payload) + "." + Encode(mac);
    }

    public async Task<SessionTicketClaims?> ReadAsync(string ticket)
    {
        if (string.IsNullOrEmpty(ticket) || ticket.Length > MaxTicketLength || ticket.Split('.') is not [var payloadText, var macText]
            || Decode(payloadText) is not { Length: > 25 } payload || payload[0] != Format || Decode(macText) is not { } mac)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(await KeyAsync(), payload), mac))
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(17, 8)));
        if (expires <= time.GetUtcNow())
        {
            return null;
        }

        var player = new Guid(payload.AsSpan(1, 16));
        return new SessionTicketClaims
        {
            PlayerUuid = player,
            PlayFabId = PlayFabIds.From(player),
            Xuid = Encoding.UTF8.GetString(payload.AsSpan(25)),
            Expires = expires,
        };
    }

    private async Task<byte[]> KeyAsync() => _key ??= await store.ReadSessionTicketKeyAsync();

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? Decode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded = padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '=');
        var buffer = new byte[padded.Length];
        return Convert.TryFromBase64String(padded, buffer, out var written) ? buffer[..written] : null;
    }
}
