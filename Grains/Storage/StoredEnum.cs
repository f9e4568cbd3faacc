namespace Entitlements.Storage;

/// <summary>Enums are stored by name, so that the database reads well and reordering members is harmless.</summary>
internal static class StoredEnum
{
    public static string? Name<T>(T? value) where T : struct, Enum => value?.ToString();

    public static T? Parse<T>(string? text) where T : struct, Enum =>
        text is null ? null : Enum.Parse<T>(text, ignoreCase: false);
}
