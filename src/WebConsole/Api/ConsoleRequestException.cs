namespace CrdtSync.WebConsole.Api;

/// <summary>A console call that cannot be carried out as sent (bad JSON, a wrong value type); answered as a typed JSON error.</summary>
public sealed class ConsoleRequestException(int status, string code, string message, string? field = null) : Exception(message)
{
    /// <summary>The HTTP status of the answer.</summary>
    public int Status { get; } = status;

    /// <summary>The machine code, e.g. <c>bad_json</c>.</summary>
    public string Code { get; } = code;

    /// <summary>The field at fault, when one is.</summary>
    public string? Field { get; } = field;
}
