using System.Text;
using CoolCache.Core;

namespace CoolCache.Server.Persistence;

/// <summary>One file of a multi-part append-only file: its name, sequence number and type (b, h, i).</summary>
public sealed record AofFile(string Name, long Seq, char Type);

/// <summary>
/// Redis 7's AOF manifest (aof.c aofInfo / aofLoadManifestFromFile): the base file (RDB or AOF format),
/// history files waiting to be deleted, and the incremental files in order, one line each:
/// <c>file appendonly.aof.1.base.rdb seq 1 type b</c>.
/// </summary>
public sealed class AofManifest
{
    public AofFile? Base { get; set; }
    public List<AofFile> History { get; } = new();
    public List<AofFile> Incrs { get; } = new();
    public long BaseSeq { get; set; }
    public long IncrSeq { get; set; }

    public static string PathOf(string dir, string fileName) => Path.Combine(dir, fileName + ".manifest");

    /// <summary>Parse a manifest's text; throws <see cref="InvalidDataException"/> with Redis's wording when invalid.</summary>
    public static AofManifest Parse(string text)
    {
        var m = new AofManifest();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var words = Api.SplitConfigLine(line);
            string? name = null;
            long seq = -1;
            char type = '\0';
            for (var i = 0; i + 1 < words.Length; i += 2)
            {
                switch (words[i])
                {
                    case "file": name = words[i + 1]; break;
                    case "seq": if (!long.TryParse(words[i + 1], out seq)) seq = -1; break;
                    case "type": type = words[i + 1].Length == 1 ? words[i + 1][0] : '\0'; break;
                }
            }
            if (name is null || seq < 0 || type is not ('b' or 'h' or 'i'))
                throw new InvalidDataException($"Invalid AOF manifest file format: '{line}'");
            var file = new AofFile(name, seq, type);
            switch (type)
            {
                case 'b':
                    if (m.Base is not null) throw new InvalidDataException("Found duplicate base file information");
                    m.Base = file;
                    m.BaseSeq = seq;
                    break;
                case 'h':
                    m.History.Add(file);
                    break;
                default:
                    if (seq <= m.IncrSeq) throw new InvalidDataException("Found a non-monotonic sequence number");
                    m.Incrs.Add(file);
                    m.IncrSeq = seq;
                    break;
            }
        }
        return m;
    }

    /// <summary>The manifest's text, as aof.c getAofManifestAsString writes it (base, history, then incrementals).</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        void Line(AofFile f) => sb.Append("file ").Append(Quote(f.Name)).Append(" seq ").Append(f.Seq).Append(" type ").Append(f.Type).Append('\n');
        if (Base is not null) Line(Base);
        foreach (var h in History) Line(h);
        foreach (var i in Incrs) Line(i);
        return sb.ToString();
    }

    /// <summary>Names with spaces or quotes are written quoted (sdscatrepr).</summary>
    private static string Quote(string name)
    {
        if (name.IndexOfAny([' ', '"', '\'', '\\', '\t', '\r', '\n']) < 0) return name;
        var sb = new StringBuilder("\"");
        foreach (var c in name)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    public AofManifest Copy()
    {
        var m = new AofManifest { Base = Base, BaseSeq = BaseSeq, IncrSeq = IncrSeq };
        m.History.AddRange(History);
        m.Incrs.AddRange(Incrs);
        return m;
    }
}
