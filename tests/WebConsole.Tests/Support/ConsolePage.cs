using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CrdtSync.WebConsole.Tests.Support;

/// <summary>A console page in Chromium, with locators for what the tests look at. Every wait is on page state.</summary>
public sealed class ConsolePage(IPage page, string name) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    /// <summary>Opens the console at <paramref name="address"/> and waits until its event stream is live and it has rendered.</summary>
    public static async Task<ConsolePage> OpenAsync(Chromium chromium, Uri address, ViewportSize viewport, string name)
    {
        var page = await chromium.NewPageAsync(viewport);
        await page.GotoAsync(address.ToString());
        var console = new ConsolePage(page, name);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-live", "true");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-refreshes", new System.Text.RegularExpressions.Regex("[1-9]"));
        return console;
    }

    public ILocator Record(string collection, string id) => Page.Locator($".record[data-collection='{collection}'][data-id='{id}']");

    public ILocator Field(string collection, string id, string field) => Record(collection, id).Locator($"dd[data-field='{field}']");

    public ILocator Entry(string collection, string id) => Page.Locator($".entry[data-record='{collection}/{id}']");

    public ILocator Banner => Page.Locator("#offline-banner");

    public async Task ToggleOfflineAsync() => await Page.Locator("#offline-toggle").ClickAsync();

    /// <summary>Opens the edit form of a record, sets text fields, and saves.</summary>
    public async Task EditAsync(string collection, string id, params (string Field, string Value)[] fields)
    {
        await Record(collection, id).GetByRole(AriaRole.Button, new() { Name = $"Edit {id}", Exact = true }).ClickAsync();
        var dialog = Page.Locator("#record-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        foreach (var (field, value) in fields)
        {
            var control = dialog.Locator($"[name='{field}']");
            if (await control.EvaluateAsync<string>("e => e.tagName") == "SELECT")
            {
                await control.SelectOptionAsync(value);
            }
            else
            {
                await control.FillAsync(value);
            }
        }

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
    }

    public async Task ActAsync(string collection, string id, string action) =>
        await Record(collection, id).Locator($"button[data-action='{action}']").ClickAsync();

    /// <summary>Saves <c>replica-{what}-{name}.png</c>.</summary>
    public Task<string> ScreenshotAsync(string what) => Screenshots.SaveAsync(Page, $"replica-{what}-{name}");

    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync();
}
