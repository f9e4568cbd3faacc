using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Entitlements.Xbox;

/// <summary>
/// Checks the Xbox settings at start: a collections URL, when set, that is absolute and http(s) (any other
/// would let the silo start and then fail every consume, for good), a positive attempt timeout, attempt count and page size, a retry
/// delay that is not negative, a positive consume budget, and a budget plus one attempt's
/// timeout (the longest a consume call can take) of at most half the grain call's own response timeout
/// (<see cref="IPlayerGrain.XboxConsumeResponseTimeout"/>), so that a client's retry waiting for a
/// running consume of the same player (at most that long, see <c>PlayerGrain.ConsumeXboxEntitlementsAsync</c>)
/// is still answered, not timed out into a 503. With Xbox configured, also of at most half the cluster's
/// response timeout (<c>Orleans:Messaging:ResponseTimeout</c>): the player's other calls do not wait for a
/// consume, except while its grain is being deactivated (a silo stopping, a rebalance), when Orleans holds
/// them until the running calls end, and they must be answered too. A test fault
/// (<see cref="XboxOptions.TestFaultAfterConsume"/>) is refused unless the host runs in the
/// <see cref="TestingEnvironment"/> environment: set by mistake anywhere else, it would kill the silo, or
/// fail the call, after every Xbox consume.
/// </summary>
public sealed class XboxOptionsValidator(IHostEnvironment? environment = null, IOptions<SiloMessagingOptions>? messaging = null) : IValidateOptions<XboxOptions>
{
    /// <summary>The only host environment in which a test fault may be switched on.</summary>
    public const string TestingEnvironment = "Testing";

    /// <summary>The grain call's response timeout, from the attribute on <see cref="IPlayerGrain.ConsumeXboxEntitlementsAsync"/>.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.Parse(IPlayerGrain.XboxConsumeResponseTimeout, CultureInfo.InvariantCulture);

    public ValidateOptionsResult Validate(string? name, XboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.CollectionsUrl is { } url && !(url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)))
        {
            failures.Add($"{XboxOptions.SectionName}:CollectionsUrl must be an absolute http:// or https:// URL (got '{url.OriginalString}').");
        }

        if (options.TimeoutMilliseconds < 1)
        {
            failures.Add($"{XboxOptions.SectionName}:TimeoutMilliseconds must be at least 1.");
        }

        if (options.MaxAttempts < 1)
        {
            failures.Add($"{XboxOptions.SectionName}:MaxAttempts must be at least 1.");
        }

        if (options.MaxRetryDelayMilliseconds < 0)
        {
            failures.Add($"{XboxOptions.SectionName}:MaxRetryDelayMilliseconds must not be negative.");
        }

        if (options.PageSize < 1)
        {
            failures.Add($"{XboxOptions.SectionName}:PageSize must be at least 1.");
        }

        var longest = TimeSpan.FromMilliseconds((long)options.ConsumeBudgetMilliseconds + Math.Max(1, options.TimeoutMilliseconds));
        if (options.ConsumeBudgetMilliseconds < 1)
        {
            failures.Add($"{XboxOptions.SectionName}:ConsumeBudgetMilliseconds must be at least 1.");
        }
        else if (longest > ResponseTimeout / 2)
        {
            failures.Add(
                $"{XboxOptions.SectionName}:ConsumeBudgetMilliseconds plus {XboxOptions.SectionName}:TimeoutMilliseconds must be at most " +
                $"{(ResponseTimeout / 2).TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} (half the consume call's response timeout of {IPlayerGrain.XboxConsumeResponseTimeout}).");
        }
        else if (options.CollectionsUrl is not null && messaging?.Value.ResponseTimeout is { } clusterTimeout && longest > clusterTimeout / 2)
        {
            failures.Add(
                $"{XboxOptions.SectionName}:ConsumeBudgetMilliseconds plus {XboxOptions.SectionName}:TimeoutMilliseconds must be at most " +
                $"{Math.Floor((clusterTimeout / 2).TotalMilliseconds).ToString(CultureInfo.InvariantCulture)} (half of Orleans:Messaging:ResponseTimeout, " +
                $"{clusterTimeout.ToString("c", CultureInfo.InvariantCulture)}): a grain being deactivated holds the player's other calls until its running consumes end.");
        }

        if (options.TestFaultAfterConsume != XboxTestFault.None && environment?.EnvironmentName != TestingEnvironment)
        {
            failures.Add(
                $"{XboxOptions.SectionName}:TestFaultAfterConsume is for tests only: it may be set only when the environment is " +
                $"'{TestingEnvironment}' (it is '{environment?.EnvironmentName}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
