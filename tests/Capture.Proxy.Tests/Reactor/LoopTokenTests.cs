using Capture.Proxy.Reactor;

namespace Capture.Proxy.Tests.Reactor;

public class LoopTokenTests
{
    [Theory]
    [InlineData(0, 1u)]
    [InlineData(12345, 0xFFFF_FFFFu)]
    [InlineData(0x3FFF_FFFF, 7u)]
    public void Client_And_Upstream_RoundTrip(int slot, uint generation)
    {
        ulong client = LoopToken.Client(slot, generation);
        ulong upstream = LoopToken.Upstream(slot, generation);

        LoopToken.Kind(client).Should().Be(LoopToken.KindClient);
        LoopToken.Kind(upstream).Should().Be(LoopToken.KindUpstream);
        LoopToken.Slot(client).Should().Be(slot);
        LoopToken.Slot(upstream).Should().Be(slot);
        LoopToken.Generation(client).Should().Be(generation);
        client.Should().NotBe(upstream);
    }

    [Fact]
    public void Listener_And_Wake_AreDistinctKinds()
    {
        LoopToken.Kind(LoopToken.Listener(3)).Should().Be(LoopToken.KindListener);
        LoopToken.Slot(LoopToken.Listener(3)).Should().Be(3);
        LoopToken.Kind(LoopToken.Wake).Should().Be(LoopToken.KindWake);
    }
}
