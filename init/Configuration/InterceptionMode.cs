namespace Capture.Init.Configuration;

/// <summary>How inbound connections are captured (<c>-m</c>).</summary>
internal enum InterceptionMode
{
    /// <summary>nat REDIRECT to the inbound capture port; the original destination is read with SO_ORIGINAL_DST.</summary>
    Redirect,

    /// <summary>mangle TPROXY with policy routing; the original destination is the accepted socket's local address.</summary>
    TProxy,
}
