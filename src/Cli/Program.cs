using CrdtSync.Cli;
using CrdtSync.Cli.Commands;
using Spectre.Console;

return await CliApp.RunAsync(new CliContext(AnsiConsole.Console), args);
