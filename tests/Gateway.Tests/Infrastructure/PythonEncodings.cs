using System.Text;

namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// Text in the encodings Python's <c>json.loads(bytes)</c> tells apart (<c>json.detect_encoding</c>): UTF-16 and
/// UTF-32 in either byte order, with their byte order mark (<c>+bom</c>) or without.
/// </summary>
internal static class PythonEncodings
{
    /// <summary>Every encoding but UTF-8, by the names <see cref="Encode"/> takes.</summary>
    public static TheoryData<string> NotUtf8 => new()
    {
        "utf-16le", "utf-16be", "utf-16le+bom", "utf-16be+bom", "utf-32le", "utf-32be", "utf-32le+bom", "utf-32be+bom",
    };

    public static byte[] Encode(string text, string encoding)
    {
        var name = encoding.Replace("+bom", string.Empty, StringComparison.Ordinal);
        Encoding codec = name switch
        {
            "utf-16le" => new UnicodeEncoding(bigEndian: false, byteOrderMark: false),
            "utf-16be" => new UnicodeEncoding(bigEndian: true, byteOrderMark: false),
            "utf-32le" => new UTF32Encoding(bigEndian: false, byteOrderMark: false),
            "utf-32be" => new UTF32Encoding(bigEndian: true, byteOrderMark: false),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "not an encoding these tests use"),
        };
        byte[] mark = encoding.EndsWith("+bom", StringComparison.Ordinal) ? codec.GetBytes("\uFEFF") : [];
        return [.. mark, .. codec.GetBytes(text)];
    }
}
