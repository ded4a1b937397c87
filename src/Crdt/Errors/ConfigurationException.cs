namespace CrdtSync.Crdt.Errors;

/// <summary>A sync configuration is malformed. The message names the JSON path and what to fix.</summary>
public sealed class ConfigurationException : CrdtException
{
    /// <summary>Creates the error.</summary>
    public ConfigurationException(string path, string problem, Exception? inner = null)
        : base($"Configuration error at {path}: {problem}", inner)
    {
        Path = path;
    }

    /// <summary>Where in the document the problem is (e.g. <c>$.collections.incidents.fields.title.type</c>).</summary>
    public string Path { get; }
}
