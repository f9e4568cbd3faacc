namespace Entitlements;

/// <summary>
/// Grain references for the calls every grant makes, without Orleans' type resolution on each one.
/// <c>IGrainFactory.GetGrain&lt;T&gt;(key)</c> works out the interface's grain interface type (reading its
/// attributes and formatting its name) and the grain type that implements it every time it is called:
/// about 4% of the gateway's CPU samples during grants (BENCHMARKS.md, change 22). Both are fixed for an
/// interface once the cluster's type map knows it, so the first reference, made the ordinary way, gives
/// them, and later references are built from its grain type and interface type with only the key new.
/// A reference whose grain type Orleans could not resolve yet (a system type: a stub that Orleans
/// resolves later) is not learnt from, and the next call goes the ordinary way again.
/// </summary>
public static class GrainReferences
{
    /// <summary>The grain of <typeparamref name="TGrain"/> with string key <paramref name="key"/>.</summary>
    public static TGrain Reference<TGrain>(this IGrainFactory grains, string key)
        where TGrain : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return Resolved<TGrain>.Types is { } types
            ? (TGrain)grains.GetGrain(GrainId.Create(types.Type, key), types.Interface)
            : Resolved<TGrain>.Learn(grains.GetGrain<TGrain>(key));
    }

    /// <summary>The grain of <typeparamref name="TGrain"/> with GUID key <paramref name="key"/>.</summary>
    public static TGrain Reference<TGrain>(this IGrainFactory grains, Guid key)
        where TGrain : IGrainWithGuidKey
    {
        ArgumentNullException.ThrowIfNull(grains);
        return Resolved<TGrain>.Types is { } types
            ? (TGrain)grains.GetGrain(GrainId.Create(types.Type, GrainIdKeyExtensions.CreateGuidKey(key)), types.Interface)
            : Resolved<TGrain>.Learn(grains.GetGrain<TGrain>(key));
    }

    private static class Resolved<TGrain>
    {
        /// <summary>Written once, read without a lock: a reader that sees null resolves the ordinary way.</summary>
        public static ResolvedTypes? Types;

        public static TGrain Learn(TGrain reference)
        {
            if (reference is GrainReference grain && !grain.GrainId.Type.ToString()!.StartsWith(GrainTypePrefix.SystemPrefix, StringComparison.Ordinal))
            {
                Types = new ResolvedTypes(grain.GrainId.Type, grain.InterfaceType);
            }

            return reference;
        }
    }

    private sealed record ResolvedTypes(GrainType Type, GrainInterfaceType Interface);
}
