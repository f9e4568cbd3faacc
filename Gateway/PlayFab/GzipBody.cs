using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Entitlements.Gateway.PlayFab;

/// <summary>
/// Decompresses a gzip body (RFC 1952) only when it is whole: one member, or several one after the other (as
/// gunzip and .NET's <see cref="GZipStream"/> read them), each read to its 8-byte trailer, whose CRC-32 and length
/// must be those of the member's data, and nothing after the last. <see cref="GZipStream"/> checks a trailer it
/// finds, but takes a body cut anywhere in its last member (its trailer missing, or its data), or followed by
/// other bytes, as if it were whole.
/// </summary>
internal static class GzipBody
{
    /// <summary>What the inflater is given at once while it looks for the end of a member's data.</summary>
    private const int ChunkBytes = 1024;

    private const byte FlagHeaderCrc = 0x02;
    private const byte FlagExtra = 0x04;
    private const byte FlagName = 0x08;
    private const byte FlagComment = 0x10;
    private const byte FlagsReserved = 0xE0;

    public enum Outcome
    {
        Read,
        TooLarge,
        Corrupt,
    }

    /// <summary>Writes the data of <paramref name="wire"/>'s members to <paramref name="output"/>, no more than <paramref name="maxBytes"/> in all.</summary>
    public static Outcome Decompress(byte[] wire, int maxBytes, MemoryStream output)
    {
        var chunk = new byte[16 * 1024];
        var offset = 0;
        do
        {
            var dataStart = HeaderEnd(wire, offset);
            if (dataStart < 0)
            {
                return Outcome.Corrupt;
            }

            // The inflater does not say where the member's compressed data ended. Given the data in chunks, it stops
            // within the last one; given that chunk again one byte at a time, it stops on the data's last byte.
            var memberStart = (int)output.Length;
            var (outcome, lastChunk, _) = Inflate(wire, dataStart, wire.Length, maxBytes, output, chunk);
            if (outcome != Outcome.Read)
            {
                return outcome;
            }

            output.SetLength(memberStart);
            (outcome, _, var dataEnd) = Inflate(wire, dataStart, lastChunk, maxBytes, output, chunk);
            if (outcome != Outcome.Read)
            {
                return outcome;
            }

            var data = output.GetBuffer().AsSpan(memberStart, (int)output.Length - memberStart);
            var trailer = wire.AsSpan(dataEnd);
            if (trailer.Length < 8
                || BinaryPrimitives.ReadUInt32LittleEndian(trailer) != Crc32.HashToUInt32(data)
                || BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]) != (uint)data.Length)
            {
                return Outcome.Corrupt;
            }

            offset = dataEnd + 8;
        }
        while (offset < wire.Length);

        return Outcome.Read;
    }

    /// <summary>Where the compressed data of the member at <paramref name="start"/> begins, or -1 when its header is not gzip's.</summary>
    private static int HeaderEnd(byte[] wire, int start)
    {
        // ID1, ID2, CM (8: deflate), FLG, MTIME (4 bytes), XFL, OS; then the optional fields FLG names, in this order.
        var header = wire.AsSpan(start);
        if (header.Length < 10 || header[0] != 0x1F || header[1] != 0x8B || header[2] != 8 || (header[3] & FlagsReserved) != 0)
        {
            return -1;
        }

        var flags = header[3];
        var end = 10;
        if ((flags & FlagExtra) != 0)
        {
            end = header.Length < end + 2 ? -1 : end + 2 + BinaryPrimitives.ReadUInt16LittleEndian(header[end..]);
        }

        foreach (var text in (ReadOnlySpan<byte>)[FlagName, FlagComment])
        {
            if (end >= 0 && (flags & text) != 0)
            {
                // A zero-terminated string.
                var length = end > header.Length ? -1 : header[end..].IndexOf((byte)0);
                end = length < 0 ? -1 : end + length + 1;
            }
        }

        if (end >= 0 && (flags & FlagHeaderCrc) != 0)
        {
            // The low 16 bits of the CRC-32 of the header before it (zlib checks it too).
            end = header.Length < end + 2
                || BinaryPrimitives.ReadUInt16LittleEndian(header[end..]) != (ushort)Crc32.HashToUInt32(header[..end]) ? -1 : end + 2;
        }

        return end < 0 || end > header.Length ? -1 : start + end;
    }

    /// <summary>
    /// Inflates the deflate data at <paramref name="start"/> to its end, given in chunks and from <paramref name="singleBytesFrom"/>
    /// one byte at a time: the data ends after <c>LastChunk</c>, and no later than <c>Given</c> (there, when the last
    /// chunk was a single byte).
    /// </summary>
    private static (Outcome Outcome, int LastChunk, int Given) Inflate(
        byte[] wire, int start, int singleBytesFrom, int maxBytes, MemoryStream output, byte[] chunk)
    {
        var feed = new Feed(wire, start, singleBytesFrom);
        using var inflater = new DeflateStream(feed, CompressionMode.Decompress);
        try
        {
            int read;
            while ((read = inflater.Read(chunk)) > 0)
            {
                if (output.Length + read > maxBytes)
                {
                    return (Outcome.TooLarge, 0, 0);
                }

                output.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException)
        {
            return (Outcome.Corrupt, 0, 0);
        }

        // The inflater asks for more only while its data has not ended: the body ended first.
        return feed.Exhausted ? (Outcome.Corrupt, 0, 0) : (Outcome.Read, feed.LastStart, feed.Given);
    }

    /// <summary>The bytes from a start, handed to the inflater in chunks, one at a time from a point.</summary>
    private sealed class Feed(byte[] wire, int start, int singleBytesFrom) : Stream
    {
        /// <summary>Where the bytes handed so far end.</summary>
        public int Given { get; private set; } = start;

        /// <summary>Where the last chunk handed began.</summary>
        public int LastStart { get; private set; } = start;

        /// <summary>The inflater asked for more when there was none.</summary>
        public bool Exhausted { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var length = Math.Min(Math.Min(buffer.Length, ChunkBytes), wire.Length - Given);
            if (Given >= singleBytesFrom)
            {
                length = Math.Min(length, 1);
            }
            else
            {
                length = Math.Min(length, singleBytesFrom - Given);
            }

            if (length <= 0)
            {
                Exhausted = true;
                return 0;
            }

            wire.AsSpan(Given, length).CopyTo(buffer);
            LastStart = Given;
            Given += length;
            return length;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
