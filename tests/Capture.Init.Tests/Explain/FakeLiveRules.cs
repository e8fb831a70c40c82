using Capture.Init.Configuration;
using Capture.Init.Explain;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Explain;

/// <summary>Live rules from fixed states (one per family), or a failure to read them; routing as given (default: the planned routing, nothing else).</summary>
internal sealed class FakeLiveRules(IptablesState ipv4, IptablesState? ipv6 = null, Exception? failure = null, IReadOnlyList<RouteCommand>? routing = null) : ILiveRules
{
    public Task<IReadOnlyList<RouteCommand>> ReadRoutingAsync(IReadOnlyList<RouteCommand> planned, RunOptions options, CancellationToken cancellationToken) =>
        Task.FromResult(routing ?? planned);

    public Task<IptablesState> ReadAsync(IpFamily family, RunOptions options, CancellationToken cancellationToken) =>
        failure is not null
            ? Task.FromException<IptablesState>(failure)
            : Task.FromResult(family == IpFamily.V4 ? ipv4 : ipv6 ?? IptablesState.Empty);
}
