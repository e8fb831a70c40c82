using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>Reads the rules the kernel holds now (explain <c>--live</c>, diff); tests substitute a fixed state.</summary>
internal interface ILiveRules
{
    /// <summary>
    /// The live rules of <paramref name="family"/> in <see cref="RunOptions.NetworkNamespace"/> (or the current
    /// namespace), read with the backend apply would choose (<see cref="RunOptions.ForceIptablesBinary"/> or detection).
    /// </summary>
    Task<IptablesState> ReadAsync(IpFamily family, RunOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// The routing the namespace holds: those of <paramref name="planned"/> in place, and every TPROXY <c>ip rule</c>
    /// and local route found (<see cref="RoutingState.ReadTproxyAsync"/>), as the commands that add them.
    /// </summary>
    Task<IReadOnlyList<RouteCommand>> ReadRoutingAsync(IReadOnlyList<RouteCommand> planned, RunOptions options, CancellationToken cancellationToken);
}
