using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// What a test gateway logs, kept in memory: every entry its log filters let through (the fixtures keep
/// <c>Warning</c> and above), and the <c>Debug</c> entries of the categories given to <see cref="AddTo"/>.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<LoggedEntry> Entries { get; } = new();

    /// <summary>Registers this provider in a fixture's services, letting <paramref name="debugCategories"/> through at <c>Debug</c>, for this provider only.</summary>
    public void AddTo(IServiceCollection services, params string[] debugCategories)
    {
        services.AddSingleton<ILoggerProvider>(this);
        services.Configure<LoggerFilterOptions>(options =>
        {
            foreach (var category in debugCategories)
            {
                options.AddFilter<LogCapture>(category, LogLevel.Debug);
            }
        });
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LoggedEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            entries.Enqueue(new LoggedEntry(logLevel, category, formatter(state, exception), exception, values.ToDictionary(value => value.Key, value => value.Value)));
        }
    }
}
