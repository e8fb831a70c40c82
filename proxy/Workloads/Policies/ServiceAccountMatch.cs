namespace Capture.Proxy.Workloads.Policies;

/// <summary>A source service account, <c>{namespace, serviceAccount}</c>, matched exactly.</summary>
internal readonly record struct ServiceAccountMatch(string Namespace, string ServiceAccount);
