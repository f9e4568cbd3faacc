namespace Entitlements.Tests.Outage;

/// <summary>
/// The outage tests one after the other, never beside each other: each stops a PostgreSQL server and
/// times the answers meanwhile, which two gateway processes and two servers side by side on a small
/// machine would only blur.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OutageDefinition
{
    public const string Name = "PostgreSQL outage";
}
