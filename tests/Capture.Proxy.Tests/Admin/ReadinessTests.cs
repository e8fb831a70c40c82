using Capture.Proxy.Admin;

namespace Capture.Proxy.Tests.Admin;

public class ReadinessTests
{
    [Fact]
    public void New_IsStartingAndNotReady()
    {
        Readiness readiness = new();

        readiness.State.Should().Be(ReadinessState.Starting);
        readiness.IsReady.Should().BeFalse();
    }

    [Fact]
    public void MarkReady_FromStarting_IsReady()
    {
        Readiness readiness = new();

        bool changed = readiness.MarkReady();

        changed.Should().BeTrue();
        readiness.IsReady.Should().BeTrue();
    }

    [Fact]
    public void MarkDraining_FromReady_IsNotReadyAndStaysSo()
    {
        Readiness readiness = new();
        readiness.MarkReady();

        bool drained = readiness.MarkDraining();
        bool readyAgain = readiness.MarkReady();

        drained.Should().BeTrue();
        readyAgain.Should().BeFalse();
        readiness.State.Should().Be(ReadinessState.Draining);
        readiness.IsReady.Should().BeFalse();
    }

    [Fact]
    public void MarkDraining_BeforeReady_PreventsReady()
    {
        Readiness readiness = new();

        readiness.MarkDraining();
        bool ready = readiness.MarkReady();

        ready.Should().BeFalse();
        readiness.State.Should().Be(ReadinessState.Draining);
    }

    [Fact]
    public void MarkStopped_IsFinal()
    {
        Readiness readiness = new();
        readiness.MarkReady();

        readiness.MarkStopped().Should().BeTrue();

        readiness.MarkDraining().Should().BeFalse();
        readiness.MarkStopped().Should().BeFalse();
        readiness.State.Should().Be(ReadinessState.Stopped);
    }
}
