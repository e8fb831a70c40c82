using Capture.Proxy.Listening;

namespace Capture.Proxy.Tests.Listening;

public class DescriptorHeadroomTests
{
    [Theory]
    [InlineData(64UL, 16)] // tiny limits still leave room for an admin request and a pipe or two
    [InlineData(256UL, 16)]
    [InlineData(1024UL, 64)] // a sixteenth
    [InlineData(4096UL, 256)]
    [InlineData(1_048_576UL, 256)] // containerd's default: a fixed, small reserve
    public void DescriptorHeadroom_ScalesWithTheLimitWithinBounds(ulong softLimit, int expected)
    {
        AcceptLimits.DescriptorHeadroom(softLimit).Should().Be(expected);
    }
}
