using System.Runtime.Versioning;

// The local backend supervises processes through /proc and POSIX signals; its tests run on Linux.
[assembly: SupportedOSPlatform("linux")]
