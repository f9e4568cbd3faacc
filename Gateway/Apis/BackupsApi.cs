using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Ops;
using Entitlements.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;

namespace Entitlements.Gateway.Apis;

/// <summary>
/// Online backups of the embedded SQLite ledger (<see cref="LedgerBackups"/>), taken while the system runs.
/// A gateway on PostgreSQL, or in cluster mode, has none to take: its database is backed up with
/// PostgreSQL's own tools. Every answer that is not a success is an RFC 9457 problem.
/// </summary>
public static partial class BackupsApi
{
    public static IEndpointRouteBuilder MapBackupsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/ops/v1/backups", TakeBackup)
            .WithTags("Backups")
            .WithName("take_backup")
            .RequirePermission(Permissions.Backups);
        return app;
    }

    /// <param name="backups">Registered on the embedded SQLite store only.</param>
    /// <param name="loggers">For the failure's log line.</param>
    public static async Task<Results<Ok<BackupDocument>, ProblemHttpResult>> TakeBackup([FromServices] LedgerBackups? backups, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        if (backups is null)
        {
            return TypedResults.Problem(
                title: "No embedded database",
                detail: "This gateway's ledger is not the embedded SQLite database: back up PostgreSQL with its own tools (pg_dump, pg_basebackup).",
                statusCode: StatusCodes.Status409Conflict);
        }

        try
        {
            return await backups.TryBackUpAsync() is { } backup
                ? TypedResults.Ok(BackupDocument.From(backup))
                : TypedResults.Problem(
                    title: "A backup is running",
                    detail: "Another backup is being taken; send this one again once it has finished.",
                    statusCode: StatusCodes.Status409Conflict);
        }
        catch (Exception exception) when (exception is SqliteException or IOException or UnauthorizedAccessException)
        {
            LogBackupFailed(loggers.CreateLogger(typeof(BackupsApi)), exception);
            return TypedResults.Problem(
                title: "The backup failed",
                detail: $"No backup was written: {exception.Message}",
                statusCode: StatusCodes.Status500InternalServerError);
        }
    }
}
