// One pub/sub delivery.
using System.Text;

namespace CoolCache.Client;

/// <summary>A message published to <see cref="Channel"/> (matched by <see cref="Pattern"/> for PSUBSCRIBE).</summary>
public sealed record PubSubMessage(byte[] Channel, byte[] Payload, byte[]? Pattern)
{
    /// <summary>The channel as UTF-8 text.</summary>
    public string ChannelText => Encoding.UTF8.GetString(Channel);

    /// <summary>The payload as UTF-8 text.</summary>
    public string PayloadText => Encoding.UTF8.GetString(Payload);
}
