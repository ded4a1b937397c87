using CrdtSync.Crdt.Records;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Outbox;
using Spectre.Console;

namespace CrdtSync.Cli.Rendering;

/// <summary>Tables and banners for people.</summary>
internal static class ConsoleViews
{
    public static void OfflineBanner(IAnsiConsole console, bool offline)
    {
        if (offline)
        {
            console.Write(new Panel(new Markup("[bold black on yellow] Offline mode [/] changes queue in the outbox until you go online"))
                .BorderColor(Color.Yellow).Expand());
        }
    }

    public static void Records(IAnsiConsole console, IReadOnlyList<RecordSnapshot> records, string title)
    {
        var fieldNames = records.SelectMany(r => r.State.Fields.Keys).Distinct().Order().ToList();
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Rounded);
        table.AddColumn("id");
        table.AddColumn("status");
        foreach (var field in fieldNames)
        {
            table.AddColumn(Markup.Escape(field.Text));
        }

        foreach (var record in records)
        {
            var cells = new List<string>
            {
                Markup.Escape(record.State.Id.Text),
                record.State.IsDeleted ? "[red]deleted[/]" : $"[{StatusColors.Of(record.Status)}]{StatusColors.Label(record.Status)}[/]",
            };
            cells.AddRange(fieldNames.Select(f => record.State.TryGetValue(f, out var v) ? Markup.Escape(v.ToString()) : string.Empty));
            table.AddRow(cells.ToArray());
        }

        console.Write(table);
        console.MarkupLine("[grey]legend:[/] [green]pending[/]  [orange1]conflict[/]  [red]error[/]  [grey]synced[/]");
    }

    public static void Record(IAnsiConsole console, RecordSnapshot record)
    {
        var state = record.State;
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(state.Collection.Text)}/{Markup.Escape(state.Id.Text)}  [{StatusColors.Of(record.Status)}]{StatusColors.Label(record.Status)}[/]{(state.IsDeleted ? "  [red]deleted[/]" : string.Empty)}");
        table.AddColumn("field");
        table.AddColumn("value");
        foreach (var (name, entry) in state.SortedFields())
        {
            table.AddRow(Markup.Escape(name.Text), Markup.Escape(entry.Value.ToString()));
        }

        console.Write(table);
        if (state.Journal.Count > 0)
        {
            console.MarkupLine("[grey]Overwritten by a concurrent edit (conflict journal):[/]");
            foreach (var line in state.Journal)
            {
                console.MarkupLine($"  {Markup.Escape(line.Field.Text)} = {Markup.Escape(line.Value.ToString())}  [grey]by {line.Writer.Origin.ToString()[..8]}… at {line.Stamp.ToDateTimeOffset():u}[/]");
            }
        }

        if (record.Freshness is not Replica.Cache.CacheFreshness.Fresh)
        {
            console.MarkupLine($"[yellow]cache: {record.Freshness}[/]");
        }
    }

    public static void Outbox(IAnsiConsole console, IReadOnlyList<OutboxEntry> entries)
    {
        if (entries.Count == 0)
        {
            console.MarkupLine("[grey]The outbox is empty: everything is synced.[/]");
            return;
        }

        var table = new Table().Title("Pending changes").Border(TableBorder.Rounded);
        foreach (var column in new[] { "#", "record", "change", "when", "status", "what happened", "relay's values" })
        {
            table.AddColumn(column);
        }

        foreach (var entry in entries)
        {
            var what = entry.Kind switch
            {
                Crdt.Changes.ChangeKind.Action => $"{entry.Change.ActionName}",
                Crdt.Changes.ChangeKind.Delete => "delete",
                _ => "edit " + string.Join(", ", entry.Change.Fields.Select(f => $"{f.Name}={f.Value}")),
            };
            table.AddRow(
                entry.EntryId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape($"{entry.Collection}/{entry.RecordId}"),
                Markup.Escape(what),
                entry.CreatedAt.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                $"[{StatusColors.Of(entry.Status)}]{StatusColors.Label(entry.Status)}[/]" + (entry.IsError ? (entry.IsResolvable ? " [grey](resolve or discard)[/]" : " [grey](discard only)[/]") : string.Empty),
                Markup.Escape(entry.Message ?? string.Empty),
                Markup.Escape(entry.AuthorityState is { } state ? Describe(state) : string.Empty));
        }

        console.Write(table);
    }

    private static string Describe(RecordState state) =>
        state.IsDeleted ? "deleted" : string.Join(", ", state.SortedFields().Select(f => $"{f.Key}={f.Value.Value}"));
}
