using System.Globalization;
using Microsoft.AspNetCore.Http;
using Sluice.Core.ObjectStorage;

namespace Sluice.Server.Compat.S3;

/// <summary>
/// CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload and ListParts. Parts are staged
/// (<see cref="S3Uploads"/>) and joined by the kernel into one object of the local store when the upload completes.
/// </summary>
internal sealed class S3MultipartOperations(S3Buckets buckets, S3Uploads uploads, TimeProvider time)
{
    /// <summary>The smallest a part other than the last may be: 5 MiB, as S3.</summary>
    public const long MinPartBytes = 5L << 20;

    public const int MaxPartNumber = 10_000;

    public async Task CreateAsync(S3Call call)
    {
        var bucket = await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var uri = S3ObjectOperations.WritableUri(bucket, call.Request.Key);
        var upload = uploads.Create(uri.Bucket, call.Request.Key, call.AccountId,
            call.Headers.ContentType.ToString() is { Length: > 0 } type ? type : null, S3ObjectOperations.UserMetadata(call.Headers), time.GetUtcNow());
        var body = S3Xml.Document("InitiateMultipartUploadResult", xml =>
        {
            xml.WriteElementString("Bucket", upload.Bucket);
            xml.WriteElementString("Key", upload.Key);
            xml.WriteElementString("UploadId", upload.Id);
        });
        await S3Xml.WriteAsync(call.Context, body).ConfigureAwait(false);
    }

    public async Task UploadPartAsync(S3Call call)
    {
        await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var upload = uploads.Find(call.Request["uploadId"]!, call.Request.Bucket, call.Request.Key);
        if (!int.TryParse(call.Request["partNumber"], NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > MaxPartNumber)
        {
            throw S3Errors.InvalidArgument($"Part number must be an integer between 1 and {MaxPartNumber}, inclusive");
        }
        S3ObjectOperations.AllowLargeBody(call);
        using var payload = S3Payload.Open(call.Context, call.Caller);
        var part = await uploads.StageAsync(upload, number, payload, call.Aborted).ConfigureAwait(false);
        call.Response.Headers.ETag = part.ETag;
        call.Response.StatusCode = StatusCodes.Status200OK;
        call.Response.ContentLength = 0;
    }

    public async Task CompleteAsync(S3Call call)
    {
        var bucket = await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var upload = uploads.Find(call.Request["uploadId"]!, call.Request.Bucket, call.Request.Key);
        var request = S3Xml.Parse(await S3Body.ReadSmallAsync(call, S3BucketOperations.MaxXmlBytes).ConfigureAwait(false));
        if (request.Name.LocalName != "CompleteMultipartUpload")
        {
            throw S3Errors.MalformedXml("the root element must be CompleteMultipartUpload");
        }
        var staged = uploads.Parts(upload).ToDictionary(p => p.Number);
        var chosen = new List<S3Uploads.Part>();
        foreach (var element in S3Xml.Children(request, "Part"))
        {
            if (!int.TryParse(S3Xml.Child(element, "PartNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw S3Errors.MalformedXml("each Part needs a PartNumber");
            }
            if (chosen.Count > 0 && number <= chosen[^1].Number)
            {
                throw new S3Exception(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.");
            }
            var etag = (S3Xml.Child(element, "ETag") ?? "").Trim().Trim('"');
            if (!staged.TryGetValue(number, out var part) || !string.Equals(part.Md5Hex, etag, StringComparison.OrdinalIgnoreCase))
            {
                throw new S3Exception(400, "InvalidPart", $"One or more of the specified parts could not be found: part {number} with ETag \"{etag}\". The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.");
            }
            chosen.Add(part);
        }
        if (chosen.Count == 0)
        {
            throw S3Errors.MalformedXml("CompleteMultipartUpload must name at least one Part");
        }
        for (var i = 0; i < chosen.Count - 1; i++)
        {
            if (chosen[i].Size < MinPartBytes)
            {
                throw new S3Exception(400, "EntityTooSmall", $"Your proposed upload is smaller than the minimum allowed object size: part {chosen[i].Number} is {chosen[i].Size} bytes; every part but the last must be at least 5 MiB");
            }
        }
        var uri = S3ObjectOperations.WritableUri(bucket, upload.Key);
        var attributes = new ObjectAttributes(S3Uploads.MultipartETag(chosen), upload.ContentType, upload.Metadata);
        var info = await buckets.Store.PutFilesAsync(uri, [.. chosen.Select(p => p.Path)], attributes, call.Aborted).ConfigureAwait(false);
        uploads.Delete(upload);
        var body = S3Xml.Document("CompleteMultipartUploadResult", xml =>
        {
            xml.WriteElementString("Location", $"{call.Context.Request.Scheme}://{call.Context.Request.Host}/{upload.Bucket}/{Uri.EscapeDataString(upload.Key).Replace("%2F", "/", StringComparison.Ordinal)}");
            xml.WriteElementString("Bucket", upload.Bucket);
            xml.WriteElementString("Key", upload.Key);
            xml.WriteElementString("ETag", info.ETag);
        });
        await S3Xml.WriteAsync(call.Context, body).ConfigureAwait(false);
    }

    public async Task AbortAsync(S3Call call)
    {
        await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var upload = uploads.Find(call.Request["uploadId"]!, call.Request.Bucket, call.Request.Key);
        uploads.Delete(upload);
        call.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async Task ListPartsAsync(S3Call call)
    {
        await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var upload = uploads.Find(call.Request["uploadId"]!, call.Request.Bucket, call.Request.Key);
        var marker = 0;
        if (call.Request["part-number-marker"] is { Length: > 0 } m && !int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out marker))
        {
            throw S3Errors.InvalidArgument("part-number-marker must be an integer");
        }
        var maxParts = 1000;
        if (call.Request["max-parts"] is { Length: > 0 } max && (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out maxParts) || maxParts < 0))
        {
            throw S3Errors.InvalidArgument("max-parts must be a non-negative integer");
        }
        maxParts = Math.Min(maxParts, 1000);
        var after = uploads.Parts(upload).Where(p => p.Number > marker).ToList();
        var page = after.Take(maxParts).ToList();
        var truncated = after.Count > page.Count;
        var body = S3Xml.Document("ListPartsResult", xml =>
        {
            xml.WriteElementString("Bucket", upload.Bucket);
            xml.WriteElementString("Key", upload.Key);
            xml.WriteElementString("UploadId", upload.Id);
            xml.WriteElementString("PartNumberMarker", Number(marker));
            if (page.Count > 0)
            {
                xml.WriteElementString("NextPartNumberMarker", Number(page[^1].Number));
            }
            xml.WriteElementString("MaxParts", Number(maxParts));
            xml.WriteElementString("IsTruncated", truncated ? "true" : "false");
            xml.WriteElementString("StorageClass", "STANDARD");
            xml.WriteStartElement("Initiator");
            xml.WriteElementString("ID", upload.AccountId);
            xml.WriteElementString("DisplayName", upload.AccountId);
            xml.WriteEndElement();
            xml.WriteStartElement("Owner");
            xml.WriteElementString("ID", upload.AccountId);
            xml.WriteElementString("DisplayName", upload.AccountId);
            xml.WriteEndElement();
            foreach (var part in page)
            {
                xml.WriteStartElement("Part");
                xml.WriteElementString("PartNumber", Number(part.Number));
                xml.WriteElementString("LastModified", S3Xml.Time(part.LastModified));
                xml.WriteElementString("ETag", part.ETag);
                xml.WriteElementString("Size", Number(part.Size));
                xml.WriteEndElement();
            }
        });
        await S3Xml.WriteAsync(call.Context, body).ConfigureAwait(false);
    }

    public async Task ListUploadsAsync(S3Call call)
    {
        var bucket = await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var prefix = call.Request["prefix"] ?? "";
        var keyMarker = call.Request["key-marker"] ?? "";
        var idMarker = call.Request["upload-id-marker"] ?? "";
        var maxUploads = 1000;
        if (call.Request["max-uploads"] is { Length: > 0 } max && (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out maxUploads) || maxUploads < 0))
        {
            throw S3Errors.InvalidArgument("max-uploads must be a non-negative integer");
        }
        maxUploads = Math.Min(maxUploads, 1000);
        // After the marker: keys past key-marker, or the same key with uploads after upload-id-marker (S3's order).
        var all = uploads.List(bucket.Bucket).Where(u => u.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var start = 0;
        if (keyMarker.Length > 0)
        {
            var at = idMarker.Length > 0 ? all.FindIndex(u => u.Key == keyMarker && u.Id == idMarker) : -1;
            start = at >= 0 ? at + 1 : all.FindIndex(u => string.CompareOrdinal(u.Key, keyMarker) > 0);
            start = start < 0 ? all.Count : start;
        }
        var rest = all.Skip(start).ToList();
        var page = rest.Take(maxUploads).ToList();
        var truncated = rest.Count > page.Count;
        var body = S3Xml.Document("ListMultipartUploadsResult", xml =>
        {
            xml.WriteElementString("Bucket", bucket.Bucket);
            xml.WriteElementString("KeyMarker", keyMarker);
            xml.WriteElementString("UploadIdMarker", idMarker);
            if (truncated)
            {
                xml.WriteElementString("NextKeyMarker", page[^1].Key);
                xml.WriteElementString("NextUploadIdMarker", page[^1].Id);
            }
            xml.WriteElementString("Prefix", prefix);
            xml.WriteElementString("MaxUploads", Number(maxUploads));
            xml.WriteElementString("IsTruncated", truncated ? "true" : "false");
            foreach (var upload in page)
            {
                xml.WriteStartElement("Upload");
                xml.WriteElementString("Key", upload.Key);
                xml.WriteElementString("UploadId", upload.Id);
                foreach (var who in People)
                {
                    xml.WriteStartElement(who);
                    xml.WriteElementString("ID", upload.AccountId);
                    xml.WriteElementString("DisplayName", upload.AccountId);
                    xml.WriteEndElement();
                }
                xml.WriteElementString("StorageClass", "STANDARD");
                xml.WriteElementString("Initiated", S3Xml.Time(upload.Initiated));
                xml.WriteEndElement();
            }
        });
        await S3Xml.WriteAsync(call.Context, body).ConfigureAwait(false);
    }

    private static readonly string[] People = ["Initiator", "Owner"];

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
