using Capture.Init.Iptables;

namespace Capture.Init.Tests.Iptables;

/// <summary>
/// Records every command and answers from a script: the first matching response (by file name and, optionally, a
/// predicate on the arguments and stdin) is used; responses marked <c>once</c> are consumed. Unscripted commands succeed
/// with empty output, so a test scripts only what matters to it.
/// </summary>
internal sealed class FakeIptablesRunner : IIptablesRunner
{
    private readonly List<Response> _responses = [];
    private readonly List<Invocation> _invocations = [];

    public IReadOnlyList<Invocation> Invocations { get { lock (_invocations) { return [.. _invocations]; } } }

    /// <summary>Answers <paramref name="file"/> (when <paramref name="when"/> holds) with the given result.</summary>
    public FakeIptablesRunner On(string file, int exitCode = 0, string stdout = "", string stderr = "", Func<Invocation, bool>? when = null, bool once = false)
    {
        lock (_responses)
        {
            _responses.Add(new Response(file, when, exitCode, stdout, stderr, once));
        }

        return this;
    }

    public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, string? stdin, CancellationToken cancellationToken)
    {
        Invocation invocation = new(file, [.. arguments], stdin);
        lock (_invocations)
        {
            _invocations.Add(invocation);
        }

        Response? response;
        lock (_responses)
        {
            response = _responses.FirstOrDefault(r => r.File == file && (r.When is null || r.When(invocation)));
            if (response is { Once: true })
            {
                _responses.Remove(response);
            }
        }

        string commandLine = CommandResult.Format(file, arguments);
        return Task.FromResult(response is null
            ? new CommandResult(commandLine, 0, string.Empty, string.Empty)
            : new CommandResult(commandLine, response.ExitCode, response.Stdout, response.Stderr));
    }

    internal sealed record Invocation(string File, IReadOnlyList<string> Arguments, string? Stdin)
    {
        public override string ToString() => CommandResult.Format(File, Arguments);
    }

    private sealed record Response(string File, Func<Invocation, bool>? When, int ExitCode, string Stdout, string Stderr, bool Once);
}
