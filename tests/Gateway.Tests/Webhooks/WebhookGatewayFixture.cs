using Entitlements.Gateway.Auth;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// A gateway with two webhooks posting to a loopback receiver: <see cref="Orders"/> and
/// <see cref="Audit"/>, one attempt each so that a failure is a dead letter at once. <see cref="Ops"/>
/// is a client whose token holds <c>ops:webhooks</c> only.
/// </summary>
public sealed class WebhookGatewayFixture : GatewayFixture, IAsyncLifetime
{
    public const string Orders = "orders";
    public const string Audit = "audit";
    public const string Secret = "gateway-webhook-secret-0123456789abcdef";

    private WebhookReceiver? _receiver;
    private HttpClient? _ops;

    public WebhookReceiver Receiver => _receiver ?? throw new InvalidOperationException("The receiver is not started.");

    public HttpClient Ops => _ops ?? throw new InvalidOperationException("The gateway has not started.");

    public static string PathOf(string webhook) => $"/hooks/{webhook}";

    public new async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
        _ops = ClientWith(Permissions.WebhooksAdmin);
    }

    /// <summary>A client of the gateway whose token holds exactly <paramref name="permissions"/>.</summary>
    public HttpClient ClientWith(params string[] permissions)
    {
        var client = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var token = App.Services.GetRequiredService<DevelopmentIssuer>().Mint(permissions, player: null, TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    public override async Task DisposeAsync()
    {
        _ops?.Dispose();
        await base.DisposeAsync();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string[] names = [Orders, Audit];
        for (var i = 0; i < names.Length; i++)
        {
            var key = $"Notifications:Webhooks:{i}";
            settings[$"{key}:Name"] = names[i];
            settings[$"{key}:Url"] = Receiver.Url(PathOf(names[i])).ToString();
            settings[$"{key}:Secret"] = Secret;
            settings[$"{key}:MaxAttempts"] = "1";
            settings[$"{key}:InitialBackoff"] = "00:00:00.010";
            settings[$"{key}:Timeout"] = "00:00:05";
        }
    }
}
