namespace Sluice.Client;

/// <summary>
/// An access key (key id and secret) that signs requests with AWS Signature Version 4. The secret never
/// crosses the wire. Credentials loaded from the environment or a profile also carry the endpoint found there.
/// </summary>
public sealed class SluiceCredentials
{
    /// <summary>The environment variable holding the access key id: <c>SLUICE_ACCESS_KEY_ID</c>.</summary>
    public const string AccessKeyIdVariable = "SLUICE_ACCESS_KEY_ID";
    /// <summary>The environment variable holding the secret access key: <c>SLUICE_SECRET_ACCESS_KEY</c>.</summary>
    public const string SecretAccessKeyVariable = "SLUICE_SECRET_ACCESS_KEY";
    /// <summary>The environment variable holding the endpoint: <c>SLUICE_ENDPOINT</c>.</summary>
    public const string EndpointVariable = "SLUICE_ENDPOINT";
    /// <summary>The profile read when none is named: <c>local</c> (the one <c>sluice up</c> writes).</summary>
    public const string DefaultProfileName = "local";

    /// <summary>Creates credentials from an access key.</summary>
    /// <param name="accessKeyId">The access key id. Required.</param>
    /// <param name="secretAccessKey">The secret access key. Required.</param>
    /// <exception cref="ArgumentException">A value is null or empty.</exception>
    public SluiceCredentials(string accessKeyId, string secretAccessKey)
        : this(accessKeyId, secretAccessKey, null)
    {
    }

    /// <summary>Creates credentials from an access key, with the endpoint they belong to.</summary>
    /// <param name="accessKeyId">The access key id. Required.</param>
    /// <param name="secretAccessKey">The secret access key. Required.</param>
    /// <param name="endpoint">The service endpoint these credentials are for; null when unknown.</param>
    /// <exception cref="ArgumentException">A key value is null or empty.</exception>
    public SluiceCredentials(string accessKeyId, string secretAccessKey, Uri? endpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretAccessKey);
        AccessKeyId = accessKeyId.Trim();
        SecretAccessKey = secretAccessKey.Trim();
        Endpoint = endpoint;
    }

    /// <summary>The access key id, sent in the <c>Authorization</c> header.</summary>
    public string AccessKeyId { get; }

    /// <summary>The secret access key; used only to compute signatures.</summary>
    public string SecretAccessKey { get; }

    /// <summary>The endpoint that came with these credentials (environment or profile); null when none did.</summary>
    public Uri? Endpoint { get; }

    /// <summary>
    /// Reads <c>SLUICE_ACCESS_KEY_ID</c>, <c>SLUICE_SECRET_ACCESS_KEY</c> and, optionally, <c>SLUICE_ENDPOINT</c>.
    /// </summary>
    /// <exception cref="SluiceClientException">A key variable is not set, or the endpoint is not an absolute http(s) URI.</exception>
    public static SluiceCredentials FromEnvironment() =>
        TryFromEnvironment(Environment.GetEnvironmentVariable)
        ?? throw new SluiceClientException(
            $"Set {AccessKeyIdVariable} and {SecretAccessKeyVariable} (and {EndpointVariable}) to use credentials from the environment.");

    /// <summary>
    /// Reads a profile of an INI credentials file: a <c>[name]</c> section with <c>endpoint</c>,
    /// <c>access_key_id</c> and <c>secret_access_key</c>.
    /// </summary>
    /// <param name="name">The profile (section) name. Default <c>local</c>.</param>
    /// <param name="path">The file. Default <see cref="SluiceProfileFile.DefaultPath"/> (<c>~/.sluice/credentials</c>).</param>
    /// <exception cref="SluiceClientException">The file or the profile does not exist, or lacks a key.</exception>
    public static SluiceCredentials FromProfile(string name = DefaultProfileName, string? path = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        path ??= SluiceProfileFile.DefaultPath;
        if (!File.Exists(path))
        {
            throw new SluiceClientException($"The credentials file '{path}' does not exist. Run 'sluice up' or write it with SluiceProfileFile.Write.");
        }
        var profiles = SluiceProfileFile.Parse(File.ReadAllLines(path));
        if (!profiles.TryGetValue(name, out var values))
        {
            throw new SluiceClientException($"The credentials file '{path}' has no [{name}] profile.");
        }
        values.TryGetValue("access_key_id", out var keyId);
        values.TryGetValue("secret_access_key", out var secret);
        values.TryGetValue("endpoint", out var endpoint);
        if (string.IsNullOrWhiteSpace(keyId) || string.IsNullOrWhiteSpace(secret))
        {
            throw new SluiceClientException($"The [{name}] profile of '{path}' needs both access_key_id and secret_access_key.");
        }
        return new SluiceCredentials(keyId, secret, ParseEndpoint(endpoint, $"the [{name}] profile of '{path}'"));
    }

    /// <summary>
    /// Resolves credentials the way the CLI does: the environment variables when both key variables are set,
    /// otherwise the <c>local</c> profile of <c>~/.sluice/credentials</c>.
    /// </summary>
    /// <exception cref="SluiceClientException">Neither source holds credentials.</exception>
    public static SluiceCredentials FromDefaults() => FromDefaults(Environment.GetEnvironmentVariable, SluiceProfileFile.DefaultPath);

    internal static SluiceCredentials FromDefaults(Func<string, string?> getVariable, string profilePath)
    {
        var fromEnvironment = TryFromEnvironment(getVariable);
        if (fromEnvironment is not null)
        {
            return fromEnvironment;
        }
        if (File.Exists(profilePath))
        {
            return FromProfile(DefaultProfileName, profilePath);
        }
        throw new SluiceClientException(
            $"No Sluice credentials found: set {AccessKeyIdVariable}, {SecretAccessKeyVariable} and {EndpointVariable}, " +
            $"or run 'sluice up' to write the [{DefaultProfileName}] profile of '{profilePath}'.");
    }

    internal static SluiceCredentials? TryFromEnvironment(Func<string, string?> getVariable)
    {
        var keyId = getVariable(AccessKeyIdVariable);
        var secret = getVariable(SecretAccessKeyVariable);
        if (string.IsNullOrWhiteSpace(keyId) || string.IsNullOrWhiteSpace(secret))
        {
            return null;
        }
        return new SluiceCredentials(keyId, secret, ParseEndpoint(getVariable(EndpointVariable), EndpointVariable));
    }

    private static Uri? ParseEndpoint(string? value, string source)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new SluiceClientException($"The endpoint '{value}' in {source} is not an absolute http or https URI.");
        }
        return uri;
    }

    /// <summary>Describes the credentials without the secret.</summary>
    public override string ToString() => $"SluiceCredentials({AccessKeyId}, secret hidden)";
}
