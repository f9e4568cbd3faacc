using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// Tokens that passed every check, so that a client sending the same token again costs a hash instead of
/// a parse and a signature check (<see cref="JwtValidator"/> still checks <c>exp</c> and <c>nbf</c> on every use).
/// <list type="bullet">
/// <item>Keyed by the SHA-256 of the exact token text: the cache never holds a bearer token, and no other
/// text can find an entry.</item>
/// <item>An entry counts only for the <see cref="SigningKeySet.Generation"/> that verified it: once the key
/// set has been re-read and found changed (a rotation, a removed key, any source), every entry is dropped;
/// a re-read that finds the same keys keeps them.</item>
/// <item>At most <see cref="Capacity"/> entries (<c>Auth:ValidatedTokenCacheSize</c>; 0 turns the cache off).
/// A new token arriving when the cache is full empties it first: one clear, no scan, and a gateway with more
/// live tokens than entries pays one signature check per token per fill.</item>
/// </list>
/// Lookups take no lock; additions, which follow a signature check, take one.
/// </summary>
public sealed class ValidatedTokenCache(IOptions<AuthOptions> options)
{
    private readonly ConcurrentDictionary<Digest, ValidatedToken> _entries = new();
    private readonly Lock _gate = new();
    private long _generation;
    private int _count;

    /// <summary>The most entries the cache holds; 0 when it is off.</summary>
    public int Capacity { get; } = Math.Max(0, options.Value.ValidatedTokenCacheSize);

    /// <summary>The entries it holds now, at most <see cref="Capacity"/>.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The entry for <paramref name="token"/>, when one was verified by key set <paramref name="keyGeneration"/>.</summary>
    public ValidatedToken? Find(string token, long keyGeneration)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Capacity > 0 && _entries.TryGetValue(Digest.Of(token), out var entry) && entry.KeyGeneration == keyGeneration
            ? entry
            : null;
    }

    /// <summary>Remember a token that passed every check.</summary>
    public void Add(string token, ValidatedToken entry)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(entry);
        if (Capacity == 0)
        {
            return;
        }

        var digest = Digest.Of(token);
        lock (_gate)
        {
            if (entry.KeyGeneration < _generation)
            {
                // Verified by a key set that has been replaced meanwhile.
                return;
            }

            if (entry.KeyGeneration > _generation)
            {
                // The key set changed: nothing verified by the previous one stays.
                Clear();
                _generation = entry.KeyGeneration;
            }

            if (!_entries.ContainsKey(digest))
            {
                if (_count >= Capacity)
                {
                    Clear();
                }

                _count++;
            }

            _entries[digest] = entry;
        }
    }

    private void Clear()
    {
        _entries.Clear();
        Volatile.Write(ref _count, 0);
    }

    /// <summary>SHA-256 of the token's UTF-16 code units (one-to-one with the text, whatever it holds).</summary>
    private readonly record struct Digest(ulong A, ulong B, ulong C, ulong D)
    {
        public static Digest Of(string token)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(MemoryMarshal.AsBytes(token.AsSpan()), hash);
            var words = MemoryMarshal.Cast<byte, ulong>(hash);
            return new Digest(words[0], words[1], words[2], words[3]);
        }
    }
}
