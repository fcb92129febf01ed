using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;

namespace Sluice.Server.Compat.S3;

/// <summary>
/// The decoded body of an S3 upload, read once, streamed: the bytes as the client meant them (aws-chunked decoded,
/// chunk signatures verified as each chunk ends), their MD5 for the entity tag, and at the end the checks S3 makes
/// of the whole (the claimed SHA-256, Content-MD5, the decoded length). Nothing is buffered beyond one read.
/// </summary>
internal sealed class S3Payload : Stream
{
    /// <summary>x-amz-content-sha256 of a payload that is not signed.</summary>
    public const string Unsigned = "UNSIGNED-PAYLOAD";
    public const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    private readonly Stream _inner;
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private readonly IncrementalHash? _sha256;
    private readonly string? _expectedSha256;
    private readonly string? _contentMd5;
    private readonly long? _expectedLength;
    private long _length;
    private byte[]? _md5Result;

    private S3Payload(Stream inner, string? expectedSha256, string? contentMd5, long? expectedLength)
    {
        _inner = inner;
        _expectedSha256 = expectedSha256;
        _sha256 = expectedSha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _contentMd5 = contentMd5;
        _expectedLength = expectedLength;
    }

    /// <summary>Whether an x-amz-content-sha256 value is one S3 knows.</summary>
    public static bool IsKnownMode(string value) =>
        value is Unsigned or StreamingSigned or StreamingSignedTrailer or StreamingUnsignedTrailer
        || (value.Length == 64 && value.All(char.IsAsciiHexDigitLower));

    /// <summary>The body of <paramref name="context"/>'s request as <paramref name="caller"/> signed it.</summary>
    public static S3Payload Open(HttpContext context, S3Caller caller)
    {
        var request = context.Request;
        var contentMd5 = request.Headers["Content-MD5"].ToString() is { Length: > 0 } md5 ? md5 : null;
        var mode = caller.PayloadHash;
        if (mode is StreamingSigned or StreamingSignedTrailer or StreamingUnsignedTrailer)
        {
            if (!long.TryParse(request.Headers["x-amz-decoded-content-length"], NumberStyles.None, CultureInfo.InvariantCulture, out var decoded))
            {
                throw new S3Exception(411, "MissingContentLength", "You must provide the x-amz-decoded-content-length header with an aws-chunked body");
            }
            var chunked = new AwsChunkedStream(request.Body, mode == StreamingUnsignedTrailer ? null : caller, trailer: mode != StreamingSigned);
            return new S3Payload(chunked, null, contentMd5, decoded);
        }
        return new S3Payload(request.Body, mode == Unsigned ? null : mode, contentMd5, request.ContentLength);
    }

    /// <summary>The MD5 of the whole payload, after <see cref="Verify"/>.</summary>
    public byte[] Md5 => _md5Result ?? throw new InvalidOperationException("the payload was not verified");

    /// <summary>The entity tag of a simple object with this content: its MD5 in hex, in quotes.</summary>
    public string ETag => "\"" + Convert.ToHexStringLower(Md5) + "\"";

    /// <summary>
    /// Called once the payload was read to its end: throws the S3 error when the bytes are not what the client signed
    /// or declared (IncompleteBody, XAmzContentSHA256Mismatch, BadDigest), so the caller writes nothing.
    /// </summary>
    public void Verify()
    {
        if (_expectedLength is { } expected && expected != _length)
        {
            throw new S3Exception(400, "IncompleteBody", $"You did not provide the number of bytes specified by the Content-Length HTTP header ({expected}; {_length} received)");
        }
        _md5Result = _md5.GetHashAndReset();
        if (_sha256 is not null && Convert.ToHexStringLower(_sha256.GetHashAndReset()) != _expectedSha256)
        {
            throw new S3Exception(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        if (_contentMd5 is not null)
        {
            byte[] claimed;
            try
            {
                claimed = Convert.FromBase64String(_contentMd5);
            }
            catch (FormatException)
            {
                throw new S3Exception(400, "InvalidDigest", "The Content-MD5 you specified is not valid base64.");
            }
            if (!claimed.AsSpan().SequenceEqual(_md5Result))
            {
                throw new S3Exception(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
            }
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The socket hands over a few kilobytes per read; gathering up to FillBytes before hashing and writing makes
        // each MD5 update and each file write one large block instead of hundreds of small ones.
        var read = 0;
        var wanted = Math.Min(buffer.Length, FillBytes);
        while (read < wanted)
        {
            var n = await _inner.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        Account(buffer.Span[..read]);
        return read;
    }

    private const int FillBytes = 256 * 1024;

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _inner.Read(buffer, offset, count);
        Account(buffer.AsSpan(offset, read));
        return read;
    }

    private void Account(ReadOnlySpan<byte> bytes)
    {
        _length += bytes.Length;
        if (_expectedLength is { } expected && _length > expected)
        {
            throw new S3Exception(400, "IncompleteBody", $"The body is longer than the {expected} bytes declared");
        }
        _md5.AppendData(bytes);
        _sha256?.AppendData(bytes);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _md5.Dispose();
            _sha256?.Dispose();
        }
        base.Dispose(disposing);
    }
}
