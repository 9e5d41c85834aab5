using CoolCache.Core.State;

namespace CoolCache.Server.Cli;

/// <summary>The validated start-up settings: the core's Config plus the config file it came from.</summary>
public sealed record ServerOptions(Config Config, string? ConfigFile);
