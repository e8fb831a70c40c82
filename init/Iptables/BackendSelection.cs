namespace Capture.Init.Iptables;

/// <summary>The backend chosen for one family, with the <c>-save</c> output read while choosing: the state snapshot.</summary>
internal sealed record BackendSelection(IptablesBackend Backend, string SaveOutput);
