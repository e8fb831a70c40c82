using Capture.Init.Cli;

namespace Capture.Init.Tests.Fakes;

/// <summary>Environment variables and users from dictionaries, so binding never reads the real process environment.</summary>
internal sealed class FakeProcessEnvironment : IProcessEnvironment
{
    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _users = new(StringComparer.Ordinal);

    public FakeProcessEnvironment Set(string name, string value)
    {
        _variables[name] = value;
        return this;
    }

    public FakeProcessEnvironment WithUser(string name, string uid)
    {
        _users[name] = uid;
        return this;
    }

    public string? GetVariable(string name) => _variables.GetValueOrDefault(name);

    public string? LookupUserId(string userName) => _users.GetValueOrDefault(userName);
}
