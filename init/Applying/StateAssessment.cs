namespace Capture.Init.Applying;

/// <summary>The verdict on one family's live rules, with what differs (empty unless <see cref="StateKind.Drifted"/>).</summary>
internal sealed record StateAssessment(StateKind Kind, IReadOnlyList<string> Differences)
{
    public static StateAssessment Clean { get; } = new(StateKind.Clean, []);

    public static StateAssessment Current { get; } = new(StateKind.Current, []);
}
