using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;

namespace Entitlements.Hosting;

/// <summary>
/// The Orleans dashboard, configured from the <c>Dashboard</c> section. Every silo adds its part; a web
/// host that is only an Orleans client (the gateway in cluster mode) adds the client part to serve the pages.
/// Either part checks the section at start, the dashboard on or off: a value out of range stops the start.
/// </summary>
public static class DashboardExtensions
{
    public static DashboardSettings DashboardSettingsOf(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(DashboardSettings.SectionName).Get<DashboardSettings>() ?? new DashboardSettings();
    }

    /// <summary>The dashboard's silo part, unless <c>Dashboard:Enabled</c> is false.</summary>
    public static ISiloBuilder AddEntitlementsDashboard(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = DashboardSettingsOf(configuration);
        AddSettingsValidation(builder.Services, configuration);
        return settings.Enabled ? builder.AddDashboard(o => Apply(o, settings)) : builder;
    }

    /// <summary>The dashboard's client part, for a web host that is an Orleans client; the silos need their part too.</summary>
    public static IClientBuilder AddEntitlementsDashboard(this IClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = DashboardSettingsOf(configuration);
        AddSettingsValidation(builder.Services, configuration);
        return settings.Enabled ? builder.AddDashboard(o => Apply(o, settings)) : builder;
    }

    private static void AddSettingsValidation(IServiceCollection services, IConfiguration configuration) =>
        services.AddOptions<DashboardSettings>().Bind(configuration.GetSection(DashboardSettings.SectionName))
            .Validate(
                o => o.CounterUpdateIntervalMs >= DashboardSettings.MinCounterUpdateIntervalMs,
                $"{DashboardSettings.SectionName}:CounterUpdateIntervalMs must be at least {DashboardSettings.MinCounterUpdateIntervalMs}.")
            .ValidateOnStart();

    private static void Apply(DashboardOptions options, DashboardSettings settings)
    {
        options.HideTrace = !settings.LiveTrace;
        options.CounterUpdateIntervalMs = settings.CounterUpdateIntervalMs;
    }
}
