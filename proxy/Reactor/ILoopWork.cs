namespace Capture.Proxy.Reactor;

/// <summary>Work posted to an event loop from another thread (see <see cref="EventLoop.Post"/>); runs on the loop's thread.</summary>
internal interface ILoopWork
{
    void Run();
}
