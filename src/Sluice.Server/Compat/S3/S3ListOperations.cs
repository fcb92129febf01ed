using System.Globalization;
using System.Text;
using System.Xml;
using Sluice.Core.Ports;

namespace Sluice.Server.Compat.S3;

/// <summary>
/// ListObjectsV2 and ListObjects (v1) over the store's paged listing: prefix, delimiter (common prefixes), max-keys
/// (at most 1000), v2's continuation-token and start-after, v1's marker, and <c>encoding-type=url</c>, which awscli
/// always asks for.
/// </summary>
internal sealed class S3ListOperations(S3Buckets buckets)
{
    private const int MaxKeys = 1000;

    public async Task ListV2Async(S3Call call)
    {
        var request = call.Request;
        var uri = await buckets.OpenAsync(call.AccountId, request.Bucket, call.Aborted).ConfigureAwait(false);
        var token = request["continuation-token"];
        string? marker = request["start-after"] is { Length: > 0 } after ? after : null;
        if (token is not null)
        {
            marker = DecodeToken(token);
        }
        var (listing, maxKeys, prefix, delimiter, url) = await ListAsync(call, uri, marker).ConfigureAwait(false);
        var body = S3Xml.Document("ListBucketResult", xml =>
        {
            xml.WriteElementString("Name", uri.Bucket);
            xml.WriteElementString("Prefix", Encode(prefix, url));
            if (delimiter is not null)
            {
                xml.WriteElementString("Delimiter", Encode(delimiter, url));
            }
            xml.WriteElementString("MaxKeys", Number(maxKeys));
            if (url)
            {
                xml.WriteElementString("EncodingType", "url");
            }
            xml.WriteElementString("KeyCount", Number(listing.Objects.Count + listing.CommonPrefixes.Count));
            xml.WriteElementString("IsTruncated", listing.NextMarker is null ? "false" : "true");
            if (token is not null)
            {
                xml.WriteElementString("ContinuationToken", token);
            }
            if (listing.NextMarker is not null)
            {
                xml.WriteElementString("NextContinuationToken", EncodeToken(listing.NextMarker));
            }
            if (request["start-after"] is { Length: > 0 } startAfter)
            {
                xml.WriteElementString("StartAfter", Encode(startAfter, url));
            }
            WriteEntries(xml, listing, url);
        });
        await S3Xml.WriteAsync(call.Context, body).ConfigureAwait(false);
    }

    public async Task ListV1Async(S3Call call)
    {
        var request = call.Request;
        var uri = await buckets.OpenAsync(call.AccountId, request.Bucket, call.Aborted).ConfigureAwait(false);
        var marker = request["marker"] is { Length: > 0 } m ? m : null;
        var (listing, maxKeys, prefix, delimiter, url) = await ListAsync(call, uri, marker).ConfigureAwait(false);
        var body = S3Xml.Document("ListBucketResult", xml =>
        {
            xml.WriteElementString("Name", uri.Bucket);
            xml.WriteElementString("Prefix", Encode(prefix, url));
            xml.WriteElementString("Marker", Encode(marker ?? "", url));
            if (listing.NextMarker is not null)
            {
                xml.WriteElementString("NextMarker", Encode(listing.NextMarker, url));
            }
            xml.WriteElementString("MaxKeys", Number(maxKeys));
            if (delimiter is not null)
            {
                xml.WriteElementString("Delimiter", Encode(delimiter, url));
            }
            if (url)
            {
                xml.WriteElementString("EncodingType", "url");
            }
            xml.WriteElementString("IsTruncated", listing.NextMarker is null ? "false" : "true");
            WriteEntries(xml, listing, url);
        });
        await S3Xml.WriteAsync(call.Context, body).ConfigureAwait(false);
    }

    private async Task<(ObjectListing Listing, int MaxKeys, string Prefix, string? Delimiter, bool Url)> ListAsync(S3Call call, Core.ObjectStorage.ObjectUri bucket, string? marker)
    {
        var request = call.Request;
        var maxKeys = MaxKeys;
        if (request["max-keys"] is { } max && (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out maxKeys) || maxKeys < 0))
        {
            throw S3Errors.InvalidArgument("max-keys must be a non-negative integer");
        }
        maxKeys = Math.Min(maxKeys, MaxKeys);
        var url = request["encoding-type"] switch
        {
            null or "" => false,
            "url" => true,
            var other => throw S3Errors.InvalidArgument($"Invalid Encoding Method specified in Request: '{other}'; only 'url' is known"),
        };
        var prefix = request["prefix"] ?? "";
        var delimiter = request["delimiter"] is { Length: > 0 } d ? d : null;
        if (maxKeys == 0)
        {
            return (new ObjectListing([], [], null), maxKeys, prefix, delimiter, url);
        }
        Core.ObjectStorage.ObjectUri prefixUri;
        try
        {
            prefixUri = bucket.WithKey(prefix);
        }
        catch (Core.ServiceException)
        {
            // A prefix no stored key can start with ('..', control characters): nothing matches it.
            return (new ObjectListing([], [], null), maxKeys, prefix, delimiter, url);
        }
        // Normalizing drops '.' segments and doubled '/'; a prefix that changes so matches keys the client did not ask for.
        if (prefixUri.Key != prefix)
        {
            return (new ObjectListing([], [], null), maxKeys, prefix, delimiter, url);
        }
        var listing = await buckets.Store.ListAsync(prefixUri, delimiter, marker, maxKeys, call.Aborted).ConfigureAwait(false);
        return (listing, maxKeys, prefix, delimiter, url);
    }

    private static void WriteEntries(XmlWriter xml, ObjectListing listing, bool url)
    {
        foreach (var item in listing.Objects)
        {
            xml.WriteStartElement("Contents");
            xml.WriteElementString("Key", Encode(item.Key, url));
            xml.WriteElementString("LastModified", S3Xml.Time(item.LastModified));
            xml.WriteElementString("ETag", item.ETag);
            xml.WriteElementString("Size", Number(item.Size));
            xml.WriteElementString("StorageClass", "STANDARD");
            xml.WriteEndElement();
        }
        foreach (var prefix in listing.CommonPrefixes)
        {
            xml.WriteStartElement("CommonPrefixes");
            xml.WriteElementString("Prefix", Encode(prefix, url));
            xml.WriteEndElement();
        }
    }

    // S3 percent-encodes with '/' kept; clients decode with unquote (botocore: unquote_plus, so '+' must be %2B).
    private static string Encode(string value, bool url) =>
        url ? string.Join('/', value.Split('/').Select(Uri.EscapeDataString)) : value;

    private static string EncodeToken(string marker) => Convert.ToBase64String(Encoding.UTF8.GetBytes(marker));

    private static string DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw S3Errors.InvalidArgument("The continuation token provided is incorrect");
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
