namespace CoolCache.Cli.Output;

/// <summary>How replies are printed: redis-cli's OUTPUT_STANDARD, OUTPUT_RAW, OUTPUT_CSV and OUTPUT_JSON.</summary>
public enum OutputMode
{
    /// <summary>For people: "a" quoted, (integer) 1, (nil), numbered and nested arrays.</summary>
    Standard,

    /// <summary>For pipes: bytes as they are, one per line.</summary>
    Raw,
    Csv,
    Json,
}
