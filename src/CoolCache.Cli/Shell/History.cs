using System.Text;

namespace CoolCache.Cli.Shell;

/// <summary>
/// The shell's command history (linenoise's): at most 100 lines, a line equal to the previous one is not
/// added twice, and the whole list is written to the history file after each command so that it
/// persists across sessions (~/.coolcache_history, or COOLCACHE_HISTFILE; /dev/null keeps none).
/// </summary>
public sealed class History
{
    public const int MaxLength = 100;
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>The history file to use, or null for none.</summary>
    public static string? DefaultPath(Func<string, string?> environment)
    {
        var path = environment("COOLCACHE_HISTFILE");
        if (!string.IsNullOrEmpty(path)) return path == "/dev/null" ? null : path;
        var home = environment("HOME");
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".coolcache_history");
    }

    public void Add(string line)
    {
        if (_lines.Count > 0 && _lines[^1] == line) return;
        if (_lines.Count == MaxLength) _lines.RemoveAt(0);
        _lines.Add(line);
    }

    public void Load(string path)
    {
        if (!File.Exists(path)) return;
        foreach (var line in File.ReadAllLines(path, Encoding.UTF8))
        {
            if (line.Length > 0) Add(line);
        }
    }

    /// <summary>Write the history (a file that cannot be written is left alone, as linenoise does).</summary>
    public void Save(string path)
    {
        try
        {
            File.WriteAllLines(path, _lines, new UTF8Encoding(false));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (IOException)
        {
            // No history file then; the shell works on.
        }
        catch (UnauthorizedAccessException)
        {
            // Likewise.
        }
    }
}
