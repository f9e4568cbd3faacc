using System.Diagnostics;

namespace Entitlements.Diagnostics;

/// <summary>
/// For a grain's background loop that a call starts but does not belong to (the relay's and the webhooks'
/// pumps, woken by whichever grant came first): leave the waking call's trace and request context, so that
/// the loop's log lines, grain calls and HTTP requests, made for every player's notifications for as long
/// as it runs, start traces of their own rather than hang under one unrelated request.
/// </summary>
public static class DetachedWork
{
    /// <summary>
    /// Clear the current activity and Orleans' request context. Call it first thing inside the loop's own
    /// async method: the change then holds for that method only, and its caller keeps its own.
    /// </summary>
    public static void Detach()
    {
        Activity.Current = null;
        RequestContext.Clear();
    }
}
