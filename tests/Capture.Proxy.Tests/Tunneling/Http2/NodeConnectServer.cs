using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Capture.Proxy.Tunneling.Http2;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Tunneling.Http2;

/// <summary>node/connect-server.js in a child process on 127.0.0.1, with a throw-away certificate made by openssl for TLS.</summary>
internal sealed class NodeConnectServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly string? _certificateDirectory;
    private readonly X509Certificate2? _certificate;

    private NodeConnectServer(Process process, int port, string? certificateDirectory)
    {
        _process = process;
        Port = port;
        _certificateDirectory = certificateDirectory;
        if (certificateDirectory is not null)
        {
            string pem = File.ReadAllText(Path.Combine(certificateDirectory, "cert.pem"));
            PemFields fields = PemEncoding.Find(pem);
            _certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(pem[fields.Base64Data]));
        }
    }

    public int Port { get; }

    public static async Task<NodeConnectServer> StartAsync(bool tls, int? maxStreams = null, int? window = null)
    {
        string? certificateDirectory = null;
        if (tls)
        {
            certificateDirectory = Directory.CreateTempSubdirectory("capture-h2-").FullName;
            await RunAsync("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=capture-h2-test", "-keyout", Path.Combine(certificateDirectory, "key.pem"), "-out", Path.Combine(certificateDirectory, "cert.pem"));
        }

        var info = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tunneling", "Http2", "node", "connect-server.js"));
        if (certificateDirectory is not null)
        {
            info.ArgumentList.Add("--tls");
            info.ArgumentList.Add(certificateDirectory);
        }

        if (maxStreams is { } streams)
        {
            info.ArgumentList.Add("--max-streams");
            info.ArgumentList.Add(streams.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (window is { } size)
        {
            info.ArgumentList.Add("--window");
            info.ArgumentList.Add(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Process process = Process.Start(info)!;
        string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(StartTimeout);
        if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            string error = await process.StandardError.ReadToEndAsync().WaitAsync(StartTimeout);
            process.Kill();
            throw new InvalidOperationException($"connect-server.js did not start: {line} {error}");
        }

        return new NodeConnectServer(process, int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture), certificateDirectory);
    }

    /// <summary>A TCP (and, for TLS, TLS 1.3 with ALPN h2) transport to the server, and our HTTP/2 connection over it.</summary>
    public async Task<Http2ClientConnection> ConnectAsync(Http2ClientSettings? settings = null)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(System.Net.IPAddress.Loopback, Port).WaitAsync(StartTimeout);
        Stream transport = client.GetStream();
        if (_certificate is not null)
        {
            var tls = new SslStream(transport, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = string.Empty,
                EnabledSslProtocols = SslProtocols.Tls13,
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(_certificate.RawData),
            }).WaitAsync(StartTimeout);
            tls.NegotiatedApplicationProtocol.Should().Be(SslApplicationProtocol.Http2);
            transport = tls;
        }

        return await Http2ClientConnection.StartAsync(transport, settings ?? Http2ClientSettings.Default, TimeProvider.System, NullLogger.Instance, CancellationToken.None)
            .WaitAsync(StartTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            _process.Kill();
        }

        _process.Dispose();
        _certificate?.Dispose();
        if (_certificateDirectory is not null)
        {
            Directory.Delete(_certificateDirectory, recursive: true);
        }
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(StartTimeout);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {await error}");
        }
    }
}
