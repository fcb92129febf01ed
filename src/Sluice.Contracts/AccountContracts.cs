namespace Sluice.Contracts;

// Wire shapes of accounts and access keys, grouped because they nest.

/// <summary>The admin's request to create an account (<c>POST /v1/accounts</c>).</summary>
public sealed class CreateAccountRequest
{
    /// <summary>The account's name: 1-64 letters, digits, '-', '_', '.', '@'. Required; need not be unique.</summary>
    public string? Name { get; set; }
}

/// <summary>An account.</summary>
public sealed class AccountInfo
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>True for the admin account, which creates, lists and disables accounts.</summary>
    public bool IsAdmin { get; set; }
    /// <summary>False once disabled: the account's keys are refused (403 InvalidAccessKeyId); its resources are kept.</summary>
    public bool Enabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The answer to creating an account: the account and its first access key, whose secret is shown only here.</summary>
public sealed class CreateAccountResponse
{
    public AccountInfo Account { get; set; } = new();
    public NewAccessKey AccessKey { get; set; } = new();
}

/// <summary>Who signed the request (<c>GET /v1/account</c>).</summary>
public sealed class CallerInfo
{
    /// <summary>The caller's account.</summary>
    public AccountInfo Account { get; set; } = new();
    /// <summary>The access key id that signed the request.</summary>
    public string AccessKeyId { get; set; } = "";
}

/// <summary>An access key as listings show it: never its secret.</summary>
public sealed class AccessKeyInfo
{
    public string AccessKeyId { get; set; } = "";
    public string AccountId { get; set; } = "";
    /// <summary>False once disabled: requests it signs are refused (403 InvalidAccessKeyId) until it is enabled again.</summary>
    public bool Enabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A just-created access key with its secret, which the service never shows again.</summary>
public sealed class NewAccessKey
{
    public string AccessKeyId { get; set; } = "";
    /// <summary>The secret access key: keep it, it is shown only in this response.</summary>
    public string SecretAccessKey { get; set; } = "";
    public string AccountId { get; set; } = "";
    public bool Enabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
