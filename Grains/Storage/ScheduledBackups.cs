using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Entitlements.Storage;

/// <summary>
/// Backs up the embedded SQLite database every <see cref="StorageOptions.BackupInterval"/> (nothing when it
/// is zero), the first one an interval after the start. A backup that fails is logged and the next one
/// comes at the next interval; one still running when another is due (an operator's) makes that one wait
/// for the next interval.
/// </summary>
internal sealed partial class ScheduledBackups(LedgerBackups backups, IOptions<StorageOptions> options, TimeProvider time, ILogger<ScheduledBackups> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.BackupInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if (await backups.TryBackUpAsync().ConfigureAwait(false) is null)
                    {
                        LogBusy(logger);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogFailed(logger, exception, interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }
}
