using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Rules;

public class OwnerIdMappingTests
{
    [Fact]
    public void WithOwnerIds_GroupName_EqualsSavedNumber()
    {
        RuleSet plan = new CaptureRuleBuilder().Build(RuleOptions.Default with { OwnerGroupsInclude = ["java", "1234"] }, HostFacts.None);
        string saved = IptablesRestoreRenderer.Render(plan.Ipv4Rules).Replace("--gid-owner java", "--gid-owner 1001", StringComparison.Ordinal);

        IptablesState live = IptablesSaveParser.Parse(saved);
        IptablesState mapped = plan.State(IpFamily.V4).WithOwnerIds((kind, id) => kind == OwnerKind.Gid && id == "java" ? "1001" : null);

        live.Should().NotBe(plan.State(IpFamily.V4));
        live.Should().Be(mapped);
    }

    [Fact]
    public void WithOwnerIds_NothingToMap_SameRuleInstance()
    {
        Rule rule = new(Table.Nat, "ISTIO_OUTPUT", [new OwnerMatch(OwnerKind.Uid, "1337")], VerdictTarget.Return);

        Rule mapped = rule.WithOwnerIds((_, _) => null);

        mapped.Should().BeSameAs(rule);
    }
}
