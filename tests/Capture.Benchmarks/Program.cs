using BenchmarkDotNet.Running;

namespace Capture.Benchmarks;

public static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
