using System.Security.Cryptography;
using System.Text;

namespace Sluice.Backends.Local.Agent;

/// <summary>Where a node agent keeps its socket, settings, journal, log and pid: <c>&lt;root&gt;/agent/</c> of the local backend's root.</summary>
internal sealed class AgentFiles(string root)
{
    public string Directory { get; } = Path.Combine(Path.GetFullPath(root), "agent");
    public string Socket => Path.Combine(Directory, "agent.sock");
    public string Options => Path.Combine(Directory, "options.json");
    public string Journal => Path.Combine(Directory, "exits.journal");
    public string Log => Path.Combine(Directory, "agent.log");
    public string Pid => Path.Combine(Directory, "agent.pid");

    /// <summary>
    /// Names the agent's build and settings: a server talks only to an agent of its own build started with its own settings
    /// (an upgrade or a change of isolation mode replaces the agent).
    /// </summary>
    public static string Fingerprint(string optionsJson)
    {
        var build = typeof(AgentFiles).Assembly.ManifestModule.ModuleVersionId.ToString("N");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(build + "\n" + optionsJson)))[..32];
    }
}
