using System.Globalization;
using Entitlements.Xbox;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Entitlements.Tests.Xbox;

public sealed class XboxOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new XboxOptionsValidator().Validate(null, new XboxOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Defaults_BudgetPlusOneAttempt_EndWithinThePlayFabSdksTenSecondTimeoutWithASecondToSpare()
    {
        // PlayFab's XPlatCpp SDK (Xbox titles) gives up on a request after 10 s; what a consume it gave up on
        // granted is never reported to the title.
        var options = new XboxOptions();

        Assert.Equal((6_000, 3_000), (options.ConsumeBudgetMilliseconds, options.TimeoutMilliseconds));
        Assert.True(options.ConsumeBudgetMilliseconds + options.TimeoutMilliseconds <= 9_000);
    }

    [Fact]
    public void Validate_BudgetPlusOneAttemptAtHalfTheResponseTimeout_Succeeds()
    {
        var result = new XboxOptionsValidator().Validate(null, new XboxOptions { ConsumeBudgetMilliseconds = 25_000, TimeoutMilliseconds = 5_000 });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(0, 5_000, "Xbox:ConsumeBudgetMilliseconds must be at least 1.")]
    [InlineData(-1, 5_000, "Xbox:ConsumeBudgetMilliseconds must be at least 1.")]
    [InlineData(25_001, 5_000, "Xbox:ConsumeBudgetMilliseconds plus Xbox:TimeoutMilliseconds must be at most 30000 (half the consume call's response timeout of 00:01:00).")]
    [InlineData(10_000, 25_000, "Xbox:ConsumeBudgetMilliseconds plus Xbox:TimeoutMilliseconds must be at most 30000 (half the consume call's response timeout of 00:01:00).")]
    [InlineData(int.MaxValue, 5_000, "Xbox:ConsumeBudgetMilliseconds plus Xbox:TimeoutMilliseconds must be at most 30000 (half the consume call's response timeout of 00:01:00).")]
    public void Validate_BudgetOutOfRange_FailsWithTheSetting(int budget, int timeout, string failure)
    {
        var result = new XboxOptionsValidator().Validate(null, new XboxOptions { ConsumeBudgetMilliseconds = budget, TimeoutMilliseconds = timeout });

        Assert.Equal([failure], result.Failures);
    }

    [Theory]
    [InlineData("http://xbox-simulator:5090/")]
    [InlineData("https://collections.mp.microsoft.com/")]
    [InlineData("http://127.0.0.1:5090")]
    public void Validate_AbsoluteHttpCollectionsUrl_Succeeds(string url)
    {
        var result = new XboxOptionsValidator().Validate(null, new XboxOptions { CollectionsUrl = new Uri(url, UriKind.RelativeOrAbsolute) });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("xbox-simulator/")]
    [InlineData("/v8.0/")]
    [InlineData("xbox-simulator:5090")]
    [InlineData("ftp://xbox-simulator/")]
    [InlineData("file:///srv/xbox/")]
    public void Validate_CollectionsUrlNotAbsoluteHttp_FailsWithTheSetting(string url)
    {
        // The client reads the URL only when a consume runs: a relative one threw there, every consume
        // answering 500 for good, and another scheme is one no HTTP request can be sent to.
        var result = new XboxOptionsValidator().Validate(null, new XboxOptions { CollectionsUrl = new Uri(url, UriKind.RelativeOrAbsolute) });

        Assert.Equal([$"Xbox:CollectionsUrl must be an absolute http:// or https:// URL (got '{url}')."], result.Failures);
    }

    [Theory]
    [InlineData(10_000, 5_000, "00:00:30")]
    [InlineData(3_000, 2_000, "00:00:10")]
    public void Validate_ConfiguredBudgetPlusOneAttemptAtHalfTheClusterResponseTimeout_Succeeds(int budget, int timeout, string responseTimeout)
    {
        var result = Validator(responseTimeout).Validate(null, Configured(budget, timeout));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(10_000, 5_000, "00:00:10", "Xbox:ConsumeBudgetMilliseconds plus Xbox:TimeoutMilliseconds must be at most 5000 (half of Orleans:Messaging:ResponseTimeout, 00:00:10): a grain being deactivated holds the player's other calls until its running consumes end.")]
    [InlineData(3_001, 2_000, "00:00:10", "Xbox:ConsumeBudgetMilliseconds plus Xbox:TimeoutMilliseconds must be at most 5000 (half of Orleans:Messaging:ResponseTimeout, 00:00:10): a grain being deactivated holds the player's other calls until its running consumes end.")]
    [InlineData(2_000, 10_000, "00:00:03", "Xbox:ConsumeBudgetMilliseconds plus Xbox:TimeoutMilliseconds must be at most 1500 (half of Orleans:Messaging:ResponseTimeout, 00:00:03): a grain being deactivated holds the player's other calls until its running consumes end.")]
    public void Validate_ConfiguredBudgetPlusOneAttemptOverHalfTheClusterResponseTimeout_FailsWithTheSetting(int budget, int timeout, string responseTimeout, string failure)
    {
        var result = Validator(responseTimeout).Validate(null, Configured(budget, timeout));

        Assert.Equal([failure], result.Failures);
    }

    [Fact]
    public void Validate_NotConfiguredWithAShortClusterResponseTimeout_Succeeds()
    {
        // Without a collections URL a consume answers at once: it holds no player for long.
        var result = Validator("00:00:02").Validate(null, new XboxOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(XboxTestFault.KillProcess, "Production")]
    [InlineData(XboxTestFault.Throw, "Development")]
    [InlineData(XboxTestFault.Throw, null)]
    public void Validate_TestFaultOutsideTheTestingEnvironment_IsRefused(XboxTestFault fault, string? environment)
    {
        var host = environment is null ? null : new HostingEnvironment { EnvironmentName = environment };

        var result = new XboxOptionsValidator(host).Validate(null, new XboxOptions { TestFaultAfterConsume = fault });

        Assert.Equal([$"Xbox:TestFaultAfterConsume is for tests only: it may be set only when the environment is 'Testing' (it is '{environment}')."], result.Failures);
    }

    [Fact]
    public void Validate_TestFaultInTheTestingEnvironment_Succeeds()
    {
        var result = new XboxOptionsValidator(new HostingEnvironment { EnvironmentName = "Testing" })
            .Validate(null, new XboxOptions { TestFaultAfterConsume = XboxTestFault.KillProcess });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    private static XboxOptionsValidator Validator(string responseTimeout) =>
        new(null, Options.Create(new SiloMessagingOptions { ResponseTimeout = TimeSpan.Parse(responseTimeout, CultureInfo.InvariantCulture) }));

    private static XboxOptions Configured(int budget, int timeout) =>
        new() { CollectionsUrl = new Uri("http://127.0.0.1:9/"), ConsumeBudgetMilliseconds = budget, TimeoutMilliseconds = timeout };
}
