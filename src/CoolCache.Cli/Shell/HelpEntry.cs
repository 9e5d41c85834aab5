namespace CoolCache.Cli.Shell;

/// <summary>One command's help: its words ("CONFIG GET"), argument syntax, summary, since and group.</summary>
public sealed record HelpEntry(string Name, string Params, string Summary, string Since, string Group)
{
    public string[] Words { get; } = Name.Split(' ');
}
