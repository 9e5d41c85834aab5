using System.CommandLine;
using CoolCache.Core;
using CoolCache.Core.State;

namespace CoolCache.Server.Cli;

/// <summary>
/// coolcache-server [FILE] [--name value ...]: as with redis-server, an optional redis.conf-style file
/// and every setting as a --name option (generated from the core's settings table). Command-line
/// settings override the file's. Unknown options are refused.
/// </summary>
public static class ServerCommandLine
{
    public static RootCommand Build(out Argument<string?> file, out IReadOnlyList<Option<string>> settings)
    {
        var root = new RootCommand("CoolCache: a Redis-compatible in-memory data server.");
        file = new Argument<string?>("config-file")
        {
            Description = "A redis.conf-style file (Redis's setting names).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        root.Arguments.Add(file);
        var options = new List<Option<string>>();
        foreach (var name in Api.SettingNames)
        {
            var option = new Option<string>("--" + name) { Description = $"The '{name}' setting." };
            options.Add(option);
            root.Options.Add(option);
        }
        settings = options;
        return root;
    }

    /// <summary>Settings whose value is several words (redis-server reads them up to the next --option).</summary>
    private static readonly HashSet<string> MultiWord = new(StringComparer.OrdinalIgnoreCase)
    {
        "--replicaof", "--slaveof", "--save", "--client-output-buffer-limit", "--bind",
    };

    /// <summary>
    /// As redis-server does, the words after a multi-word setting up to the next --option are one value:
    /// <c>--replicaof 127.0.0.1 6379</c> is <c>--replicaof "127.0.0.1 6379"</c>, <c>--save 900 1 300 10</c> one save line.
    /// </summary>
    private static string[] JoinValues(string[] args)
    {
        var joined = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            joined.Add(args[i]);
            if (!MultiWord.Contains(args[i]) || i + 1 >= args.Length) continue;
            var words = new List<string>();
            while (i + 1 < args.Length && !(args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2) && !File.Exists(args[i + 1]))
                words.Add(args[++i]);
            if (words.Count > 0) joined.Add(string.Join(' ', words));
        }
        return LastWins(joined);
    }

    /// <summary>
    /// A setting given twice takes its last value, as in redis-server, except that save lines add up
    /// (an empty one clears those before it).
    /// </summary>
    private static string[] LastWins(List<string> args)
    {
        var result = new List<string>();
        var at = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            var hasValue = name.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Count && !(args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2);
            if (!hasValue || !at.TryGetValue(name, out var previous))
            {
                if (hasValue) at[name] = result.Count;
                result.Add(name);
                if (hasValue) result.Add(args[++i]);
                continue;
            }
            var value = args[++i];
            var old = result[previous + 1];
            result[previous + 1] = name.Equals("--save", StringComparison.OrdinalIgnoreCase) && value.Length > 0 && old.Length > 0
                ? old + " " + value
                : value;
        }
        return result.ToArray();
    }

    /// <summary>Parse arguments into options, or an error message saying what is wrong.</summary>
    public static bool TryParse(string[] args, out ServerOptions? options, out string? error)
    {
        args = JoinValues(args);
        var root = Build(out var fileArg, out var settingOptions);
        options = null;
        error = null;
        var known = settingOptions.Select(o => o.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = args.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal) && !known.Contains(a));
        if (unknown is not null)
        {
            error = $"*** FATAL CONFIG ERROR *** Bad directive or wrong number of arguments: '{unknown[2..]}' is not a setting";
            return false;
        }
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error = string.Join(Environment.NewLine, parsed.Errors.Select(e => e.Message));
            return false;
        }

        var config = Api.DefaultConfig;
        var file = parsed.GetValue(fileArg);
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                error = $"Fatal error, can't open config file '{file}': No such file or directory";
                return false;
            }
            foreach (var (name, value) in Api.ParseConfigFile(File.ReadAllText(file)))
            {
                if (!Api.TryApplySetting(config, name, value, out config, out var e))
                {
                    error = $"*** FATAL CONFIG FILE ERROR *** {e}";
                    return false;
                }
            }
        }

        foreach (var option in settingOptions)
        {
            var result = parsed.GetResult(option);
            if (result is null || result.Implicit) continue;
            var value = parsed.GetValue(option) ?? "";
            if (!Api.TryApplySetting(config, option.Name.TrimStart('-'), value, out config, out var e))
            {
                error = $"*** FATAL CONFIG ERROR *** {e}";
                return false;
            }
        }

        options = new ServerOptions(config, file is null ? null : Path.GetFullPath(file));
        return true;
    }
}
