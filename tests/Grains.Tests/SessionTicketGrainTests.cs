using Entitlements.Contracts;
using Entitlements.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests;

/// <summary>
/// The session ticket grain issues only tickets it reads back: claims that would make one it refuses on
/// reading (no XUID, one too long for a ticket, an expiry not in the future) or that it would read back
/// otherwise (a PlayFab id not the player's) are an <see cref="ArgumentException"/>
/// naming the claim. It used to sign them, and the caller's player was then refused with every use.
/// </summary>
[Collection(ClusterDefinition.Name)]
public class SessionTicketGrainTests(ClusterFixture fixture)
{
    /// <summary>The most UTF-8 bytes of XUID a ticket holds within its 1,024 characters.</summary>
    private const int LongestXuidBytes = 710;

    private ISessionTicketGrain Tickets => fixture.Client.GetGrain<ISessionTicketGrain>(0);

    private IGrainFactory InSilo => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();

    [Theory]
    [InlineData(1)]
    [InlineData(LongestXuidBytes)]
    public async Task Issue_XuidUpToWhatATicketHolds_IsReadBack(int bytes)
    {
        var claims = Claims(new string('7', bytes));

        var read = await Tickets.ReadAsync(await Tickets.IssueAsync(claims));

        Assert.Equal(claims, read);
    }

    [Fact]
    public async Task Issue_XuidOfMultiByteCharactersUpToWhatATicketHolds_IsReadBack()
    {
        // 355 characters of two UTF-8 bytes each: what counts is bytes.
        var claims = Claims(new string('\u00e9', LongestXuidBytes / 2));

        var read = await Tickets.ReadAsync(await Tickets.IssueAsync(claims));

        Assert.Equal(claims, read);
    }

    [Theory]
    [InlineData(null, "Xuid is required.")]
    [InlineData("", "Xuid is required.")]
    [InlineData("one byte over", "Xuid is 711 bytes of UTF-8, more than the 710 a session ticket holds.")]
    [InlineData("two-byte characters over", "Xuid is 712 bytes of UTF-8, more than the 710 a session ticket holds.")]
    [InlineData("lone surrogate", "Xuid holds a lone surrogate (U+D800 at index 4), which is not valid UTF-16.")]
    public async Task Issue_XuidATicketCannotCarry_IsRefusedAsABadArgument(string? xuid, string message)
    {
        var value = xuid switch
        {
            "one byte over" => new string('7', LongestXuidBytes + 1),
            "two-byte characters over" => new string('\u00e9', (LongestXuidBytes / 2) + 1),
            "lone surrogate" => "2535\ud800",
            _ => xuid,
        };

        // Orleans writes a string as UTF-8, so a lone surrogate survives only a call made inside the silo.
        var tickets = xuid == "lone surrogate" ? InSilo.GetGrain<ISessionTicketGrain>(0) : Tickets;

        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => tickets.IssueAsync(Claims(value!)));

        Assert.Equal($"{message} (Parameter 'Xuid')", refusal.Message);
    }

    /// <summary>
    /// The ticket carries the player UUID, and is read back with the PlayFab id derived from it
    /// (<see cref="PlayFabIds.From"/>): claims with any other PlayFab id were signed, and the ticket then read
    /// back as claims other than those issued.
    /// </summary>
    [Theory]
    [InlineData("another player's")]
    [InlineData("lower case")]
    [InlineData("empty")]
    [InlineData("null")]
    public async Task Issue_PlayFabIdNotThePlayersOwn_IsRefusedAsABadArgument(string playFabId)
    {
        var claims = Claims("2535405290000001");
        var own = PlayFabIds.From(claims.PlayerUuid);
        var value = playFabId switch
        {
            "another player's" => PlayFabIds.From(Guid.NewGuid()),
            "lower case" => own.ToLowerInvariant(),
            "empty" => string.Empty,
            _ => null,
        };

        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => Tickets.IssueAsync(claims with { PlayFabId = value! }));

        var shown = value is null ? "null" : $"'{value}'";
        Assert.Equal(
            $"PlayFabId is {shown}, not {own}, the PlayFab id of PlayerUuid {claims.PlayerUuid}; a ticket is read back with that one. (Parameter 'PlayFabId')",
            refusal.Message);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("a second ago")]
    [InlineData("the start of this second")]
    public async Task Issue_ExpiryNotInTheFuture_IsRefusedAsABadArgument(string expiry)
    {
        var now = DateTimeOffset.UtcNow;
        var expires = expiry switch
        {
            "default" => default,
            "a second ago" => now.AddSeconds(-1),
            // The ticket holds whole seconds: this one would read back as already expired.
            _ => DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()),
        };

        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => Tickets.IssueAsync(Claims("2535405290000001") with { Expires = expires }));

        Assert.Equal("Expires is not in the future, so the ticket would never be accepted. (Parameter 'Expires')", refusal.Message);
    }

    [Fact]
    public async Task ReadLinked_TicketOfThePlayerTheXuidIsLinkedTo_ReturnsItsClaims()
    {
        var xuid = NewXuid();
        var link = (await XboxUser(xuid).LinkAsync("Gamertag", null)).Link;
        var claims = Claims(xuid) with { PlayerUuid = link.PlayerUuid, PlayFabId = PlayFabIds.From(link.PlayerUuid) };

        var read = await Tickets.ReadLinkedAsync(await Tickets.IssueAsync(claims));

        Assert.Equal(claims, read);
    }

    [Fact]
    public async Task ReadLinked_XuidLinkedToAnotherPlayerSinceTheTicket_IsNull()
    {
        var xuid = NewXuid();
        var first = (await XboxUser(xuid).LinkAsync("Gamertag", null)).Link.PlayerUuid;
        var ticket = await Tickets.IssueAsync(Claims(xuid) with { PlayerUuid = first, PlayFabId = PlayFabIds.From(first) });
        var second = Guid.NewGuid();
        Assert.Equal(second, (await XboxUser(xuid).LinkAsync(null, second)).Link.PlayerUuid);

        Assert.Null(await Tickets.ReadLinkedAsync(ticket));
        Assert.NotNull(await Tickets.ReadAsync(ticket));
    }

    [Fact]
    public async Task ReadLinked_XuidLinkedToNoPlayer_IsNull()
    {
        var ticket = await Tickets.IssueAsync(Claims(NewXuid()));

        Assert.Null(await Tickets.ReadLinkedAsync(ticket));
        Assert.NotNull(await Tickets.ReadAsync(ticket));
    }

    [Fact]
    public async Task ReadLinked_ForgedTicket_IsNull()
    {
        Assert.Null(await Tickets.ReadLinkedAsync("not.a-ticket"));
    }

    private IPlatformUserGrain XboxUser(string xuid) => fixture.Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.XboxLive, xuid));

    private static string NewXuid() => $"2535{Random.Shared.NextInt64(100_000_000_000, 999_999_999_999)}";

    private static SessionTicketClaims Claims(string xuid)
    {
        var player = Guid.NewGuid();
        return new SessionTicketClaims
        {
            PlayerUuid = player,
            PlayFabId = PlayFabIds.From(player),
            Xuid = xuid,
            // Whole seconds, as a ticket holds its expiry.
            Expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()),
        };
    }
}
