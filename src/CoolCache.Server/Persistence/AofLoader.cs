using System.Diagnostics;
using CoolCache.Core;
using CoolCache.Core.Commands;
using CoolCache.Core.Protocol;
using CoolCache.Core.State;
using CoolCache.Server.Logging;

namespace CoolCache.Server.Persistence;

/// <summary>
/// Loads a multi-part append-only file at start-up (aof.c loadAppendOnlyFiles): the base file (RDB or
/// AOF format), then each incremental file, every command replayed through the core while the databases
/// are loading (nothing expires mid-replay). A torn last command of the last file is cut off when
/// aof-load-truncated is set (as is an unfinished MULTI); anything else malformed stops the start-up
/// with the file and offset. Files are read in chunks: memory stays bounded by the largest command.
/// </summary>
public static class AofLoader
{
    /// <summary>The loaded World, or null when there is no append-only file. Throws InvalidDataException when it is corrupt.</summary>
    public static World? Load(Config config, IHostView host, ServerLog log)
    {
        var dir = Path.Combine(config.Dir, config.AppendDirname);
        var manifestPath = AofManifest.PathOf(dir, config.AppendFilename);
        if (!File.Exists(manifestPath)) return null;
        var manifest = AofManifest.Parse(File.ReadAllText(manifestPath));
        if (manifest.Base is null && manifest.Incrs.Count == 0) return null;
        var started = Stopwatch.GetTimestamp();
        var world = Api.NewWorld(config);
        if (manifest.Base is { } b)
        {
            var path = Path.Combine(dir, b.Name);
            if (!File.Exists(path)) throw new InvalidDataException($"The AOF file {b.Name} doesn't exist");
            if (IsRdb(path))
            {
                var data = File.ReadAllBytes(path);
                if (!Api.TryLoadRdb(data, config, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), out world, out var keys, out var error, out _))
                    throw new InvalidDataException($"Bad file format reading the append only file {b.Name}: {error}");
                log.Notice($"DB loaded from base file {b.Name}: {Stopwatch.GetElapsedTime(started).TotalSeconds:F3} seconds ({keys} keys)");
            }
            else
            {
                world = Replay(Api.WithLoading(world, true), path, b.Name, last: manifest.Incrs.Count == 0, config, host, log);
            }
        }
        world = Api.WithLoading(world, true);
        for (var i = 0; i < manifest.Incrs.Count; i++)
        {
            var f = manifest.Incrs[i];
            var path = Path.Combine(dir, f.Name);
            if (!File.Exists(path)) throw new InvalidDataException($"The AOF file {f.Name} doesn't exist");
            world = Replay(world, path, f.Name, last: i == manifest.Incrs.Count - 1, config, host, log);
        }
        world = Api.WithLoading(world, false);
        log.Notice($"DB loaded from append only file: {Stopwatch.GetElapsedTime(started).TotalSeconds:F3} seconds");
        return world;
    }

    private static bool IsRdb(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[5];
        return f.ReadAtLeast(head, 5, throwOnEndOfStream: false) == 5 && head.SequenceEqual("REDIS"u8);
    }

    /// <summary>Replay one file of commands onto world; returns the World after its last complete command.</summary>
    private static World Replay(World world, string path, string name, bool last, Config config, IHostView host, ServerLog log)
    {
        var session = Api.NewTrustedSession(-1);
        var limits = new ReadLimits(long.MaxValue, false);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var buffer = new byte[1 << 20];
        int start = 0, end = 0;
        long fileOffset = 0;       // file offset of buffer[0]
        long validUpTo = 0;        // end of the last command that counts (not inside an open MULTI)
        long multiStart = -1;      // where an open MULTI began
        var nowUs = Engine.CommandEngine.NowUs();
        ulong seed = 1;
        var eof = false;
        while (true)
        {
            if (start == end && eof) break;
            if (start < end && buffer[start] != (byte)'*')
                throw Bad(name, fileOffset + start, "not a RESP array");
            var r = start < end ? Api.ReadCommand(limits, buffer.AsSpan(start, end - start)) : default;
            if (start < end && r.Status == ReadStatus.Malformed) throw Bad(name, fileOffset + start, r.Error.Text);
            if (start == end || r.Status == ReadStatus.Incomplete)
            {
                if (eof) break; // torn tail
                // Keep the unread part, make room, read more.
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    fileOffset += start;
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var n = file.Read(buffer, end, buffer.Length - end);
                if (n == 0) eof = true;
                end += n;
                continue;
            }
            var at = fileOffset + start;
            start += r.Consumed;
            if (r.Status != ReadStatus.Command) continue;
            var argv = r.Argv;
            var isMulti = argv.Length == 1 && IsWord(argv[0], "multi");
            if (isMulti) multiStart = at;
            var ctx = new Ctx(nowUs / 1000, nowUs, seed++, host, true, false);
            var result = Api.Execute(ctx, session, argv, world);
            world = result.World;
            session = result.Session;
            if (result.Reply.IsError && !session.InMulti)
                log.Verbose($"Replaying {name} at offset {at}: {((RespValue.Error)result.Reply).Item}");
            if (!session.InMulti)
            {
                multiStart = -1;
                validUpTo = fileOffset + start;
            }
        }

        var size = file.Length;
        if (validUpTo == size) return world;
        // A torn command at the end, or a MULTI never closed by EXEC (its commands were only queued).
        var why = multiStart >= 0 ? "Revert incomplete MULTI/EXEC transaction in AOF file" : "!!! Warning: short read while loading the AOF file";
        if (!last || !config.AofLoadTruncated)
            throw new InvalidDataException($"Unexpected end of file reading the append only file {name} at offset {validUpTo}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.");
        log.Warning($"{why} {name}!!!");
        log.Warning($"AOF {name} loaded anyway because aof-load-truncated is enabled");
        file.Dispose();
        using (var fix = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            fix.SetLength(validUpTo);
            fix.Flush(flushToDisk: true);
        }
        log.Warning($"AOF {name} truncated to offset {validUpTo} (the last complete command)");
        return world;
    }

    private static bool IsWord(byte[] b, string lower)
    {
        if (b.Length != lower.Length) return false;
        for (var i = 0; i < b.Length; i++)
            if ((b[i] | 0x20) != lower[i]) return false;
        return true;
    }

    private static InvalidDataException Bad(string name, long offset, string why) =>
        new($"Bad file format reading the append only file {name} at offset {offset} ({why}): make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>");
}
