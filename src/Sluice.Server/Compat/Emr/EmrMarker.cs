using System.Buffers.Text;
using System.Text;

namespace Sluice.Server.Compat.Emr;

/// <summary>EMR listing markers: opaque to clients (base64url of a versioned sort key); one this API did not issue is refused.</summary>
internal static class EmrMarker
{
    private const string Version = "emr1:";

    public static string? Encode(string? key) => key is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Version + key));

    public static string? Decode(string? marker)
    {
        if (string.IsNullOrEmpty(marker))
        {
            return null;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(marker));
            if (text.StartsWith(Version, StringComparison.Ordinal) && text.Length > Version.Length && !text.Any(char.IsControl))
            {
                return text[Version.Length..];
            }
        }
        catch (FormatException)
        {
        }
        throw new EmrException(EmrException.InvalidRequest, $"Marker '{marker}' was not issued by this listing; pass the Marker of the previous page, or none for the first page");
    }
}
