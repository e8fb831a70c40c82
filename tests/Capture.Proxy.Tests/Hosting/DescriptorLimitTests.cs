using Capture.Proxy.Hosting;

namespace Capture.Proxy.Tests.Hosting;

public class DescriptorLimitTests
{
    [Fact]
    public void Decide_SoftAtTheMinimum_LeavesIt() =>
        DescriptorLimit.Decide(DescriptorLimit.Minimum, 1024).Should().Be((0UL, (string?)null));

    [Fact]
    public void Decide_SoftLowHardEnough_RaisesToTheHardLimit() =>
        DescriptorLimit.Decide(100, 1_048_576).Should().Be((1_048_576UL, (string?)null));

    [Fact]
    public void Decide_HardTooLow_SaysTheLimitAndTheMinimum()
    {
        (ulong raiseTo, string? problem) = DescriptorLimit.Decide(100, 100);

        raiseTo.Should().Be(0);
        problem.Should().Be("the open-file limit (ulimit -n, RLIMIT_NOFILE) is 100 (hard limit 100); capture-proxy needs at least 256 " +
            "descriptors: raise the container's nofile limit.");
    }
}
