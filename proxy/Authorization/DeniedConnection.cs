using Capture.Proxy.Contracts;

namespace Capture.Proxy.Authorization;

/// <summary>
/// What a denied plaintext inbound connection is handed to: reset at once (no upstream connect was made), its access
/// log line ending <c>end=denied</c> with the policy that decided. Only denials allocate one.
/// </summary>
internal sealed class DeniedConnection(string policy) : IConnectionHandler
{
    public void Handle(HandedOffConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (policy.Length > 0)
        {
            connection.SetPolicy(policy);
        }

        connection.Complete(ConnectionEndReason.Denied); // not Completed: the client socket is closed with a reset
    }
}
