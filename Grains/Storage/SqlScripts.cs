namespace Entitlements.Storage;

/// <summary>The schema scripts, embedded in this assembly from <c>Storage/Sql</c>.</summary>
internal static class SqlScripts
{
    public static string Read(string name)
    {
        var assembly = typeof(SqlScripts).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
