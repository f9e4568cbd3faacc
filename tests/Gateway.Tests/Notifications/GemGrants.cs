using System.Diagnostics;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>Grants written to make a push connection fall behind.</summary>
internal static class GemGrants
{
    /// <summary>
    /// Grant gems to the player, ten at a time, until <paramref name="done"/> (at most two minutes); the
    /// event ids in ledger order.
    /// </summary>
    public static async Task<List<string>> UntilAsync(HttpClient client, Player player, Func<bool> done, string waitingFor)
    {
        var grants = new List<string>();
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"{waitingFor} after {grants.Count} grants");
            for (var i = 0; i < 10; i++)
            {
                grants.Add(await OneAsync(client, player));
            }
        }

        return grants;
    }

    /// <summary>Grant the player 100 gems; the event id.</summary>
    public static async Task<string> OneAsync(HttpClient client, Player player) =>
        ExpectedEvent.Id(await client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
}
