using Capture.Proxy.Workloads;

namespace Capture.Proxy.Tests.Authorization;

/// <summary>Builds workloads files for the authorization tests in the file's own YAML, through the real parser.</summary>
internal static class PolicyYaml
{
    /// <summary>Two workloads: <c>reviews</c> (default, 10.44.0.20, names default/picked) and <c>ratings</c> (other, 10.44.0.30).</summary>
    public const string Workloads = """
        workloads:
        - name: reviews
          namespace: default
          serviceAccount: bookinfo-reviews
          workloadIps: ["10.44.0.20", "fd00::20"]
          protocol: HBONE
          authorizationPolicies: [default/picked]
        - name: ratings
          namespace: other
          workloadIps: ["10.44.0.30"]
          protocol: HBONE

        """;

    public static LocalConfig Config(string policies) => LocalConfigParser.Parse(Workloads + "policies:" + (policies.StartsWith('[') ? " " : "\n") + policies, "/test/workloads.yaml");

    /// <summary>One Global Allow policy named <c>p</c> whose only rule has one clause with <paramref name="match"/> (a YAML flow mapping).</summary>
    public static LocalConfig OneMatch(string match) => Config($"""
        - name: p
          namespace: default
          scope: Global
          action: Allow
          rules: [[[{(match.StartsWith('{') ? match : "{" + match + "}")}]]]

        """);
}
