using System.Buffers;
using System.Diagnostics;
using System.Text;
using CoolCache.Core;
using CoolCache.Core.Commands;
using CoolCache.Core.State;
using CoolCache.Server.Logging;
using Microsoft.Win32.SafeHandles;

namespace CoolCache.Server.Persistence;

/// <summary>
/// The append-only file in Redis 7's multi-part layout (aof.c): <c>dir/appenddirname/</c> holds a base
/// file (RDB format by default), incremental files of commands, and a manifest naming them in order.
/// The engine appends each write's propagated form under its lock and writes the batch to the current
/// incremental file at the end of the batch (one write per batch, as Redis's beforeSleep). Replies wait
/// for durability as appendfsync says: <c>always</c> fsyncs before any reply of that batch leaves (one
/// fsync covers every connection's batch so far), <c>everysec</c> fsyncs in the background once a
/// second, <c>no</c> leaves it to the OS. A rewrite (BGREWRITEAOF) opens a new incremental file at once,
/// writes a frozen World as the new base on a background thread, then swaps the manifest atomically:
/// no rewrite buffer and no fork.
/// </summary>
public sealed class AppendOnlyFile : IDisposable
{
    private readonly ServerLog _log;
    private readonly object _state = new();
    private readonly object _syncLock = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private readonly string _dir;
    private readonly string _fileName;
    private AofManifest _manifest;
    private SafeFileHandle? _incr;
    private long _incrOffset;
    private long _baseFileSize;
    private long _otherIncrsSize;
    private long _sizeAfterRewrite;
    private int _selectedDb = -1;
    private long _written;
    private long _synced;
    private bool _lastWriteOk = true;
    private Task? _rewrite;
    private long _rewriteStartedTicks;
    private bool _lastRewriteOk = true;
    private long _lastRewriteSeconds = -1;
    private long _rewrites;
    private int _incrsAtRewriteStart;
    private long _lastFsyncMs = Environment.TickCount64;
    private Task? _backgroundFsync;

    private AppendOnlyFile(Config config, AofManifest manifest, ServerLog log)
    {
        _log = log;
        _dir = Path.Combine(config.Dir, config.AppendDirname);
        _fileName = config.AppendFilename;
        _manifest = manifest;
        Fsync = config.AppendFsync;
    }

    /// <summary>Whether commands are being appended (appendonly yes).</summary>
    public bool Enabled { get; private set; }

    /// <summary>appendfsync: always, everysec or no.</summary>
    public string Fsync { get; set; }

    /// <summary>Turned on at run time: the manifest on disk waits for the first rewrite to finish.</summary>
    public bool WaitingForRewrite { get; private set; }

    public bool RewriteInProgress
    {
        get { lock (_state) return _rewrite is { IsCompleted: false }; }
    }

    private static AofManifest ReadManifest(Config config)
    {
        var path = AofManifest.PathOf(Path.Combine(config.Dir, config.AppendDirname), config.AppendFilename);
        return File.Exists(path) ? AofManifest.Parse(File.ReadAllText(path)) : new AofManifest();
    }

    /// <summary>
    /// At start-up with appendonly yes, after loading: go on appending to the last incremental file, or,
    /// when there was no append-only file, write the loaded World as base 1 with an empty incremental 1
    /// (Redis: "Creating AOF base file ... on server start").
    /// </summary>
    public static AppendOnlyFile OpenAtStart(Config config, World world, ServerLog log)
    {
        var aof = new AppendOnlyFile(config, ReadManifest(config), log);
        Directory.CreateDirectory(aof._dir);
        lock (aof._state)
        {
            var m = aof._manifest;
            if (m.Base is null && m.Incrs.Count == 0)
            {
                var baseFile = aof.WriteBase(world, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), m.BaseSeq + 1);
                m.Base = baseFile;
                m.BaseSeq = baseFile.Seq;
                log.Notice($"Creating AOF base file {baseFile.Name} on server start");
            }
            aof._baseFileSize = m.Base is null ? 0 : SizeOf(Path.Combine(aof._dir, m.Base.Name));
            if (m.Incrs.Count == 0)
            {
                aof.OpenNewIncr(m);
                log.Notice($"Creating AOF incr file {m.Incrs[^1].Name} on server start");
            }
            else
            {
                var last = m.Incrs[^1];
                aof._incr = File.OpenHandle(Path.Combine(aof._dir, last.Name), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
                aof._incrOffset = RandomAccess.GetLength(aof._incr);
                aof._otherIncrsSize = m.Incrs.Take(m.Incrs.Count - 1).Sum(f => SizeOf(Path.Combine(aof._dir, f.Name)));
            }
            aof.PersistManifest(m);
            aof._sizeAfterRewrite = aof.CurrentSize;
            aof.Enabled = true;
        }
        return aof;
    }

    /// <summary>An append-only file that is off (appendonly no): BGREWRITEAOF still writes a base.</summary>
    public static AppendOnlyFile Off(Config config, ServerLog log)
    {
        var aof = new AppendOnlyFile(config, ReadManifest(config), log);
        return aof;
    }

    private static long SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private long CurrentSize => _baseFileSize + _otherIncrsSize + _incrOffset;

    /// <summary>Open incremental file IncrSeq+1 and make it current (under _state); the old one is synced and closed.</summary>
    private void OpenNewIncr(AofManifest m)
    {
        var seq = m.IncrSeq + 1;
        var file = new AofFile($"{_fileName}.{seq}.incr.aof", seq, 'i');
        var handle = File.OpenHandle(Path.Combine(_dir, file.Name), FileMode.Create, FileAccess.Write, FileShare.Read);
        lock (_syncLock)
        {
            if (_incr is not null)
            {
                RandomAccess.FlushToDisk(_incr);
                _incr.Dispose();
                _otherIncrsSize += _incrOffset;
            }
            _synced = _written;
            _incr = handle;
            _incrOffset = 0;
        }
        m.Incrs.Add(file);
        m.IncrSeq = seq;
        _selectedDb = -1;
    }

    /// <summary>Write the manifest atomically: temp file, fsync, rename, fsync of the directory.</summary>
    private void PersistManifest(AofManifest m)
    {
        var path = AofManifest.PathOf(_dir, _fileName);
        var temp = Path.Combine(_dir, "temp-" + _fileName + ".manifest");
        using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(Encoding.UTF8.GetBytes(m.Format()));
            f.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        Snapshots.SyncDirectory(_dir);
    }

    /// <summary>
    /// Write world as base file seq atomically: RDB format, or commands when aof-use-rdb-preamble is no;
    /// keys expired at nowMs are left out.
    /// </summary>
    private AofFile WriteBase(World world, long nowMs, long seq)
    {
        var rdb = world.Config.AofUseRdbPreamble;
        var file = new AofFile($"{_fileName}.{seq}.base.{(rdb ? "rdb" : "aof")}", seq, 'b');
        var temp = Path.Combine(_dir, $"temp-rewriteaof-bg-{Environment.ProcessId}.aof");
        using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            if (rdb) Api.WriteRdb(f, world, nowMs);
            else Api.WriteAofCommands(f, world, nowMs);
            f.Flush(flushToDisk: true);
        }
        File.Move(temp, Path.Combine(_dir, file.Name), overwrite: true);
        Snapshots.SyncDirectory(_dir);
        return file;
    }

    /// <summary>Append one propagated command (under the engine lock), with a SELECT first when its database changes.</summary>
    public void Append(int db, byte[][] argv)
    {
        if (!Enabled) return;
        if (db != _selectedDb)
        {
            Api.WriteCommand([Select, Encoding.ASCII.GetBytes(db.ToString())], _buffer);
            _selectedDb = db;
        }
        Api.WriteCommand(argv, _buffer);
    }

    private static readonly byte[] Select = "SELECT"u8.ToArray();

    /// <summary>Bytes appended and not yet written.</summary>
    public int Pending => _buffer.WrittenCount;

    /// <summary>Write what the batch appended to the current incremental file (under the engine lock).</summary>
    public void WriteBuffered()
    {
        if (_buffer.WrittenCount == 0 || _incr is null) return;
        try
        {
            RandomAccess.Write(_incr, _buffer.WrittenSpan, _incrOffset);
            _incrOffset += _buffer.WrittenCount;
            Volatile.Write(ref _written, _written + _buffer.WrittenCount);
            _buffer.ResetWrittenCount();
            _lastWriteOk = true;
        }
        catch (IOException ex)
        {
            _lastWriteOk = false;
            _log.Warning($"Error writing to the AOF file: {ex.Message}");
            if (Fsync == "always")
            {
                _log.Warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
                Environment.Exit(1);
            }
        }
    }

    /// <summary>
    /// With appendfsync always: return once everything written so far is on disk (call before replies
    /// leave, off the engine lock). One fsync serves every caller waiting at the time (group commit).
    /// </summary>
    public void WaitDurable()
    {
        if (Fsync != "always") return;
        SyncWritten();
    }

    private void SyncWritten()
    {
        var target = Volatile.Read(ref _written);
        if (Volatile.Read(ref _synced) >= target) return;
        lock (_syncLock)
        {
            target = Volatile.Read(ref _written);
            if (_synced >= target || _incr is null) return;
            try
            {
                RandomAccess.FlushToDisk(_incr);
                Volatile.Write(ref _synced, target);
            }
            catch (IOException ex)
            {
                _log.Warning($"Can't persist the AOF file with fsync: {ex.Message}");
                if (Fsync == "always")
                {
                    _log.Warning("Can't recover from AOF fsync error when the AOF fsync policy is 'always'. Exiting...");
                    Environment.Exit(1);
                }
            }
        }
    }

    /// <summary>A timer tick: with appendfsync everysec, fsync in the background once a second.</summary>
    public void Tick()
    {
        if (!Enabled || Fsync != "everysec") return;
        var now = Environment.TickCount64;
        if (now - _lastFsyncMs < 1000 || _backgroundFsync is { IsCompleted: false }) return;
        _lastFsyncMs = now;
        _backgroundFsync = Task.Run(SyncWritten);
    }

    /// <summary>Whether auto-aof-rewrite-percentage / -min-size ask for a rewrite now.</summary>
    public bool GrowthDue(Config config)
    {
        lock (_state)
        {
            if (!Enabled || config.AutoAofRewritePercentage <= 0 || _rewrite is { IsCompleted: false }) return false;
            var size = CurrentSize;
            if (size < config.AutoAofRewriteMinSize) return false;
            var baseSize = Math.Max(1, _sizeAfterRewrite);
            return (size - baseSize) * 100 / baseSize >= config.AutoAofRewritePercentage;
        }
    }

    /// <summary>
    /// Start a rewrite of frozen (a World later writes never change; nowMs its time) under the engine
    /// lock: later commands go to a new incremental file at once; the base is written on a background
    /// thread, then the manifest names the new base and only the incremental files opened since.
    /// False when a rewrite is already running.
    /// </summary>
    public bool StartRewrite(World frozen, long nowMs)
    {
        lock (_state)
        {
            if (_rewrite is { IsCompleted: false }) return false;
            Directory.CreateDirectory(_dir);
            var m = _manifest;
            if (Enabled)
            {
                WriteBuffered();
                _incrsAtRewriteStart = m.Incrs.Count;
                OpenNewIncr(m);
                if (!WaitingForRewrite) PersistManifest(m);
            }
            else
            {
                _incrsAtRewriteStart = m.Incrs.Count;
            }
            var seq = m.BaseSeq + 1;
            _rewriteStartedTicks = Stopwatch.GetTimestamp();
            _log.Notice("Background append only file rewriting started");
            _rewrite = BackgroundWriter.Run("bgrewriteaof", () =>
            {
                AofFile? written = null;
                try
                {
                    written = WriteBase(frozen, nowMs, seq);
                }
                catch (Exception ex)
                {
                    _log.Warning($"Background AOF rewrite failed: {ex.Message}");
                    try { File.Delete(Path.Combine(_dir, $"temp-rewriteaof-bg-{Environment.ProcessId}.aof")); } catch (IOException) { }
                }
                Finish(written);
            });
            return true;
        }
    }

    private void Finish(AofFile? written)
    {
        lock (_state)
        {
            _lastRewriteSeconds = (long)Stopwatch.GetElapsedTime(_rewriteStartedTicks).TotalSeconds;
            if (written is null)
            {
                _lastRewriteOk = false;
                return;
            }
            var m = _manifest;
            var next = new AofManifest { Base = written, BaseSeq = written.Seq, IncrSeq = m.IncrSeq };
            if (m.Base is not null) next.History.Add(m.Base with { Type = 'h' });
            for (var i = 0; i < m.Incrs.Count; i++)
            {
                if (Enabled && i >= _incrsAtRewriteStart) next.Incrs.Add(m.Incrs[i]);
                else next.History.Add(m.Incrs[i] with { Type = 'h' });
            }
            try
            {
                PersistManifest(next);
            }
            catch (IOException ex)
            {
                _log.Warning($"Background AOF rewrite failed writing the manifest: {ex.Message}");
                _lastRewriteOk = false;
                return;
            }
            foreach (var h in next.History)
            {
                try { File.Delete(Path.Combine(_dir, h.Name)); } catch (IOException) { }
            }
            next.History.Clear();
            _manifest = next;
            _baseFileSize = SizeOf(Path.Combine(_dir, written.Name));
            _otherIncrsSize = next.Incrs.Take(Math.Max(0, next.Incrs.Count - 1)).Sum(f => SizeOf(Path.Combine(_dir, f.Name)));
            _sizeAfterRewrite = CurrentSize;
            WaitingForRewrite = false;
            _lastRewriteOk = true;
            _rewrites++;
            _log.Notice("Background AOF rewrite finished successfully");
        }
    }

    /// <summary>CONFIG SET appendonly yes at run time: start appending to a new incremental file and rewrite (frozen).</summary>
    public void Enable(World frozen, long nowMs)
    {
        lock (_state)
        {
            if (Enabled) return;
            Directory.CreateDirectory(_dir);
            _manifest = ReadManifestFromDisk();
            _incrsAtRewriteStart = _manifest.Incrs.Count;
            Enabled = true;
            WaitingForRewrite = true;
            _written = _synced = 0;
        }
        // while WaitingForRewrite, the new incremental file is not yet in the manifest on disk
        StartRewrite(frozen, nowMs);
    }

    private AofManifest ReadManifestFromDisk()
    {
        var path = AofManifest.PathOf(_dir, _fileName);
        return File.Exists(path) ? AofManifest.Parse(File.ReadAllText(path)) : new AofManifest();
    }

    /// <summary>CONFIG SET appendonly no: stop appending; what was written stays, synced.</summary>
    public void Disable()
    {
        lock (_state)
        {
            if (!Enabled) return;
            WriteBuffered();
            lock (_syncLock)
            {
                if (_incr is not null)
                {
                    RandomAccess.FlushToDisk(_incr);
                    _incr.Dispose();
                    _incr = null;
                }
            }
            Enabled = false;
            WaitingForRewrite = false;
        }
    }

    public AofInfo Info()
    {
        lock (_state)
        {
            var running = _rewrite is { IsCompleted: false };
            return new AofInfo(
                Enabled, running, false, _lastRewriteSeconds,
                running ? (long)Stopwatch.GetElapsedTime(_rewriteStartedTicks).TotalSeconds : -1,
                _lastRewriteOk, _rewrites, _lastWriteOk, CurrentSize, _sizeAfterRewrite, _buffer.WrittenCount);
        }
    }

    /// <summary>Wait for a running rewrite (shutdown, tests).</summary>
    public void WaitForRewrite()
    {
        Task? t;
        lock (_state) t = _rewrite;
        try { t?.Wait(); } catch (AggregateException) { }
    }

    /// <summary>Shutdown: write what is buffered and fsync (Redis flushes the AOF before exiting).</summary>
    public void Dispose()
    {
        WaitForRewrite();
        lock (_state)
        {
            WriteBuffered();
            lock (_syncLock)
            {
                if (_incr is null) return;
                try { RandomAccess.FlushToDisk(_incr); } catch (IOException) { }
                _incr.Dispose();
                _incr = null;
            }
        }
    }
}
