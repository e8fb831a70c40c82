using System.Security.Cryptography.X509Certificates;

namespace Capture.Proxy.Identity;

/// <summary>How peers' chains are verified: against the mesh roots only, never the system store, no revocation fetches.</summary>
internal static class TrustPolicy
{
    public static X509ChainPolicy Create(X509Certificate2Collection roots)
    {
        X509ChainPolicy policy = new()
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            // Istio's workload certificates carry no CRL or OCSP locations, and the proxy must not call out.
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    /// <summary>The chain's problems as one short phrase, for logs.</summary>
    public static string Describe(X509ChainStatus[] status)
    {
        if (status.Length == 0)
        {
            return "unknown reason";
        }

        string[] parts = new string[status.Length];
        for (int i = 0; i < status.Length; i++)
        {
            parts[i] = status[i].StatusInformation.Trim().TrimEnd('.');
            if (parts[i].Length == 0)
            {
                parts[i] = status[i].Status.ToString();
            }
        }

        return string.Join("; ", parts);
    }
}
