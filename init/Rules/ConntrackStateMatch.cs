namespace Capture.Init.Rules;

/// <summary><c>-m conntrack [!] --ctstate A,B</c>.</summary>
internal sealed record ConntrackStateMatch(ConntrackStates States, bool Negated = false) : Match
{
    // libxt_conntrack prints the states in this order, so a rendered rule reads like its saved form.
    private static readonly (ConntrackStates State, string Name)[] s_names =
    [
        (ConntrackStates.Invalid, "INVALID"),
        (ConntrackStates.New, "NEW"),
        (ConntrackStates.Related, "RELATED"),
        (ConntrackStates.Established, "ESTABLISHED"),
        (ConntrackStates.Untracked, "UNTRACKED"),
        (ConntrackStates.Snat, "SNAT"),
        (ConntrackStates.Dnat, "DNAT"),
    ];

    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-m");
        tokens.Add("conntrack");
        AppendNegation(tokens, Negated);
        tokens.Add("--ctstate");
        var names = new List<string>(2);
        foreach ((ConntrackStates state, string name) in s_names)
        {
            if ((States & state) != 0)
            {
                names.Add(name);
            }
        }

        tokens.Add(string.Join(',', names));
    }

    /// <summary>Parses <c>RELATED,ESTABLISHED</c>; false on an unknown state.</summary>
    public static bool TryParseStates(string text, out ConntrackStates states)
    {
        states = ConntrackStates.None;
        foreach (string part in text.Split(','))
        {
            ConntrackStates found = ConntrackStates.None;
            foreach ((ConntrackStates state, string name) in s_names)
            {
                if (string.Equals(name, part, StringComparison.OrdinalIgnoreCase))
                {
                    found = state;
                }
            }

            if (found == ConntrackStates.None)
            {
                return false;
            }

            states |= found;
        }

        return true;
    }
}
