namespace Entitlements.Catalog;

/// <summary>Configuration section <c>Catalog</c>.</summary>
public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>
    /// A JSON file of catalog entries loaded at start. Entries the database does not have yet are
    /// inserted; entries it has are left alone (edits made through the API win). Relative paths are
    /// taken from the application's folder. Empty: load nothing.
    /// </summary>
    public string? SeedFile { get; set; } = "catalog.sample.json";
}
