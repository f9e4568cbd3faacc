using System.Net;
using Entitlements.Tests.Auth;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Operations;

/// <summary>The Orleans dashboard at <c>/dashboard</c>: only for <c>ops:dashboard</c>, by header or by the login cookie.</summary>
[Collection(OperationsGatewayGroup.Name)]
public sealed class DashboardAccessTests(OperationsGateway gateway)
{
    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.min.js")]
    [InlineData("/dashboard/DashboardCounters")]
    [InlineData("/dashboard/GrainState")]
    public async Task Dashboard_NoToken_Returns403NotJwt(string path)
    {
        using var client = gateway.Client();

        var response = await client.SendAsync(HttpMethod.Get, path);

        AuthHttp.Rejected("auth_not_jwt", AuthHttp.NotJwt, response);
    }

    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/DashboardCounters")]
    public async Task Dashboard_TokenWithoutOpsDashboard_Returns403InsufficientPermissions(string path)
    {
        using var client = gateway.Client(gateway.Token("inv:*", "user:*", "ops:webhooks", "ops:metrics"));

        var response = await client.SendAsync(HttpMethod.Get, path);

        AuthHttp.Forbidden(response);
    }

    [Theory]
    [InlineData("ops:dashboard")]
    [InlineData("ops:*")]
    public async Task Dashboard_TokenWithOpsDashboard_ServesThePageAndTheClusterCounters(string permission)
    {
        using var client = gateway.Client(gateway.Token(permission));

        var page = await client.SendAsync(HttpMethod.Get, "/dashboard/");
        var counters = await RefreshedCountersAsync(client);

        Assert.True(page.Status == HttpStatusCode.OK, $"expected 200, got {page}");
        Assert.Equal("text/html", page.ContentHeaders.ContentType?.MediaType);
        Assert.Contains("<title>Orleans Dashboard</title>", page.Body, StringComparison.Ordinal);
        Assert.True(counters.Status == HttpStatusCode.OK, $"expected 200, got {counters}");
        var host = Assert.Single(counters.BodyObject["hosts"]!.AsArray());
        Assert.Equal("Active", host!["status"]!.GetValue<string>());
    }

    /// <summary>
    /// The cluster counters once the dashboard has gathered them. Its grain starts with the silo and answers
    /// with no hosts at all until its first refresh, one update interval (1 s, <c>Dashboard:CounterUpdateIntervalMs</c>)
    /// after it started; the page polls, and so does this. Any answer other than a 200 with no hosts is returned as it is.
    /// </summary>
    private static async Task<ApiResponse> RefreshedCountersAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var counters = await client.SendAsync(HttpMethod.Get, "/dashboard/DashboardCounters");
            if (counters.Status != HttpStatusCode.OK || counters.BodyObject["hosts"]!.AsArray().Count > 0 || DateTime.UtcNow > deadline)
            {
                return counters;
            }

            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Dashboard_LiveTrace_IsOffByDefault()
    {
        using var client = gateway.Client(gateway.Token("ops:dashboard"));

        var trace = await client.SendAsync(HttpMethod.Get, "/dashboard/Trace");

        Assert.True(trace.Status == HttpStatusCode.Forbidden, $"expected 403, got {trace}");
        Assert.Contains("Trace Endpoint Disabled", trace.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_TokenWithOpsDashboard_SetsAScopedHttpOnlyCookieThatOpensTheDashboard()
    {
        using var client = gateway.Client();

        var login = await PostLoginAsync(client, gateway.Token("ops:dashboard"));

        Assert.True(login.StatusCode == HttpStatusCode.SeeOther, $"expected 303, got {(int)login.StatusCode}");
        Assert.Equal("/dashboard/", login.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        var attributes = setCookie.Split(';', StringSplitOptions.TrimEntries);
        Assert.StartsWith("Authorization=Bearer%20", attributes[0], StringComparison.Ordinal);
        Assert.Equal(["httponly", "path=/dashboard", "samesite=strict"], attributes[1..].Order(StringComparer.Ordinal));

        var page = await client.SendAsync(HttpMethod.Get, "/dashboard/", configure: r => r.Headers.Add("Cookie", attributes[0]));
        Assert.True(page.Status == HttpStatusCode.OK, $"expected 200 with the cookie, got {page}");
        Assert.Contains("<title>Orleans Dashboard</title>", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_TokenWithoutOpsDashboard_Returns403AndSetsNoCookie()
    {
        using var client = gateway.Client();

        using var login = await PostLoginAsync(client, gateway.Token("inv:*", "user:*"));

        Assert.False(login.Headers.Contains("Set-Cookie"));
        AuthHttp.Forbidden(await ReadAsync(login));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    public async Task Login_NoOrBrokenToken_Returns403NotJwtAndSetsNoCookie(string token)
    {
        using var client = gateway.Client();

        using var login = await PostLoginAsync(client, token);

        Assert.False(login.Headers.Contains("Set-Cookie"));
        AuthHttp.Rejected("auth_not_jwt", AuthHttp.NotJwt, await ReadAsync(login));
    }

    [Fact]
    public async Task Login_NotAForm_Returns403NotJwt()
    {
        using var client = gateway.Client();

        var login = await client.SendAsync(HttpMethod.Post, "/dashboard/login", $"{{\"token\": \"{gateway.Token("ops:dashboard")}\"}}");

        AuthHttp.Rejected("auth_not_jwt", AuthHttp.NotJwt, login);
    }

    /// <summary>
    /// Anyone may post a login form, so the gateway reads no more of it than a form with the longest token it
    /// takes: a larger one, announced or streamed without a length, gets the answer such a token gets.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Login_FormLargerThanAnyTokenItTakes_Returns403MalformedUnread(bool withLength)
    {
        using var client = gateway.Client();
        var form = "token=" + new string('a', 1024 * 1024);
        using var content = withLength
            ? new StringContent(form)
            : (HttpContent)new StreamContent(new NoLengthStream(System.Text.Encoding.ASCII.GetBytes(form)));
        content.Headers.ContentType = new("application/x-www-form-urlencoded");

        using var login = await client.PostAsync(new Uri("/dashboard/login", UriKind.Relative), content);

        Assert.False(login.Headers.Contains("Set-Cookie"));
        AuthHttp.Rejected("auth_malformed_access", AuthHttp.Malformed, await ReadAsync(login));
    }

    [Fact]
    public async Task LoginPage_IsAFormPostingTheToken()
    {
        using var client = gateway.Client();

        var page = await client.SendAsync(HttpMethod.Get, "/dashboard/login");

        Assert.True(page.Status == HttpStatusCode.OK, $"expected 200, got {page}");
        Assert.Contains("<form method=\"post\" action=\"login\">", page.Body, StringComparison.Ordinal);
        Assert.Contains("<input type=\"password\" name=\"token\"", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_ExpiresTheCookie()
    {
        using var client = gateway.Client();

        using var logout = await client.PostAsync(new Uri("/dashboard/logout", UriKind.Relative), content: null);

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        var setCookie = Assert.Single(logout.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("Authorization=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/dashboard", setCookie, StringComparison.Ordinal);
    }

    private const string CrossSite = "Sign-in and sign-out are not accepted from another site's page: open the dashboard's own sign-in page";

    /// <summary>
    /// Another site's page can make a browser post the login form with the attacker's token (login CSRF), and
    /// the browser says so: in <c>Sec-Fetch-Site</c>, or, when it sends none, in <c>Origin</c>.
    /// </summary>
    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Sec-Fetch-Site", "same-origin, cross-site")]
    [InlineData("Origin", "https://attacker.example")]
    [InlineData("Origin", "null")]
    [InlineData("Origin", "{own-host-other-port}")]
    public async Task Login_FromAnotherSitesPage_Returns403CrossSiteAndSetsNoCookie(string header, string value)
    {
        using var client = gateway.Client();

        using var login = await PostLoginAsync(client, gateway.Token("ops:dashboard"), (header, OwnOrigin(client, value)));

        Assert.False(login.Headers.Contains("Set-Cookie"));
        AuthHttp.Rejected("auth_cross_site_request", CrossSite, await ReadAsync(login));
    }

    /// <summary>
    /// The dashboard's own page, the user's own navigation, or no browser at all. <c>Sec-Fetch-Site</c> decides
    /// when it is there: behind a proxy that changes the scheme or host, <c>Origin</c> is not the gateway's.
    /// </summary>
    [Theory]
    [InlineData("same-origin", null)]
    [InlineData("none", null)]
    [InlineData("same-origin", "https://dashboard.example")]
    [InlineData(null, "{own}")]
    [InlineData(null, "{OWN}")]
    [InlineData(null, null)]
    public async Task Login_FromTheDashboardsOwnPageOrNoBrowser_SetsTheCookie(string? secFetchSite, string? origin)
    {
        using var client = gateway.Client();
        (string, string?)[] headers = [("Sec-Fetch-Site", secFetchSite), ("Origin", origin is null ? null : OwnOrigin(client, origin))];

        using var login = await PostLoginAsync(client, gateway.Token("ops:dashboard"), headers);

        Assert.True(login.StatusCode == HttpStatusCode.SeeOther, $"expected 303, got {(int)login.StatusCode}");
        Assert.StartsWith("Authorization=Bearer%20", Assert.Single(login.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Origin", "https://attacker.example")]
    public async Task Logout_FromAnotherSitesPage_Returns403CrossSiteAndClearsNothing(string header, string value)
    {
        using var client = gateway.Client();

        var logout = await client.SendAsync(HttpMethod.Post, "/dashboard/logout", configure: r => r.Headers.Add(header, value));

        Assert.False(logout.Headers.Contains("Set-Cookie"));
        AuthHttp.Rejected("auth_cross_site_request", CrossSite, logout);
    }

    [Fact]
    public async Task Logout_FromTheDashboardsOwnPage_ExpiresTheCookie()
    {
        using var client = gateway.Client();

        var logout = await client.SendAsync(HttpMethod.Post, "/dashboard/logout", configure: r => r.Headers.Add("Sec-Fetch-Site", "same-origin"));

        Assert.Equal(HttpStatusCode.Redirect, logout.Status);
        Assert.StartsWith("Authorization=; expires=", Assert.Single(logout.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
    }

    /// <summary><paramref name="value"/> with <c>{own}</c> the client's gateway origin (<c>{OWN}</c> in upper case, <c>{own-host-other-port}</c> another port of its host).</summary>
    private static string OwnOrigin(HttpClient client, string value)
    {
        var own = client.BaseAddress!;
        var authority = own.GetLeftPart(UriPartial.Authority);
        return value
            .Replace("{own-host-other-port}", $"{own.Scheme}://{own.Host}:{(own.Port == 1 ? 2 : 1)}", StringComparison.Ordinal)
            .Replace("{own}", authority, StringComparison.Ordinal)
            .Replace("{OWN}", authority.ToUpperInvariant(), StringComparison.Ordinal);
    }

    /// <summary>A body whose length is not known up front, so that the client sends it chunked.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    /// <summary>Post the login form, with each of <paramref name="headers"/> that has a value.</summary>
    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string token, params (string Name, string? Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/dashboard/login") { Content = new FormUrlEncodedContent([new("token", token)]) };
        foreach (var (name, value) in headers.Where(header => header.Value is not null))
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        }

        return await client.SendAsync(request);
    }

    private static async Task<ApiResponse> ReadAsync(HttpResponseMessage response) =>
        new(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers, response.Content.Headers);
}
