using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Storage;

namespace Entitlements.Tests.Storage;

/// <summary>Stored enum names read back exactly as <c>Enum.Parse</c> reads them, for any text.</summary>
public sealed class StoredEnumTests
{
    [Fact]
    public void Parse_EveryMemberName_ReturnsThatMember()
    {
        AssertEveryName<EntitlementActionType>();
        AssertEveryName<EntitlementEventStatus>();
        AssertEveryName<EntitlementType>();
        AssertEveryName<Platform>();
        AssertEveryName<EntitlementClazz>();
        AssertEveryName<RevocationPolicy>();
        AssertEveryName<LedgerChange>();
    }

    [Theory]
    [InlineData("2")]
    [InlineData("99")]
    [InlineData(" Revoked")]
    public void Parse_TextThatIsNoMemberName_ReturnsWhatEnumParseReturns(string text) =>
        Assert.Equal(Enum.Parse<LedgerChange>(text, ignoreCase: false), StoredEnum.Parse<LedgerChange>(text));

    [Theory]
    [InlineData("granted")]
    [InlineData("Unknown")]
    [InlineData("")]
    public void Parse_UnknownName_ThrowsAsEnumParseDoes(string text)
    {
        var expected = Assert.ThrowsAny<ArgumentException>(() => Enum.Parse<LedgerChange>(text, ignoreCase: false));

        var actual = Assert.ThrowsAny<ArgumentException>(() => StoredEnum.Parse<LedgerChange>(text));

        Assert.Equal((expected.GetType(), expected.Message), (actual.GetType(), actual.Message));
    }

    [Fact]
    public void ParseNullable_Null_ReturnsNull() => Assert.Null(StoredEnum.ParseNullable<Platform>(null));

    [Fact]
    public void ParseNullable_Name_ReturnsThatMember() => Assert.Equal(Platform.XboxLive, StoredEnum.ParseNullable<Platform>("XboxLive"));

    private static void AssertEveryName<T>() where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        Assert.Equal(values, values.Select(value => StoredEnum.Parse<T>(StoredEnum.Name<T>(value)!)));
    }
}
