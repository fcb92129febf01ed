using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Sluice.Server.Compat.S3;

/// <summary>
/// The multipart uploads in progress, staged under the local store's root in <c>.s3-uploads/UPLOAD-ID/</c> (a dot
/// folder: no bucket can be named so, so nothing staged is ever visible as an object): the upload's description in
/// <c>upload.json</c> and each part as <c>NNNNN.MD5</c>, written under a temporary name and renamed into place, so a
/// part is whole or absent and its entity tag is in its name.
/// </summary>
internal sealed class S3Uploads(S3Buckets buckets)
{
    private const string InfoFile = "upload.json";
    private readonly string _root = Path.Combine(buckets.Store.Root, ".s3-uploads");

    /// <summary>What CreateMultipartUpload was told.</summary>
    public sealed record Upload(string Id, string Bucket, string Key, string AccountId, string? ContentType, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset Initiated);

    /// <summary>A staged part.</summary>
    public sealed record Part(int Number, string Md5Hex, long Size, DateTimeOffset LastModified, string Path)
    {
        public string ETag => "\"" + Md5Hex + "\"";
    }

    public Upload Create(string bucket, string key, string accountId, string? contentType, IReadOnlyDictionary<string, string> metadata, DateTimeOffset now)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var folder = Path.Combine(_root, id);
        Directory.CreateDirectory(folder);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("bucket", bucket);
            json.WriteString("key", key);
            json.WriteString("accountId", accountId);
            json.WriteString("contentType", contentType);
            json.WriteString("initiated", now);
            json.WriteStartObject("meta");
            foreach (var (name, value) in metadata)
            {
                json.WriteString(name, value);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        File.WriteAllBytes(Path.Combine(folder, InfoFile), buffer.ToArray());
        return new Upload(id, bucket, key, accountId, contentType, metadata, now);
    }

    /// <summary>The upload, which must be of this bucket and key (any key when null); otherwise NoSuchUpload.</summary>
    public Upload Find(string uploadId, string bucket, string? key)
    {
        var folder = FolderOf(uploadId);
        Upload upload;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, InfoFile)));
            var root = document.RootElement;
            var meta = root.GetProperty("meta").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
            upload = new Upload(uploadId, root.GetProperty("bucket").GetString()!, root.GetProperty("key").GetString()!, root.GetProperty("accountId").GetString()!,
                root.GetProperty("contentType").GetString(), meta, root.GetProperty("initiated").GetDateTimeOffset());
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw S3Errors.NoSuchUpload(uploadId);
        }
        if (upload.Bucket != bucket || (key is not null && upload.Key != key))
        {
            throw S3Errors.NoSuchUpload(uploadId);
        }
        return upload;
    }

    /// <summary>The uploads in progress into the bucket, by key then initiation time.</summary>
    public IReadOnlyList<Upload> List(string bucket)
    {
        var uploads = new List<Upload>();
        if (!Directory.Exists(_root))
        {
            return uploads;
        }
        foreach (var folder in new DirectoryInfo(_root).EnumerateDirectories())
        {
            try
            {
                var upload = Find(folder.Name, bucket, null);
                uploads.Add(upload);
            }
            catch (S3Exception)
            {
                // another bucket's, or completed or aborted meanwhile
            }
        }
        uploads.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key) is var byKey and not 0 ? byKey : a.Initiated.CompareTo(b.Initiated));
        return uploads;
    }

    /// <summary>Stages a part from the verified payload, replacing an earlier part of that number.</summary>
    public async Task<Part> StageAsync(Upload upload, int number, S3Payload payload, CancellationToken cancellationToken)
    {
        var folder = FolderOf(upload.Id);
        var temp = Path.Combine(folder, "tmp-" + Guid.NewGuid().ToString("N"));
        try
        {
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            await using (file.ConfigureAwait(false))
            {
                await payload.CopyToAsync(file, 1 << 20, cancellationToken).ConfigureAwait(false);
            }
            payload.Verify();
            var md5 = Convert.ToHexStringLower(payload.Md5);
            var path = Path.Combine(folder, Name(number, md5));
            File.Move(temp, path, overwrite: true);
            foreach (var earlier in PartsOf(folder).Where(p => p.Number == number && p.Path != path))
            {
                File.Delete(earlier.Path);
            }
            var info = new FileInfo(path);
            return new Part(number, md5, info.Length, info.LastWriteTimeUtc, path);
        }
        catch (DirectoryNotFoundException)
        {
            throw S3Errors.NoSuchUpload(upload.Id); // aborted meanwhile
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The staged parts by number.</summary>
    public IReadOnlyList<Part> Parts(Upload upload) => PartsOf(FolderOf(upload.Id));

    /// <summary>Removes the upload and its parts.</summary>
    public void Delete(Upload upload)
    {
        try
        {
            Directory.Delete(FolderOf(upload.Id), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // removed by a concurrent abort or complete: gone either way
        }
    }

    private static List<Part> PartsOf(string folder)
    {
        var parts = new List<Part>();
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles())
        {
            var name = file.Name;
            if (name.Length == 38 && name[5] == '.' && int.TryParse(name.AsSpan(0, 5), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                parts.Add(new Part(number, name[6..], file.Length, file.LastWriteTimeUtc, file.FullName));
            }
        }
        parts.Sort((a, b) => a.Number.CompareTo(b.Number));
        return parts;
    }

    private static string Name(int number, string md5Hex) => string.Create(CultureInfo.InvariantCulture, $"{number:D5}.{md5Hex}");

    private string FolderOf(string uploadId)
    {
        // Upload ids are 32 lower-case hex digits: anything else could name a path, and names no upload.
        if (uploadId.Length != 32 || !uploadId.All(char.IsAsciiHexDigitLower))
        {
            throw S3Errors.NoSuchUpload(uploadId);
        }
        return Path.Combine(_root, uploadId);
    }

    /// <summary>S3's entity tag of a multipart object: the MD5 of the parts' binary MD5s, then "-" and the part count.</summary>
    public static string MultipartETag(IReadOnlyList<Part> parts)
    {
        var concatenated = new byte[parts.Count * 16];
        for (var i = 0; i < parts.Count; i++)
        {
            Convert.FromHexString(parts[i].Md5Hex).CopyTo(concatenated, i * 16);
        }
#pragma warning disable CA5351 // S3 defines the entity tag with MD5; it is no security check
        var hash = MD5.HashData(concatenated);
#pragma warning restore CA5351
        return string.Create(CultureInfo.InvariantCulture, $"\"{Convert.ToHexStringLower(hash)}-{parts.Count}\"");
    }
}
