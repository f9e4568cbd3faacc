using System.Collections.Frozen;

namespace Entitlements.Storage;

/// <summary>Enums are stored by name, so that the database reads well and reordering members is harmless.</summary>
internal static class StoredEnum
{
    public static string? Name<T>(T? value) where T : struct, Enum => value?.ToString();

    /// <summary>The member a stored name names; the same as <c>Enum.Parse</c>, which any other text goes to.</summary>
    public static T Parse<T>(string text) where T : struct, Enum =>
        Members<T>.ByName.TryGetValue(text, out var value) ? value : Enum.Parse<T>(text, ignoreCase: false);

    /// <summary>As <see cref="Parse{T}(string)"/>; null for a null column.</summary>
    public static T? ParseNullable<T>(string? text) where T : struct, Enum => text is null ? null : Parse<T>(text);

    /// <summary>Every member by its name, built once per enum: cheaper than <c>Enum.Parse</c> on every row read.</summary>
    private static class Members<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<string, T> ByName =
            Enum.GetNames<T>().ToFrozenDictionary(name => name, name => Enum.Parse<T>(name), StringComparer.Ordinal);
    }
}
