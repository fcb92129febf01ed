namespace Sluice.Core;

public enum LogStream { Stdout, Stderr }
