namespace Entitlements.Hosting;

/// <summary>How the Orleans side of a process is hosted: the <c>Orleans:Mode</c> setting.</summary>
public enum OrleansMode
{
    Embedded,
    Cluster,
}
