using Capture.Proxy.Reactor;

namespace Capture.Proxy.Tests.Reactor;

public class LoopTokenTests
{
    [Theory]
    [InlineData(0, 1u)]
    [InlineData(12345, 0xFFFF_FFFFu)]
    [InlineData(0x3FFF_FFFF, 7u)]
    public void For_EveryChannel_RoundTripsSlotGenerationAndChannel(int slot, uint generation)
    {
        LoopRegistration registration = new(slot, generation);

        for (int channel = 0; channel <= LoopToken.MaxChannel; channel++)
        {
            ulong token = LoopToken.For(registration, channel);

            LoopToken.Kind(token).Should().Be(channel);
            LoopToken.Slot(token).Should().Be(slot);
            LoopToken.Generation(token).Should().Be(generation);
        }

        LoopToken.For(registration, 0).Should().NotBe(LoopToken.For(registration, 1));
    }

    [Fact]
    public void Wake_IsNoHandlerChannel()
    {
        LoopToken.Kind(LoopToken.Wake).Should().Be(LoopToken.KindWake);
        LoopToken.KindWake.Should().BeGreaterThan(LoopToken.MaxChannel);
    }
}
