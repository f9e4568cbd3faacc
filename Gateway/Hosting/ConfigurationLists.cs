namespace Entitlements.Gateway.Hosting;

/// <summary>
/// The check for a list setting given as one plain value (<c>Xbox__AllowedSandboxes=RETAIL</c>): .NET's
/// binder reads a list only from numbered child keys and ignores the value, so the list would stay empty,
/// which for these settings means "any" (or "none"), the opposite of what was meant. Refused at start.
/// </summary>
public static class ConfigurationLists
{
    /// <summary>Whether <paramref name="key"/> of <paramref name="section"/> holds no value of its own (an empty one is as unset).</summary>
    public static bool HoldsNoPlainValue(IConfigurationSection section, string key)
    {
        ArgumentNullException.ThrowIfNull(section);
        return string.IsNullOrEmpty(section.GetSection(key).Value);
    }

    /// <summary>The start failure for the list <paramref name="key"/> (its full path).</summary>
    public static string Refusal(string key) =>
        $"{key} is a list: give each item its own numbered key ({key}:0, {key}:1, ...; in the environment {key.Replace(":", "__", StringComparison.Ordinal)}__0, ...), not one value.";
}
