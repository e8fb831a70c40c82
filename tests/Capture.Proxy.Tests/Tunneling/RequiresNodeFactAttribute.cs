namespace Capture.Proxy.Tests.Tunneling;

/// <summary>A fact that skips, saying why, when Node.js (the independent HTTP/2 peer) is not on PATH.</summary>
public sealed class RequiresNodeFactAttribute : FactAttribute
{
    public RequiresNodeFactAttribute()
    {
        if (NodePeer.NodePath is null)
        {
            Skip = "node is not on PATH: Node's http2 is the independent HBONE peer of these tests";
        }
    }
}
