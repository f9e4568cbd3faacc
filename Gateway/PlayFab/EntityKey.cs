namespace Entitlements.Gateway.PlayFab;

/// <summary>
/// PlayFab's <c>EntityKey</c>, with the <c>TypeString</c> PlayFab's own answers carry beside <c>Type</c>
/// (the SDKs read <c>Id</c> and <c>Type</c> and ignore the rest).
/// </summary>
public sealed record EntityKey(string Id, string Type, string TypeString)
{
    public const string TitlePlayerAccount = "title_player_account";

    public static EntityKey ForTitlePlayer(string id) => new(id, TitlePlayerAccount, TitlePlayerAccount);
}
