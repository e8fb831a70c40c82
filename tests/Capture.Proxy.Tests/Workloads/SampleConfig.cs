namespace Capture.Proxy.Tests.Workloads;

/// <summary>A workloads file in ztunnel's shape (HBONE.md §3), used by several tests.</summary>
internal static class SampleConfig
{
    public const string Yaml = """
        workloads:
        - uid: cluster1//v1/Pod/default/reviews-v1
          name: reviews-v1
          namespace: default
          serviceAccount: bookinfo-reviews
          workloadIps: ["10.44.0.20", "fd00::20"]
          protocol: HBONE
          node: node-1
          services:
            "default/reviews.default.svc.cluster.local":
              9080: 9080
        - name: reviews-v2
          namespace: default
          serviceAccount: bookinfo-reviews
          workloadIps: ["10.44.0.21"]
          protocol: HBONE
          services:
            "default/reviews.default.svc.cluster.local": {9080: 9081}
        - name: legacy
          namespace: other
          workloadIps: ["10.44.0.30"]
          protocol: TCP
          authorizationPolicies: [other/only-web]
          services:
            "other/legacy.other.svc.cluster.local": {}
        services:
        - name: reviews
          namespace: default
          hostname: reviews.default.svc.cluster.local
          vips: ["/10.96.0.20", "net1/fd00:96::20"]
          ports: {9080: 9080}
          subjectAltNames: ["spiffe://cluster.local/ns/default/sa/reviews-alias"]
        - name: legacy
          namespace: other
          hostname: legacy.other.svc.cluster.local
          vips: ["10.96.0.30"]
          ports: {80: 8080}
        policies:
        - name: allow-productpage
          namespace: default
          scope: Namespace
          action: Allow
          dryRun: false
          rules:
          - - - principals: [{Exact: "cluster.local/ns/default/sa/bookinfo-productpage"}, {Prefix: "cluster.local/ns/test/"}]
              - namespaces: [{Suffix: "-prod"}]
                notPrincipals: [{Presence: {}}]
            - - destinationPorts: [9080]
                notDestinationPorts: [9999]
          - - - sourceIps: ["10.0.0.0/8", "192.168.1.7"]
                notSourceIps: ["fd00::/8"]
                destinationIps: ["10.96.0.20/32"]
                serviceAccounts: [{namespace: default, serviceAccount: bookinfo-productpage}]
                notServiceAccounts: [{namespace: kube-system, serviceAccount: default}]
        - name: only-web
          namespace: other
          scope: WorkloadSelector
          action: Deny
          dryRun: true
        """;
}
