// The tests run real shell commands, send signals with kill and read /proc: Linux (and other Unix) only.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
