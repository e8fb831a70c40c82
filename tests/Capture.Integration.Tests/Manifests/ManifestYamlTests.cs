namespace Capture.Integration.Tests.Manifests;

public sealed class ManifestYamlTests
{
    [Fact]
    public void Parse_NestedMappingsSequencesAndFlowCollections_ReadsEveryValue()
    {
        const string Text = """
            # a comment
            metadata:
              name: pod-1
              annotations:
                prometheus.io/port: "15090"
            spec:
              containers:
              - name: app
                args: ["-x","","-b","*"]
                resources:
                  limits: {cpu: "2", memory: 1Gi}
              - name: sidecar
                ports:
                - containerPort: 15090
                  name: 'http-envoy-prom'
            """;

        object? root = ManifestYaml.Parse(Text);

        ManifestYaml.At(root, "metadata", "name").Should().Be("pod-1");
        ManifestYaml.At(root, "metadata", "annotations", "prometheus.io/port").Should().Be("15090");
        ((List<object?>)ManifestYaml.At(root, "spec", "containers", 0, "args")!).Should().Equal("-x", "", "-b", "*");
        ManifestYaml.At(root, "spec", "containers", 0, "resources", "limits", "memory").Should().Be("1Gi");
        ManifestYaml.At(root, "spec", "containers", 1, "ports", 0, "containerPort").Should().Be("15090");
        ManifestYaml.At(root, "spec", "containers", 1, "ports", 0, "name").Should().Be("http-envoy-prom");
    }

    [Fact]
    public void Parse_TwoDocuments_IsRefused()
    {
        Action parse = () => ManifestYaml.Parse("a: 1\n---\nb: 2\n");

        parse.Should().Throw<FormatException>().WithMessage("2 YAML documents*");
    }
}
