namespace Capture.Init.Cli;

/// <summary>What binding reads besides argv: environment variables and the user database (for $ENVOY_USER's uid).</summary>
internal interface IProcessEnvironment
{
    /// <summary>The variable's value, or null when it is not set.</summary>
    string? GetVariable(string name);

    /// <summary>The uid of <paramref name="userName"/> as /etc/passwd lists it, or null when there is no such user.</summary>
    string? LookupUserId(string userName);
}
