using System.Collections.Concurrent;
using System.Globalization;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// An endpoint nobody listens on: each failed attempt is one Warning line of the webhook grain, the
/// exception's type and message in it and its stack trace at Debug only; the HTTP client factory logs
/// nothing for the webhook's client (it logged four Information lines per attempt, and two Warnings with
/// the stack trace per failure).
/// </summary>
public sealed class WebhookAttemptLoggingTests
{
    private const string Name = "refused";

    [Fact]
    public async Task ConnectionRefused_TwoAttempts_OneWarningLineEachWithoutStackTraceAndNothingFromHttpClient()
    {
        using var directory = new TempDirectory();
        var records = new ConcurrentQueue<Captured>();
        var url = new Uri($"http://127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}/hooks/refused");
        await using var cluster = await WebhookCluster.StartAsync(
            directory.Path,
            silo => silo.Services.AddLogging(logging => logging
                .AddProvider(new CapturingProvider(records))
                .AddFilter<CapturingProvider>(null, LogLevel.Debug)),
            WebhookCluster.Webhook(0, Name, url, maxAttempts: 2));
        var webhook = cluster.Client.GetGrain<IWebhookGrain>(Name);
        var ledger = new LedgerActions(cluster.Client);
        var user = await ledger.NewPlayerAsync();
        var sku = await ledger.PutSkuAsync();

        await ledger.GrantAsync(user, sku);
        await Poll.UntilAsync(async () => (await webhook.GetStatusAsync())!.DeadLetters == 1, TimeSpan.FromSeconds(30), "no dead letter within 30 s");

        var grain = records.Where(r => r.Category == typeof(WebhookGrain).FullName).ToList();
        Assert.DoesNotContain(records, r => r.Category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal));
        Assert.Equal(
            [(LogLevel.Warning, false, true), (LogLevel.Warning, false, false)],
            grain.Where(r => r.Level >= LogLevel.Warning).Select(r => (r.Level, r.Exception is not null, r.Message.Contains("HttpRequestException", StringComparison.Ordinal))));
        Assert.Equal(
            [typeof(HttpRequestException), typeof(HttpRequestException)],
            grain.Where(r => r.Level == LogLevel.Debug && r.Exception is not null).Select(r => r.Exception!.GetType()));
    }

    private sealed record Captured(string Category, LogLevel Level, string Message, Exception? Exception);

    private sealed class CapturingProvider(ConcurrentQueue<Captured> records) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, records);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<Captured> records) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            records.Enqueue(new Captured(category, logLevel, formatter(state, exception), exception));
    }
}
