using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Explain;

/// <summary>
/// Reads live rules with iptables-save through the same backend detection as apply (legacy when it already holds
/// rules, else nft), inside the target namespace, and parses them into the rule model.
/// </summary>
internal sealed class SystemLiveRules : ILiveRules
{
    private readonly ILoggerFactory _loggerFactory;

    public SystemLiveRules(ILoggerFactory loggerFactory) => _loggerFactory = loggerFactory;

    public async Task<IptablesState> ReadAsync(IpFamily family, RunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ILogger logger = _loggerFactory.CreateLogger<SystemLiveRules>();
        var runner = new ProcessIptablesRunner(options.NetworkNamespace, new Dictionary<string, string>(), _loggerFactory.CreateLogger<ProcessIptablesRunner>());
        var detector = new IptablesBackendDetector(new IptablesCommands(runner), logger);
        BackendSelection selection = await detector.DetectAsync(family, options.ForceIptablesBinary, cancellationToken).ConfigureAwait(false);
        try
        {
            return IptablesSaveParser.Parse(selection.SaveOutput);
        }
        catch (FormatException exception)
        {
            throw new CaptureException($"cannot read the output of {selection.Backend.Save}: {exception.Message}", exception);
        }
    }

    public async Task<IReadOnlyList<RouteCommand>> ReadRoutingAsync(IReadOnlyList<RouteCommand> planned, RunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(options);
        var runner = new ProcessIptablesRunner(options.NetworkNamespace, new Dictionary<string, string>(), _loggerFactory.CreateLogger<ProcessIptablesRunner>());
        var commands = new IptablesCommands(runner);
        var present = new List<RouteCommand>();
        if (planned.Count > 0)
        {
            RoutingState state = await RoutingState.ReadAsync(commands, planned, cancellationToken).ConfigureAwait(false);
            present.AddRange(planned.Where(state.Holds));
        }

        foreach (RouteCommand found in await RoutingState.ReadTproxyAsync(commands, [IpFamily.V4, IpFamily.V6], cancellationToken).ConfigureAwait(false))
        {
            if (!present.Contains(found))
            {
                present.Add(found);
            }
        }

        return present;
    }
}
