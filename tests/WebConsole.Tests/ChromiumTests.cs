using CrdtSync.WebConsole.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;

namespace CrdtSync.WebConsole.Tests;

[Collection(ChromiumCollection.Name)]
public sealed class ChromiumTests(Chromium chromium)
{
    private const string Page = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Loopback</title></head>
        <body><h1 id="greeting">Not clicked</h1>
        <button id="go" onclick="document.getElementById('greeting').textContent='Clicked'">Go</button></body></html>
        """;

    [Fact]
    public async Task Chromium_renders_a_loopback_page_and_runs_its_script()
    {
        await using var site = await LoopbackSite.StartAsync(app => app.MapGet("/", () => Results.Content(Page, "text/html")));
        var page = await chromium.NewPageAsync(Chromium.Phone);
        try
        {
            await page.GotoAsync(site.Address.ToString());
            await page.ClickAsync("#go");
            await Assertions.Expect(page.Locator("#greeting")).ToHaveTextAsync("Clicked");
            var path = await Screenshots.SaveAsync(page, "chromium-loopback");
            Assert.True(new FileInfo(path).Length > 0);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
