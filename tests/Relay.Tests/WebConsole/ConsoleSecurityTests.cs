using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrdtSync.Relay.Tests.Support;
using CrdtSync.Relay.WebConsole;
using Xunit;

namespace CrdtSync.Relay.Tests.WebConsole;

/// <summary>Sign-in, sessions and the console's request checks, over real HTTP on loopback.</summary>
public sealed class ConsoleSecurityTests(SqliteConsoleRelay relay, SqliteRelay plainRelay) : IClassFixture<SqliteConsoleRelay>, IClassFixture<SqliteRelay>
{
    private static readonly string[] Screens = ["/api/session", "/api/devices", "/api/outcomes", "/api/records/incidents/x", "/api/grants"];

    [Fact]
    public void The_console_is_off_unless_enabled()
    {
        Assert.Null(plainRelay.Host.ConsoleAddress);
        Assert.NotNull(relay.Host.ConsoleAddress);
        Assert.DoesNotContain(relay.Host.Addresses, a => a.Port == relay.ConsoleAddress.Port);
    }

    [Fact]
    public async Task Signing_in_with_the_admin_credential_sets_an_HttpOnly_SameSite_Strict_session_cookie()
    {
        using var http = relay.NewClient();

        var response = await http.PostAsJsonAsync("/api/session", new { credential = ConsoleRelay.Credential });
        var session = (await response.Content.ReadFromJsonAsync<SessionView>(JsonSerializerOptions.Web))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(ConsoleSessions.CookieName + "=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ConsoleRelay.Credential, cookie, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(session.AntiForgeryToken));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/devices")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_credential_is_refused_with_401_and_opens_no_session()
    {
        using var http = relay.NewClient();

        var response = await http.PostAsJsonAsync("/api/session", new { credential = "csa_guess" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal("That is not the admin credential.", (await response.Content.ReadFromJsonAsync<ProblemView>(JsonSerializerOptions.Web))!.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/devices")).StatusCode);
    }

    [Fact]
    public async Task A_sign_in_that_is_not_JSON_is_a_clear_error()
    {
        using var http = relay.NewClient();

        var form = await http.PostAsync("/api/session", new StringContent("credential=x", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var broken = await http.PostAsync("/api/session", new StringContent("{\"credential\":", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains("not valid JSON", (await broken.Content.ReadFromJsonAsync<ProblemView>(JsonSerializerOptions.Web))!.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_screen_needs_a_session()
    {
        using var http = relay.NewClient();

        foreach (var path in Screens)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task Signing_out_ends_the_session_for_good()
    {
        using var console = await relay.SignedInAsync();
        var end = new HttpRequestMessage(HttpMethod.Delete, "/api/session");
        end.Headers.Add(ConsoleSessions.AntiForgeryHeader, console.AntiForgeryToken);

        var ended = await console.Http.SendAsync(end);

        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await console.Http.GetAsync("/api/devices")).StatusCode);
    }

    [Fact]
    public async Task A_change_without_the_anti_forgery_token_is_refused_with_403_and_changes_nothing()
    {
        var user = "csrf-" + Guid.NewGuid().ToString("N")[..8];
        await relay.Host.CreateDeviceAsync(user, ["viewer"]);
        using var console = await relay.SignedInAsync();

        var missing = await console.Http.PostAsJsonAsync("/api/grants", new { user, role = "viewer", granted = false });
        var wrong = await console.SetGrantAsync(user, "viewer", granted: false, token: "not-the-token");

        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(["viewer"], (await console.GetAsync<GrantsView>("/api/grants")).Users.Single(u => u.User == user).Roles);
    }

    [Fact]
    public async Task A_change_from_another_origin_is_refused_with_403_and_changes_nothing()
    {
        var user = "origin-" + Guid.NewGuid().ToString("N")[..8];
        await relay.Host.CreateDeviceAsync(user, ["viewer"]);
        using var console = await relay.SignedInAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/grants") { Content = JsonContent.Create(new { user, role = "viewer", granted = false }) };
        request.Headers.Add(ConsoleSessions.AntiForgeryHeader, console.AntiForgeryToken);
        request.Headers.Add("Origin", "http://evil.example");
        var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { credential = ConsoleRelay.Credential }) };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");

        var refused = await console.Http.SendAsync(request);
        var refusedSignIn = await relay.NewClient().SendAsync(crossSite);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refusedSignIn.StatusCode);
        Assert.Equal(["viewer"], (await console.GetAsync<GrantsView>("/api/grants")).Users.Single(u => u.User == user).Roles);
    }

    [Fact]
    public async Task A_request_naming_another_host_is_refused_so_a_rebound_name_reaches_nothing()
    {
        using var console = await relay.SignedInAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/devices");
        request.Headers.Host = $"evil.example:{relay.ConsoleAddress.Port}";
        var local = new HttpRequestMessage(HttpMethod.Get, "/");
        local.Headers.Host = $"localhost:{relay.ConsoleAddress.Port}";

        var refused = await console.Http.SendAsync(request);
        var allowed = await console.Http.SendAsync(local);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("does not answer to the host 'evil.example", (await refused.Content.ReadFromJsonAsync<ProblemView>(JsonSerializerOptions.Web))!.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task The_page_and_its_assets_come_from_the_relay_with_a_strict_content_security_policy_and_no_external_resources()
    {
        using var http = relay.NewClient();

        foreach (var (path, type) in new[] { ("/", "text/html"), ("/console.css", "text/css"), ("/console.js", "text/javascript") })
        {
            var response = await http.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.DoesNotContain("http://", text, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_console_and_the_sync_endpoint_do_not_serve_each_other()
    {
        using var http = relay.NewClient();
        using var h2c = new HttpClient { BaseAddress = relay.Host.Address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        var grpcOnConsole = await http.PostAsync("/crdtsync.v1.Sync/Handshake", new ByteArrayContent([]));
        var pageOnSync = await h2c.GetAsync("/");
        var apiOnSync = await h2c.PostAsJsonAsync("/api/session", new { credential = ConsoleRelay.Credential });

        Assert.Equal(HttpStatusCode.NotFound, grpcOnConsole.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, pageOnSync.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, apiOnSync.StatusCode);
        Assert.False(apiOnSync.Headers.Contains("Set-Cookie"));
    }
}

/// <summary>Wrong credentials are rate-limited per client address (this relay locks out after 3).</summary>
public sealed class ConsoleSignInLimitTests(StrictSignInConsoleRelay relay) : IClassFixture<StrictSignInConsoleRelay>
{
    [Fact]
    public async Task After_too_many_wrong_credentials_even_the_right_one_is_answered_429_until_the_window_ends()
    {
        using var http = relay.NewClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/api/session", new { credential = "csa_guess" + i })).StatusCode);
        }

        var limited = await http.PostAsJsonAsync("/api/session", new { credential = ConsoleRelay.Credential });
        relay.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var after = await http.PostAsJsonAsync("/api/session", new { credential = ConsoleRelay.Credential });

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.False(limited.Headers.Contains("Set-Cookie"));
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
