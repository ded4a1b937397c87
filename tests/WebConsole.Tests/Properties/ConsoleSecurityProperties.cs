using System.Text.Json.Nodes;
using CrdtSync.Crdt.Tests.Support;
using CrdtSync.WebConsole.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.WebConsole.Tests.Properties;

/// <summary>The anti-forgery law over real HTTP: no state-changing call without the exact token (or from another origin) changes anything.</summary>
public sealed class ConsoleSecurityProperties : StandaloneConsole
{
    private static readonly (HttpMethod Method, string Path, JsonNode? Body)[] Changes =
    [
        (HttpMethod.Post, "/api/collections/incidents/records", new JsonObject { ["id"] = "inc-1", ["fields"] = new JsonObject { ["title"] = "Pump" } }),
        (HttpMethod.Patch, "/api/collections/incidents/records/inc-0", new JsonObject { ["fields"] = new JsonObject { ["priority"] = 1 } }),
        (HttpMethod.Delete, "/api/collections/incidents/records/inc-0", null),
        (HttpMethod.Post, "/api/collections/incidents/records/inc-0/actions/close", new JsonObject()),
        (HttpMethod.Post, "/api/offline", new JsonObject { ["offline"] = true }),
        (HttpMethod.Post, "/api/outbox/1/discard", null),
    ];

    private static Gen<string> Printable => Gen.Choose(0x21, 0x7e).Select(c => (char)c).ArrayOf().Select(chars => new string(chars));

    [Fact]
    public async Task No_change_without_the_exact_token_or_from_another_origin_writes_anything()
    {
        await Device.Replica.CreateAsync("incidents", new Dictionary<string, Crdt.Values.Value> { ["title"] = Crdt.Values.Value.String("Seed") }, "inc-0");
        var before = (await Client.GetJsonAsync("/api/outbox")).ToJsonString();
        var own = Device.Address.GetLeftPart(UriPartial.Authority);
        var attempts =
            from change in Gen.Elements(Changes)
            from token in Gen.OneOf(Gen.Constant<string?>(null), Printable.Select(t => (string?)t), Gen.Constant<string?>(Client.Token))
            from origin in Gen.OneOf(Gen.Constant<string?>(null), Printable.Select(o => (string?)("http://" + o)), Gen.Constant<string?>(own))
            where token != Client.Token || (origin is not null && origin != own)
            select (change, token, origin);
        PropertyRunner.Check(Prop.ForAll(attempts.ToArbitrary(), attempt =>
        {
            var ((method, path, body), token, origin) = attempt;
            var (status, _) = Client.SendAsync(method, path, body?.DeepClone(), withToken: false, adjust: request =>
            {
                if (token is not null)
                {
                    request.Headers.TryAddWithoutValidation(ReplicaConsoleHost.AntiForgeryHeader, token);
                }

                if (origin is not null)
                {
                    request.Headers.TryAddWithoutValidation("Origin", origin);
                }
            }).GetAwaiter().GetResult();
            return status == 403;
        }));
        Assert.Equal(before, (await Client.GetJsonAsync("/api/outbox")).ToJsonString());
        Assert.False(Device.Replica.IsInOfflineMode);
    }
}
