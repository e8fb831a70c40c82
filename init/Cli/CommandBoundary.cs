using System.CommandLine;
using Capture.Init.Configuration;
using Capture.Init.Logging;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Cli;

/// <summary>
/// The process boundary every verb (apply, explain, diff) runs inside: bind and validate the flags (one line per
/// problem, nothing touched), log to stderr at the requested level with the binding warnings, and turn failures into
/// exit codes (a <see cref="CaptureException"/> is one line, anything else is logged with its stack trace and exits 1).
/// </summary>
internal static partial class CommandBoundary
{
    public static async Task<int> RunAsync(
        ParseResult parseResult,
        CaptureCliServices services,
        Func<CaptureOptions, ILoggerFactory, CancellationToken, Task<ExitCode>> run,
        CancellationToken cancellationToken)
    {
        TextWriter error = services.Console.Error;
        BindResult bound = CaptureOptionsBinder.Bind(parseResult, services.Environment);
        if (!bound.Succeeded)
        {
            // Every problem, one line each; nothing has been changed.
            foreach (string problem in bound.Errors)
            {
                await error.WriteLineAsync("capture-init: " + ErrorText.Shorten(problem)).ConfigureAwait(false);
            }

            return (int)ExitCode.Failure;
        }

        CaptureOptions options = bound.Options;
        // Binding already refused a bad level, so this only converts.
        LogLevel level = LogSettings.TryParseLevel(options.Run.LogOutputLevel, out LogLevel parsed) ? parsed : LogLevel.Information;
        using ILoggerFactory loggerFactory = CaptureLogging.Create(error, new LogSettings(level, options.Run.LogAsJson));
        ILogger logger = loggerFactory.CreateLogger("capture-init");
        foreach (string warning in bound.Warnings)
        {
            Log.ConfigurationWarning(logger, warning);
        }

        try
        {
            return (int)await run(options, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch (CaptureException exception)
        {
            await error.WriteLineAsync("capture-init: " + ErrorText.Shorten(exception.Message)).ConfigureAwait(false);
            return (int)exception.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("capture-init: interrupted").ConfigureAwait(false);
            return (int)ExitCode.Failure;
        }
#pragma warning disable CA1031 // The process boundary: anything unexpected is logged with its stack trace and exits 1.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.Unexpected(logger, exception);
            return (int)ExitCode.Failure;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 301, Level = LogLevel.Warning, EventName = "ConfigurationWarning", Message = "{Warning}")]
        public static partial void ConfigurationWarning(ILogger logger, string warning);

        [LoggerMessage(EventId = 399, Level = LogLevel.Error, EventName = "Unexpected", Message = "capture-init failed unexpectedly")]
        public static partial void Unexpected(ILogger logger, Exception exception);
    }
}
