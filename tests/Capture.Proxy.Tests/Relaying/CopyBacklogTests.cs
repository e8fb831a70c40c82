using Capture.Proxy.Relaying;

namespace Capture.Proxy.Tests.Relaying;

public class CopyBacklogTests
{
    [Fact]
    public void Sent_PartThenRest_PendingShrinksInOrderAndEmpties()
    {
        CopyBacklog backlog = new();

        backlog.Hold("hello world"u8);
        backlog.Sent(6);

        backlog.Count.Should().Be(5);
        backlog.Pending.ToArray().Should().Equal("world"u8.ToArray());

        backlog.Sent(5);

        backlog.Count.Should().Be(0);
        backlog.Pending.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Release_WithBytesHeld_DropsThemAndMayBeRepeated()
    {
        CopyBacklog backlog = new();
        backlog.Hold(new byte[100]);

        backlog.Release();
        backlog.Release(); // a close after the last byte left: nothing to return twice

        backlog.Count.Should().Be(0);
        backlog.Hold("next"u8);
        backlog.Pending.ToArray().Should().Equal("next"u8.ToArray());
    }
}
