using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sluice.Contracts;

namespace Sluice.Server.Compat.S3;

/// <summary>
/// Decodes an aws-chunked body (<c>SIZE;chunk-signature=SIG\r\nDATA\r\n</c> … <c>0;chunk-signature=SIG\r\n</c>, then
/// trailing headers when the mode has a trailer) into the payload bytes, verifying each chunk's signature when its
/// data ends: a chain from the request's seed signature over the hash of each chunk, so no chunk can be changed,
/// dropped or reordered. Chunk data passes straight through (no chunk is buffered); a bad signature throws, and the
/// caller, which commits nothing before the end, writes nothing.
/// </summary>
internal sealed class AwsChunkedStream(Stream inner, S3Caller? signer, bool trailer) : Stream
{
    private const int MaxLineBytes = 4096;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly IncrementalHash? _chunkHash = signer is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _position;
    private int _end;
    private long _left;
    private bool _inChunk;
    private bool _done;
    private string? _chunkSignature;
    private string _previousSignature = signer?.Signature ?? "";

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_done || destination.Length == 0)
            {
                return 0;
            }
            if (_left > 0)
            {
                var wanted = (int)Math.Min(destination.Length, _left);
                int got;
                if (_position < _end)
                {
                    got = Math.Min(wanted, _end - _position);
                    _buffer.AsSpan(_position, got).CopyTo(destination.Span);
                    _position += got;
                }
                else
                {
                    got = await inner.ReadAsync(destination[..wanted], cancellationToken).ConfigureAwait(false);
                    if (got == 0)
                    {
                        throw Incomplete();
                    }
                }
                _chunkHash?.AppendData(destination.Span[..got]);
                _left -= got;
                return got;
            }
            if (_inChunk)
            {
                if (await ReadLineAsync(cancellationToken).ConfigureAwait(false) != "")
                {
                    throw Malformed("a chunk's data is not followed by CRLF");
                }
                VerifyChunk();
                _inChunk = false;
            }
            await StartChunkAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StartChunkAsync(CancellationToken cancellationToken)
    {
        var header = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var semicolon = header.IndexOf(';', StringComparison.Ordinal);
        var sizeText = semicolon < 0 ? header : header[..semicolon];
        if (!long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
        {
            throw Malformed($"a chunk header is not SIZE[;chunk-signature=…]: '{Printable(header)}'");
        }
        _chunkSignature = null;
        if (semicolon >= 0)
        {
            const string Prefix = "chunk-signature=";
            var extension = header[(semicolon + 1)..];
            if (!extension.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw Malformed($"a chunk header has an unknown extension: '{Printable(header)}'");
            }
            _chunkSignature = extension[Prefix.Length..];
        }
        if (signer is not null && _chunkSignature is null)
        {
            throw S3Errors.SignatureDoesNotMatch("A chunk of the aws-chunked body carries no chunk-signature");
        }
        if (size > 0)
        {
            _left = size;
            _inChunk = true;
            return;
        }
        // The final, empty chunk is signed too; then the trailer (if the mode has one) and the closing CRLF.
        VerifyChunk();
        _done = true;
        if (!trailer)
        {
            if (_position < _end || await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await ReadLineAsync(cancellationToken).ConfigureAwait(false) != "")
                {
                    throw Malformed("the final chunk is not followed by CRLF");
                }
            }
            return;
        }
        await ReadTrailerAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadTrailerAsync(CancellationToken cancellationToken)
    {
        var canonical = new StringBuilder();
        string? trailerSignature = null;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line.Length == 0)
            {
                break;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Malformed($"a trailing header is not NAME:VALUE: '{Printable(line)}'");
            }
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (name == "x-amz-trailer-signature")
            {
                trailerSignature = value;
            }
            else
            {
                canonical.Append(name).Append(':').Append(value).Append('\n');
            }
        }
        if (signer is null)
        {
            return;
        }
        if (trailerSignature is null)
        {
            throw S3Errors.SignatureDoesNotMatch("The aws-chunked trailer carries no x-amz-trailer-signature");
        }
        var toSign = $"AWS4-HMAC-SHA256-TRAILER\n{signer.AmzDate}\n{signer.Scope}\n{_previousSignature}\n{SigV4.HashHex(Encoding.UTF8.GetBytes(canonical.ToString()))}";
        if (Sign(toSign) != trailerSignature)
        {
            throw S3Errors.SignatureDoesNotMatch("The trailer signature of the aws-chunked body does not match");
        }
    }

    private void VerifyChunk()
    {
        if (signer is null || _chunkHash is null)
        {
            return;
        }
        var chunkHash = Convert.ToHexStringLower(_chunkHash.GetHashAndReset());
        var toSign = $"AWS4-HMAC-SHA256-PAYLOAD\n{signer.AmzDate}\n{signer.Scope}\n{_previousSignature}\n{SigV4.EmptyPayloadHash}\n{chunkHash}";
        var expected = Sign(toSign);
        if (!string.Equals(expected, _chunkSignature, StringComparison.Ordinal))
        {
            throw S3Errors.SignatureDoesNotMatch("The chunk signature of the aws-chunked body does not match: the chunk was changed, or signed with another key");
        }
        _previousSignature = expected;
    }

    private string Sign(string toSign) => Convert.ToHexStringLower(HMACSHA256.HashData(signer!.SigningKey, Encoding.UTF8.GetBytes(toSign)));

    /// <summary>One line without its CRLF, from the buffer, refilled as needed.</summary>
    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_position == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw Incomplete();
            }
            var span = _buffer.AsSpan(_position, _end - _position);
            var lf = span.IndexOf((byte)'\n');
            var take = lf < 0 ? span.Length : lf;
            line.AddRange(span[..take]);
            _position += lf < 0 ? take : take + 1;
            if (line.Count > MaxLineBytes)
            {
                throw Malformed("a chunk header line is too long");
            }
            if (lf >= 0)
            {
                if (line.Count == 0 || line[^1] != (byte)'\r')
                {
                    throw Malformed("a chunk header line does not end with CRLF");
                }
                return Encoding.ASCII.GetString([.. line.Take(line.Count - 1)]);
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        _position = 0;
        _end = await inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }

    private static S3Exception Incomplete() => new(400, "IncompleteBody", "The aws-chunked body ended before its final chunk");

    private static S3Exception Malformed(string why) => new(400, "InvalidChunkSizeError", "The aws-chunked body is malformed: " + why);

    private static string Printable(string value) => value.Length > 80 ? value[..80] + "…" : value;

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Request bodies are read asynchronously only (Kestrel refuses synchronous reads).
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chunkHash?.Dispose();
        }
        base.Dispose(disposing);
    }
}
