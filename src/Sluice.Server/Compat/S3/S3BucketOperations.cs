using Microsoft.AspNetCore.Http;
using Sluice.Server.Api;

namespace Sluice.Server.Compat.S3;

/// <summary>ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation and DeleteObjects.</summary>
internal sealed class S3BucketOperations(S3Buckets buckets, ApiSettings settings)
{
    /// <summary>The largest XML request body read (a DeleteObjects of 1000 long keys, a CreateBucketConfiguration).</summary>
    public const int MaxXmlBytes = 4 << 20;

    public async Task ListBucketsAsync(S3Call call)
    {
        var mine = new List<(string Name, DateTimeOffset Created)>();
        foreach (var bucket in buckets.Store.ListBuckets())
        {
            if (await buckets.MayUseAsync(call.AccountId, S3Buckets.BucketUri(bucket.Name), call.Aborted).ConfigureAwait(false))
            {
                mine.Add(bucket);
            }
        }
        var body = S3Xml.Document("ListAllMyBucketsResult", xml =>
        {
            xml.WriteStartElement("Owner");
            xml.WriteElementString("ID", call.AccountId);
            xml.WriteElementString("DisplayName", call.AccountId);
            xml.WriteEndElement();
            xml.WriteStartElement("Buckets");
            foreach (var (name, created) in mine)
            {
                xml.WriteStartElement("Bucket");
                xml.WriteElementString("Name", name);
                xml.WriteElementString("CreationDate", S3Xml.Time(created));
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        });
        await S3Xml.WriteAsync(call.Context, body).ConfigureAwait(false);
    }

    public async Task CreateBucketAsync(S3Call call)
    {
        var uri = S3Buckets.BucketUri(call.Request.Bucket);
        var body = await S3Body.ReadSmallAsync(call, MaxXmlBytes).ConfigureAwait(false);
        if (body.Length > 0)
        {
            var constraint = S3Xml.Child(S3Xml.Parse(body), "LocationConstraint");
            if (!string.IsNullOrEmpty(constraint) && constraint != settings.Region)
            {
                throw new S3Exception(400, "IllegalLocationConstraintException",
                    $"The '{constraint}' location constraint is incompatible with this server's region '{settings.Region}'");
            }
        }
        try
        {
            await buckets.AuthorizeAsync(call.AccountId, uri, call.Aborted, claim: true).ConfigureAwait(false);
        }
        catch (S3Exception e) when (e.Code == "AccessDenied")
        {
            throw new S3Exception(409, "BucketAlreadyExists", $"The requested bucket name '{uri.Bucket}' is not available: it belongs to another account. Select a different name and try again.");
        }
        if (buckets.Store.BucketExists(uri))
        {
            throw new S3Exception(409, "BucketAlreadyOwnedByYou", $"Your previous request to create the named bucket '{uri.Bucket}' succeeded and you already own it.");
        }
        await buckets.Store.CreateBucketAsync(uri, call.Aborted).ConfigureAwait(false);
        call.Response.Headers.Location = "/" + uri.Bucket;
        call.Response.StatusCode = StatusCodes.Status200OK;
        call.Response.ContentLength = 0;
    }

    public async Task HeadBucketAsync(S3Call call)
    {
        await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        call.Response.Headers["x-amz-bucket-region"] = settings.Region;
        call.Response.StatusCode = StatusCodes.Status200OK;
    }

    public async Task GetBucketLocationAsync(S3Call call)
    {
        await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var body = S3Xml.Document(null, xml =>
        {
            xml.WriteStartElement("LocationConstraint", S3Xml.Namespace);
            xml.WriteString(settings.Region);
            xml.WriteEndElement();
        });
        await S3Xml.WriteAsync(call.Context, body).ConfigureAwait(false);
    }

    public async Task DeleteBucketAsync(S3Call call)
    {
        var uri = await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        await buckets.Store.DeleteBucketAsync(uri, call.Aborted).ConfigureAwait(false);
        // The owner stays recorded: the name, which steps' log URIs may still name, stays the account's.
        call.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async Task DeleteObjectsAsync(S3Call call)
    {
        var uri = await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var request = S3Xml.Parse(await S3Body.ReadSmallAsync(call, MaxXmlBytes).ConfigureAwait(false));
        if (request.Name.LocalName != "Delete")
        {
            throw S3Errors.MalformedXml("the root element must be Delete");
        }
        var quiet = string.Equals(S3Xml.Child(request, "Quiet"), "true", StringComparison.OrdinalIgnoreCase);
        var keys = S3Xml.Children(request, "Object").Select(o => S3Xml.Child(o, "Key")).ToList();
        if (keys.Count is 0 or > 1000 || keys.Any(k => k is null))
        {
            throw S3Errors.MalformedXml("Delete must hold 1 to 1000 Object elements, each with a Key");
        }
        var deleted = new List<string>();
        var errors = new List<(string Key, S3Exception Error)>();
        foreach (var key in keys)
        {
            try
            {
                var objectUri = S3Buckets.KeyUri(uri.Bucket, key!);
                if (!objectUri.IsPrefix)
                {
                    await buckets.Store.DeleteAsync(objectUri, call.Aborted).ConfigureAwait(false);
                }
                deleted.Add(key!);
            }
            catch (S3Exception e)
            {
                errors.Add((key!, e));
            }
            catch (Core.ServiceException e)
            {
                errors.Add((key!, S3Errors.From(e, uri.Bucket, key!)));
            }
        }
        var body = S3Xml.Document("DeleteResult", xml =>
        {
            foreach (var key in quiet ? [] : deleted)
            {
                xml.WriteStartElement("Deleted");
                xml.WriteElementString("Key", key);
                xml.WriteEndElement();
            }
            foreach (var (key, error) in errors)
            {
                xml.WriteStartElement("Error");
                xml.WriteElementString("Key", key);
                xml.WriteElementString("Code", error.Code);
                xml.WriteElementString("Message", error.Message);
                xml.WriteEndElement();
            }
        });
        await S3Xml.WriteAsync(call.Context, body).ConfigureAwait(false);
    }
}
