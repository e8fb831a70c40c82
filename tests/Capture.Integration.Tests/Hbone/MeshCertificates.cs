using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Hbone;

/// <summary>
/// Credentials minted by <c>scripts/hbone-certs.sh</c> (OpenSSL) in a temporary directory that UID 1337 can read:
/// one mesh root CA in <c>ca/</c>, and one pilot-agent style directory (cert-chain.pem, key.pem, root-cert.pem) per
/// service account or per odd credential a refusal test needs. Deleted on dispose.
/// </summary>
internal sealed class MeshCertificates : IDisposable
{
    public const string TrustDomain = "cluster.local";

    private MeshCertificates(string root) => Root = root;

    public string Root { get; }

    public string CaDirectory => Path.Combine(Root, "ca");

    /// <summary>A CA in <c>ca/</c> and a credentials directory <c>default.&lt;sa&gt;</c> for each service account.</summary>
    public static MeshCertificates Create(params string[] serviceAccounts)
    {
        string root = System.IO.Directory.CreateTempSubdirectory("cap-hbone-certs-").FullName;
        MeshCertificates certificates = new(root);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(root, (UnixFileMode)0x1ED); // 0755: the proxies run as UID 1337
            }

            Script(["ca", certificates.CaDirectory]);
            foreach (string account in serviceAccounts)
            {
                certificates.Issue("default." + account, account);
            }

            return certificates;
        }
        catch
        {
            certificates.Dispose();
            throw;
        }
    }

    public static string Identity(string serviceAccount, string trustDomain = TrustDomain) =>
        $"spiffe://{trustDomain}/ns/default/sa/{serviceAccount}";

    /// <summary>The credentials directory named <paramref name="name"/>.</summary>
    public string Directory(string name) => Path.Combine(Root, name);

    /// <summary>
    /// Writes (or, on an existing directory, rotates) credentials <paramref name="name"/> for service account
    /// <paramref name="serviceAccount"/> in namespace default, issued by <paramref name="caDirectory"/> (the mesh CA by
    /// default), owned by 1337. <paramref name="options"/> go to the script (<c>--trust-domain</c>, <c>--uri</c>, …).
    /// </summary>
    public string Issue(string name, string serviceAccount, string? caDirectory = null, params string[] options)
    {
        string directory = Directory(name);
        Script(["workload", caDirectory ?? CaDirectory, directory, "default", serviceAccount, "--owner", "1337:1337", .. options]);
        return directory;
    }

    /// <summary>Another root CA (<c>Root/&lt;name&gt;</c>), unknown to the mesh.</summary>
    public string OtherCa(string name)
    {
        string directory = Directory(name);
        Script(["ca", directory, "--name", name]);
        return directory;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Already gone.
        }
    }

    private static void Script(IEnumerable<string> arguments) =>
        ProcessRunner.Run(Path.Combine(PublishedExecutables.RepositoryRoot(), "scripts", "hbone-certs.sh"), arguments).EnsureSuccess();
}
