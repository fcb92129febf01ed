using System.Security.Cryptography;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Accounts;

namespace Sluice.Server.Hosting;

/// <summary>
/// The server's secrets key, which seals access-key secrets in the database, kept outside it: from
/// <c>SLUICE_SECRETS_KEY</c> (<see cref="SluiceServerOptions.SecretsKey"/>) when set, else from
/// <c>&lt;data&gt;/keys/secrets.key</c>, created at the first start with mode 0600 in a 0700 directory.
/// </summary>
internal static class SecretsKeyFile
{
    public const string Variable = "SLUICE_SECRETS_KEY";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, "keys", "secrets.key");

    public static AccessKeySecrets Load(string dataDirectory, string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new AccessKeySecrets(Parse(configured, Variable), Variable);
        }
        var path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            Create(path);
        }
        return new AccessKeySecrets(Parse(File.ReadAllText(path), path), path);
    }

    private static void Create(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // Written whole under a temporary name and moved without overwriting: a reader never sees a torn key, and of two
        // first starts racing on one directory the second keeps the first's key.
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(AccessKeySecrets.KeySize)) + "\n");
            }
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static byte[] Parse(string text, string source)
    {
        try
        {
            var key = Convert.FromBase64String(text.Trim());
            if (key.Length == AccessKeySecrets.KeySize)
            {
                return key;
            }
        }
        catch (FormatException)
        {
        }
        throw new ServiceException(ErrorCodes.InvalidParameter,
            $"the secrets key in {source} is not the base64 of {AccessKeySecrets.KeySize} bytes; make one with `openssl rand -base64 32` (every server on one database needs the same key)");
    }
}
