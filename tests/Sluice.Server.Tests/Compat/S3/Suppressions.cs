using System.Diagnostics.CodeAnalysis;

[assembly: SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "S3 defines entity tags and Content-MD5 with MD5; the tests compute what S3 clients compute",
    Scope = "namespaceanddescendants", Target = "~N:Sluice.Server.Tests.Compat.S3")]
