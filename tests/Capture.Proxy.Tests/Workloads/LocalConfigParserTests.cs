using System.Net;
using Capture.Proxy.Workloads;
using Capture.Proxy.Workloads.Policies;

namespace Capture.Proxy.Tests.Workloads;

public sealed class LocalConfigParserTests
{
    private const string File = "/etc/capture/workloads.yaml";

    [Fact]
    public void Parse_ZtunnelShapedFile_ReadsWorkloads()
    {
        LocalConfig config = LocalConfigParser.Parse(SampleConfig.Yaml, File);

        config.Workloads.Should().HaveCount(3);
        Workload reviews = config.Workloads[0];
        reviews.Uid.Should().Be("cluster1//v1/Pod/default/reviews-v1");
        reviews.Name.Should().Be("reviews-v1");
        reviews.Namespace.Should().Be("default");
        reviews.ServiceAccount.Should().Be("bookinfo-reviews");
        reviews.WorkloadIps.Should().Equal(IPAddress.Parse("10.44.0.20"), IPAddress.Parse("fd00::20"));
        reviews.Protocol.Should().Be(WorkloadProtocol.Hbone);
        reviews.Node.Should().Be("node-1");
        reviews.Services.Should().ContainKey("default/reviews.default.svc.cluster.local")
            .WhoseValue.Should().Equal(new Dictionary<int, int> { [9080] = 9080 });
        config.Workloads[1].Services["default/reviews.default.svc.cluster.local"][9080].Should().Be(9081);
        config.Workloads[2].Protocol.Should().Be(WorkloadProtocol.Tcp);
        config.Workloads[2].ServiceAccount.Should().Be("default");
        config.Workloads[2].AuthorizationPolicies.Should().Equal("other/only-web");
        config.Workloads[2].Services["other/legacy.other.svc.cluster.local"].Should().BeEmpty();
    }

    [Fact]
    public void Parse_ZtunnelShapedFile_ReadsServices()
    {
        LocalConfig config = LocalConfigParser.Parse(SampleConfig.Yaml, File);

        config.Services.Should().HaveCount(2);
        MeshService reviews = config.Services[0];
        reviews.Key.Should().Be("default/reviews.default.svc.cluster.local");
        reviews.Vips.Should().Equal(new ServiceVip("", IPAddress.Parse("10.96.0.20")), new ServiceVip("net1", IPAddress.Parse("fd00:96::20")));
        reviews.Ports.Should().Equal(new Dictionary<int, int> { [9080] = 9080 });
        reviews.SubjectAltNames.Should().Equal("spiffe://cluster.local/ns/default/sa/reviews-alias");
        config.Services[1].Vips.Should().Equal(new ServiceVip("", IPAddress.Parse("10.96.0.30")));
    }

    [Fact]
    public void Parse_ZtunnelShapedFile_ReadsPoliciesIntoTypedRules()
    {
        LocalConfig config = LocalConfigParser.Parse(SampleConfig.Yaml, File);

        config.Policies.Should().HaveCount(2);
        AuthorizationPolicy allow = config.Policies[0];
        allow.Key.Should().Be("default/allow-productpage");
        allow.Scope.Should().Be(PolicyScope.Namespace);
        allow.Action.Should().Be(PolicyAction.Allow);
        allow.DryRun.Should().BeFalse();
        allow.Rules.Should().HaveCount(2);
        allow.Rules[0].Clauses.Should().HaveCount(2);
        PolicyMatch first = allow.Rules[0].Clauses[0].Matches[0];
        first.Principals.Should().Equal(
            new StringMatch(StringMatchKind.Exact, "cluster.local/ns/default/sa/bookinfo-productpage"),
            new StringMatch(StringMatchKind.Prefix, "cluster.local/ns/test/"));
        PolicyMatch second = allow.Rules[0].Clauses[0].Matches[1];
        second.Namespaces.Should().Equal(new StringMatch(StringMatchKind.Suffix, "-prod"));
        second.NotPrincipals.Should().Equal(new StringMatch(StringMatchKind.Presence, ""));
        allow.Rules[0].Clauses[1].Matches[0].DestinationPorts.Should().Equal(9080);
        allow.Rules[0].Clauses[1].Matches[0].NotDestinationPorts.Should().Equal(9999);
        PolicyMatch ips = allow.Rules[1].Clauses[0].Matches[0];
        ips.SourceIps.Should().Equal(IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.1.7/32"));
        ips.NotSourceIps.Should().Equal(IPNetwork.Parse("fd00::/8"));
        ips.DestinationIps.Should().Equal(IPNetwork.Parse("10.96.0.20/32"));
        ips.ServiceAccounts.Should().Equal(new ServiceAccountMatch("default", "bookinfo-productpage"));
        ips.NotServiceAccounts.Should().Equal(new ServiceAccountMatch("kube-system", "default"));
        AuthorizationPolicy deny = config.Policies[1];
        deny.Scope.Should().Be(PolicyScope.WorkloadSelector);
        deny.Action.Should().Be(PolicyAction.Deny);
        deny.DryRun.Should().BeTrue();
        deny.Rules.Should().BeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("workloads: []\nservices:\npolicies: []\n")]
    public void Parse_EmptyFile_ReturnsNoEntries(string yaml)
    {
        LocalConfig config = LocalConfigParser.Parse(yaml, File);

        config.Workloads.Should().BeEmpty();
        config.Services.Should().BeEmpty();
        config.Policies.Should().BeEmpty();
    }

    [Theory]
    [InlineData("workloads:\n- name: a\n  namespace: ns\n  protocl: HBONE\n",
        "/etc/capture/workloads.yaml: workloads[0] (a), field \"protocl\": unknown field; a workload has uid, name,")]
    [InlineData("workloads:\n- name: a\n  namespace: ns\n  protocol: HBONEX\n",
        "/etc/capture/workloads.yaml: workloads[0] (a), field \"protocol\": \"HBONEX\" is not HBONE or TCP (line 4, column 13)")]
    [InlineData("workloads:\n- name: a\n  namespace: ns\n- name: b\n  namespace: ns\n  workloadIps: [10.0.0.1, 10.0.0.256]\n",
        "/etc/capture/workloads.yaml: workloads[1] (b), field \"workloadIps\": \"10.0.0.256\" is not an IPv4 or IPv6 address (line 6, column 27)")]
    [InlineData("workloads:\n- name: a\n  namespace: ns\n  workloadIps: [\"10\"]\n",
        "workloads[0] (a), field \"workloadIps\": \"10\" is not an IPv4 or IPv6 address")]
    [InlineData("workloads:\n- name: a\n  namespace: ns\n  workloadIps: [\"010.0.0.1\"]\n",
        "\"010.0.0.1\" is not an IPv4 or IPv6 address")]
    [InlineData("workloads:\n- name: a\n",
        "/etc/capture/workloads.yaml: workloads[0] (a), field \"namespace\": is required (line 2, column 3)")]
    [InlineData("workloads:\n- namespace: ns\n",
        "workloads[0], field \"name\": is required")]
    [InlineData("workloads:\n- name: a\n  namespace: ns\n  services:\n    reviews: {9080: 9080}\n",
        "workloads[0] (a), field \"services\": \"reviews\" is not namespace/hostname")]
    [InlineData("workloads:\n- name: a\n  namespace: ns\n  services:\n    ns/r.ns.svc: {9080: 70000}\n",
        "workloads[0] (a), field \"services.ns/r.ns.svc\": \"70000\" is not a port number (0 to 65535)")]
    [InlineData("workloads:\n  name: a\n",
        "/etc/capture/workloads.yaml: the file, field \"workloads\": expected a list, found a mapping (line 2, column 3)")]
    [InlineData("workload: []\n",
        "/etc/capture/workloads.yaml: the file, field \"workload\": unknown field; expected workloads, services or policies (line 1, column 1)")]
    [InlineData("services:\n- name: r\n  namespace: ns\n",
        "services[0] (r), field \"hostname\": is required")]
    [InlineData("services:\n- name: r\n  namespace: ns\n  hostname: r.ns.svc\n  vips: [\"/10.96.0.1/24\"]\n",
        "services[0] (r), field \"vips\": \"10.96.0.1/24\" is not an IPv4 or IPv6 address")]
    [InlineData("services:\n- name: r\n  namespace: ns\n  hostname: r.ns.svc\n  subjectAltNames: [\"cluster.local/ns/ns/sa/r\"]\n",
        "services[0] (r), field \"subjectAltNames\": \"cluster.local/ns/ns/sa/r\" is not a spiffe:// identity")]
    [InlineData("services:\n- name: r\n  namespace: ns\n  hostname: r.ns.svc\n  port: {80: 80}\n",
        "services[0] (r), field \"port\": unknown field; a service has name, namespace, hostname, vips, ports, subjectAltNames")]
    [InlineData("policies:\n- name: p\n  namespace: ns\n  scope: Cluster\n",
        "policies[0] (p), field \"scope\": \"Cluster\" is not Global, Namespace or WorkloadSelector (line 4, column 10)")]
    [InlineData("policies:\n- name: p\n  namespace: ns\n  action: allow\n",
        "policies[0] (p), field \"action\": \"allow\" is not Allow or Deny")]
    [InlineData("policies:\n- name: p\n  namespace: ns\n  dryRun: maybe\n",
        "policies[0] (p), field \"dryRun\": \"maybe\" is not true or false")]
    [InlineData("policies:\n- name: p\n  namespace: ns\n  rules: [[[{principal: [{Exact: x}]}]]]\n",
        "policies[0] (p), field \"rules[0][0][0].principal\": unknown field; a match has")]
    [InlineData("policies:\n- name: p\n  namespace: ns\n  rules: [[[{principals: [{Regex: x}]}]]]\n",
        "policies[0] (p), field \"rules[0][0][0].principals\": \"Regex\" is not Exact, Prefix, Suffix or Presence")]
    [InlineData("policies:\n- name: p\n  namespace: ns\n  rules: [[[{sourceIps: [10.0.0.1/8]}]]]\n",
        "policies[0] (p), field \"rules[0][0][0].sourceIps\": \"10.0.0.1/8\" has bits set past its prefix length")]
    [InlineData("policies:\n- name: p\n  namespace: ns\n  rules: [[[{sourceIps: [10.0.0.0/33]}]]]\n",
        "\"10.0.0.0/33\" has a bad prefix length (0 to 32)")]
    [InlineData("policies:\n- name: p\n  namespace: ns\n  rules: [[{destinationPorts: [80]}]]\n",
        "policies[0] (p), field \"rules[0][0]\": expected a list, found a mapping")]
    [InlineData("policies:\n- name: p\n  namespace: ns\n  rules: [[[{serviceAccounts: [{namespace: ns}]}]]]\n",
        "field \"rules[0][0][0].serviceAccounts.serviceAccount\": is required")]
    [InlineData("workloads:\n- name: a\n  namespace: ns\n  workloadIps: [10.0.0.1]\n- name: b\n  namespace: ns\n  workloadIps: [10.0.0.1]\n",
        "workloads[1] (b), field \"workloadIps\": 10.0.0.1 is also the address of workload a")]
    [InlineData("services:\n- {name: r, namespace: ns, hostname: r.ns.svc, vips: [10.96.0.1], ports: {80: 80}}\n- {name: s, namespace: ns, hostname: s.ns.svc, vips: [10.96.0.1], ports: {80: 8080}}\n",
        "services[1] (s), field \"vips\": 10.96.0.1 port 80 also belongs to ns/r.ns.svc")]
    [InlineData("workloads:\n- name: a\n  namespace: ns\n  namespace: ns2\n",
        "/etc/capture/workloads.yaml: not valid YAML:")]
    [InlineData("workloads: [\n",
        "/etc/capture/workloads.yaml: not valid YAML:")]
    public void Parse_BadEntry_NamesFileEntryAndField(string yaml, string expected)
    {
        Action parse = () => LocalConfigParser.Parse(yaml, File);

        parse.Should().Throw<WorkloadsFileException>().Which.Message.Should().Contain(expected).And.NotContain("\n");
    }

    [Fact]
    public void Load_MissingFile_SaysItCannotBeRead()
    {
        string path = Path.Combine(Path.GetTempPath(), "capture-no-such-" + Guid.NewGuid().ToString("N") + ".yaml");

        Action load = () => LocalConfigParser.Load(path);

        load.Should().Throw<WorkloadsFileException>().Which.Message.Should().StartWith(path + ": cannot read the workloads file: ");
    }
}
