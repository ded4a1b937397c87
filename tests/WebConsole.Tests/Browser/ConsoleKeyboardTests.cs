using CrdtSync.WebConsole.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace CrdtSync.WebConsole.Tests.Browser;

/// <summary>The console on a phone-sized screen, driven by keyboard only.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class ConsoleKeyboardTests(Chromium chromium) : StandaloneConsole
{
    [Fact]
    public async Task A_record_can_be_created_and_a_form_closed_with_the_keyboard_alone_on_a_phone_screen()
    {
        await using var phone = await ConsolePage.OpenAsync(chromium, Device.Address, Chromium.Phone, "keyboard-phone");
        var page = phone.Page;

        // The first Tab reaches the skip link; the toolbar buttons are reachable in order.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator(".skip")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#offline-toggle")).ToBeFocusedAsync();

        await page.Locator(".new-record").First.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.Locator("#record-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(page.Locator("#field--id")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("inc-9");
        await page.Locator("#field-title").FocusAsync();
        await page.Keyboard.TypeAsync("Typed by keyboard");
        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(phone.Record("incidents", "inc-9")).ToHaveAttributeAsync("data-status", "pending");

        // Escape closes a form without saving, and focus returns to the button that opened it.
        var edit = phone.Record("incidents", "inc-9").Locator("button.edit");
        await edit.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(phone.Record("incidents", "inc-9").Locator("button.edit")).ToBeFocusedAsync();

        // Nothing is wider than the phone's screen.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"));
        await phone.ScreenshotAsync("created");
    }
}
