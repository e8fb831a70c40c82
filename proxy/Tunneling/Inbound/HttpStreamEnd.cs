using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>The server side of an inbound CONNECT stream: END_STREAM by completing the response, RST_STREAM by a reset.</summary>
internal sealed class HttpStreamEnd(HttpContext context) : ITunnelStreamEnd
{
    // RFC 9113 §8.5: a TCP connection error on the far side of a CONNECT is signalled with CONNECT_ERROR.
    private const int ConnectError = 0xa;

    public ValueTask CompleteWritesAsync(CancellationToken cancellationToken) => new(context.Response.CompleteAsync());

    public void Abort()
    {
        IHttpResetFeature? reset = context.Features.Get<IHttpResetFeature>();
        if (reset is not null)
        {
            reset.Reset(ConnectError);
        }
        else
        {
            context.Abort();
        }
    }
}
