namespace Sluice.Server.Compat.S3;

/// <summary>Reads the small request bodies of S3 (XML documents), checked as the caller signed them.</summary>
internal static class S3Body
{
    /// <summary>The whole body, at most <paramref name="limit"/> bytes (else MaxMessageLengthExceeded), verified.</summary>
    public static async Task<byte[]> ReadSmallAsync(S3Call call, int limit)
    {
        if (call.Context.Request.ContentLength > limit)
        {
            throw new S3Exception(400, "MaxMessageLengthExceeded", $"Your request was too big: at most {limit} bytes here");
        }
        using var payload = S3Payload.Open(call.Context, call.Caller);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await payload.ReadAsync(chunk, call.Aborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new S3Exception(400, "MaxMessageLengthExceeded", $"Your request was too big: at most {limit} bytes here");
            }
            buffer.Write(chunk, 0, read);
        }
        payload.Verify();
        return buffer.ToArray();
    }
}
