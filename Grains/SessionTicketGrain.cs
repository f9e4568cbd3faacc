using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
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

    /// <summary>The most UTF-8 bytes of XUID a ticket holds within <see cref="MaxTicketLength"/>.</summary>
    private const int MaxXuidBytes = SessionTicketClaims.MaxXuidBytes;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async Task<string> IssueAsync(SessionTicketClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);

        // The ticket holds the player UUID and is read back with the PlayFab id derived from it: claims with any
        // other would read back as claims other than those issued.
        var playFabId = PlayFabIds.From(claims.PlayerUuid);
        if (!string.Equals(claims.PlayFabId, playFabId, StringComparison.Ordinal))
        {
            var given = claims.PlayFabId is null ? "null" : $"'{claims.PlayFabId}'";
            throw BadClaim(
                nameof(SessionTicketClaims.PlayFabId),
                $"is {given}, not {playFabId}, the PlayFab id of PlayerUuid {claims.PlayerUuid}; a ticket is read back with that one.");
        }

        var xuid = XuidBytes(claims.Xuid);
        var expires = claims.Expires.ToUnixTimeSeconds();
        if (DateTimeOffset.FromUnixTimeSeconds(expires) <= time.GetUtcNow())
        {
            // As read back (whole seconds), the ticket would already have expired.
            throw BadClaim(nameof(SessionTicketClaims.Expires), "is not in the future, so the ticket would never be accepted.");
        }

        var payload = new byte[1 + 16 + 8 + xuid.Length];
        payload[0] = Format;
        claims.PlayerUuid.TryWriteBytes(payload.AsSpan(1, 16));
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(17, 8), expires);
        xuid.CopyTo(payload.AsSpan(25));
        var mac = HMACSHA256.HashData(await KeyAsync(), payload);
        return Encode(payload) + "." + Encode(mac);
    }

    /// <summary>
    /// The XUID as a ticket carries it, or an <see cref="ArgumentException"/> for one no ticket read back would
    /// carry: none (a payload without it is too short to read), more than <see cref="MaxXuidBytes"/> (the ticket
    /// would be over <see cref="MaxTicketLength"/>), or text that is not valid UTF-16 (it would read back as
    /// another XUID, a lone surrogate becoming U+FFFD).
    /// </summary>
    private static byte[] XuidBytes(string? xuid)
    {
        const string Name = nameof(SessionTicketClaims.Xuid);
        if (string.IsNullOrEmpty(xuid))
        {
            throw BadClaim(Name, "is required.");
        }

        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(xuid);
        }
        catch (EncoderFallbackException exception)
        {
            throw BadClaim(Name, $"holds a lone surrogate (U+{(int)exception.CharUnknown:X4} at index {exception.Index}), which is not valid UTF-16.", exception);
        }

        if (bytes.Length > MaxXuidBytes)
        {
            throw BadClaim(Name, $"is {bytes.Length} bytes of UTF-8, more than the {MaxXuidBytes} a session ticket holds.");
        }

        return bytes;
    }

    private static ArgumentException BadClaim(string claim, string problem, Exception? inner = null) => new($"{claim} {problem}", claim, inner);

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

    public async Task<SessionTicketClaims?> ReadLinkedAsync(string ticket) =>
        await ReadAsync(ticket) is { } claims
            && await GrainFactory.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.XboxLive, claims.Xuid)).GetAsync() is { } link
            && link.PlayerUuid == claims.PlayerUuid
            ? claims
            : null;

    private async Task<byte[]> KeyAsync() => _key ??= await store.ReadSessionTicketKeyAsync();

    private static string Encode(byte[] bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>
    /// The bytes of <paramref name="text"/> only when it is the one spelling <see cref="Encode"/> gives them: the
    /// runtime's decoders also take padding, white space and (<see cref="Convert"/>'s) <c>+</c> and <c>/</c>, and
    /// ignore the unused low bits of the last character, so that one ticket could be written many ways.
    /// </summary>
    private static byte[]? Decode(string text)
    {
        var buffer = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        return Base64Url.DecodeFromChars(text, buffer, out _, out var written) == OperationStatus.Done
            && string.Equals(Base64Url.EncodeToString(buffer.AsSpan(0, written)), text, StringComparison.Ordinal)
            ? buffer[..written]
            : null;
    }
}
