using System.Text;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Logging;
using Capture.Proxy.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Admin;

/// <summary>
/// Answers the three admin listeners, routed by the port a request arrived on (no MVC, no routing middleware):
/// readiness serves only <c>/healthz/ready</c>, metrics only <c>/stats/prometheus</c>, and the loopback admin port
/// serves both plus <c>POST /drain</c>, <c>POST /quitquitquit</c> and <c>GET|POST /logging</c>.
/// </summary>
internal sealed partial class AdminRequestHandler(
    ProxyOptions options,
    Readiness readiness,
    ProxyMetrics metrics,
    LogLevelSwitch levels,
    IProxyLifecycle lifecycle,
    ILogger logger)
{
    public const string ReadyPath = "/healthz/ready";
    public const string PrometheusPath = "/stats/prometheus";

    public Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int port = context.Connection.LocalPort;
        string path = context.Request.Path.Value ?? "/";
        bool isAdmin = port == options.AdminEndpoint.Port;

        return path switch
        {
            ReadyPath when port == options.ReadinessPort || isAdmin => Get(context, ReadyAsync),
            PrometheusPath when port == options.MetricsPort || isAdmin => Get(context, PrometheusAsync),
            "/drain" or "/drain_listeners" when isAdmin => Post(context, DrainAsync),
            "/quitquitquit" when isAdmin => Post(context, QuitAsync),
            "/logging" when isAdmin => LoggingAsync(context),
            _ => Text(context, StatusCodes.Status404NotFound, "not found\n"),
        };
    }

    private Task ReadyAsync(HttpContext context)
    {
        ReadinessState state = readiness.State;
        return state == ReadinessState.Ready
            ? Text(context, StatusCodes.Status200OK, "ready\n")
            : Text(context, StatusCodes.Status503ServiceUnavailable, state.ToString().ToLowerInvariant() + "\n");
    }

    private Task PrometheusAsync(HttpContext context)
    {
        StringBuilder text = new(8192);
        PrometheusTextWriter writer = new(text);
        metrics.WriteTo(writer);
        writer.Family("capture_ready", MetricType.Gauge, "1 while the readiness probe answers 200.");
        writer.Sample("capture_ready", readiness.IsReady ? 1 : 0);
        ProcessStats.WriteTo(writer);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = PrometheusTextWriter.ContentType;
        return context.Response.WriteAsync(text.ToString(), context.RequestAborted);
    }

    private Task DrainAsync(HttpContext context)
    {
        // Envoy's /drain_listeners?inboundonly (what Istio's agent sends) closes inbound only; plain /drain closes both.
        bool inboundOnly = context.Request.Query.ContainsKey("inboundonly");
        lifecycle.BeginDrain(inboundOnly ? "POST /drain?inboundonly" : "POST /drain", inboundOnly ? DrainScope.InboundOnly : DrainScope.AllListeners);
        return Text(context, StatusCodes.Status200OK, "draining\n");
    }

    private Task QuitAsync(HttpContext context)
    {
        lifecycle.RequestShutdown("POST /quitquitquit");
        return Text(context, StatusCodes.Status200OK, "OK\n");
    }

    private Task LoggingAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method))
        {
            return Text(context, StatusCodes.Status200OK, $"level: {ValueParsers.FormatLogLevel(levels.Level)}\n");
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return MethodNotAllowed(context, "GET, POST");
        }

        string? requested = context.Request.Query["level"];
        if (requested is null)
        {
            return Text(context, StatusCodes.Status400BadRequest, "missing ?level=: use trace, debug, info, warn, error, critical or off\n");
        }

        if (!ValueParsers.TryParseLogLevel(requested, out LogLevel level, out string? error))
        {
            return Text(context, StatusCodes.Status400BadRequest, $"level '{requested}' is not valid: {error}\n");
        }

        levels.Level = level;
        Log.LogLevelChanged(logger, level);
        return Text(context, StatusCodes.Status200OK, $"level: {ValueParsers.FormatLogLevel(level)}\n");
    }

    private static Task Get(HttpContext context, Func<HttpContext, Task> handler) =>
        HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            ? handler(context)
            : MethodNotAllowed(context, "GET");

    // State changes are POST only, so a stray GET (a browser, a crawler, a misconfigured probe) cannot stop the proxy.
    private static Task Post(HttpContext context, Func<HttpContext, Task> handler) =>
        HttpMethods.IsPost(context.Request.Method) ? handler(context) : MethodNotAllowed(context, "POST");

    private static Task MethodNotAllowed(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return Text(context, StatusCodes.Status405MethodNotAllowed, "method not allowed\n");
    }

    private static Task Text(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 701, Level = LogLevel.Information, EventName = "LogLevelChanged",
            Message = "Log level set to {Level} through the admin endpoint")]
        public static partial void LogLevelChanged(ILogger logger, LogLevel level);
    }
}
