using System.CommandLine;
using Sluice.Client;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice account whoami|create|list|get|disable|enable</c> (all but whoami for the admin) and
/// <c>sluice key create|list|get|disable|enable|delete</c> (the caller's own access keys).
/// </summary>
/// <remarks>
/// A new key can be written to a credentials profile with <c>--save-profile NAME</c>: <c>--profile</c> already names the
/// profile whose key signs the command.
/// </remarks>
internal static class AccountCommands
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    public static IEnumerable<Command> Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        yield return BuildAccount(run);
        yield return BuildKey(run);
    }

    private static Option<string?> SaveProfileOption() => new("--save-profile")
    {
        Description = "Write the new key, with the endpoint, to this profile of ~/.sluice/credentials (mode 0600) instead of printing its secret",
    };

    private static Command BuildAccount(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var account = new Command("account", "Your account; the admin creates, lists, disables and enables accounts");
        var id = new Argument<string>("account-id") { Description = "The account id" };

        var whoami = new Command("whoami", "Show the account and access key that sign your requests");
        whoami.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            CallerInfo caller = await client.GetCallerAsync(token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(caller, Json.CallerInfo);
                return ExitCodes.Ok;
            }
            ShowAccount(cli, caller.Account);
            cli.Console.MarkupLine($"[bold]Access key[/] {Markup.Escape(caller.AccessKeyId)}");
            return ExitCodes.Ok;
        }, ct));
        account.Add(whoami);

        var name = new Argument<string>("name") { Description = "The account's name: 1-64 letters, digits, '-', '_', '.', '@'" };
        var saveProfile = SaveProfileOption();
        var create = new Command("create", "Create an account and its first access key (admin only)") { name, saveProfile };
        create.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var profile = ProfileName(parse.GetValue(saveProfile));
            using var client = cli.CreateClient();
            CreateAccountResponse created = await client.CreateAccountAsync(parse.GetValue(name)!, token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(created, Json.CreateAccountResponse);
            }
            else
            {
                ShowAccount(cli, created.Account);
            }
            ShowNewKey(cli, created.AccessKey, profile);
            return ExitCodes.Ok;
        }, ct));
        account.Add(create);

        var list = new Command("list", "List every account (admin only)");
        var listPaging = new ListPaging(list);
        list.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var page = await listPaging.ReadAsync(parse, client.ListAccountsAsync(cancellationToken: token), token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(page, Json.ListResponseAccountInfo);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumn(ClusterCommands.IdColumn("ID")).AddColumns("NAME", "ADMIN", "ENABLED", "CREATED");
            foreach (var a in page.Items)
            {
                table.AddRow(a.Id, Markup.Escape(a.Name), a.IsAdmin ? "yes" : "", a.Enabled ? "yes" : "[red]no[/]", a.CreatedAt.ToString("u"));
            }
            cli.Console.Write(table);
            ListPaging.WriteMore(cli, page);
            return ExitCodes.Ok;
        }, ct));
        account.Add(list);

        account.Add(AccountCall(run, "get", "Show an account (admin only)", id, (c, accountId, t) => c.GetAccountAsync(accountId, t)));
        account.Add(AccountCall(run, "disable", "Disable an account: its keys are refused at once, its clusters and jobs are kept (admin only)", id, (c, accountId, t) => c.DisableAccountAsync(accountId, t)));
        account.Add(AccountCall(run, "enable", "Enable a disabled account (admin only)", id, (c, accountId, t) => c.EnableAccountAsync(accountId, t)));
        return account;
    }

    private static Command BuildKey(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var key = new Command("key", "Your account's access keys: create a second key, move to it, then disable and delete the first");
        var id = new Argument<string>("access-key-id") { Description = "The access key id" };

        var saveProfile = SaveProfileOption();
        var create = new Command("create", "Create an access key (its secret is shown only now)") { saveProfile };
        create.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var profile = ProfileName(parse.GetValue(saveProfile));
            using var client = cli.CreateClient();
            NewAccessKey created = await client.CreateAccessKeyAsync(token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(created, Json.NewAccessKey);
            }
            ShowNewKey(cli, created, profile);
            return ExitCodes.Ok;
        }, ct));
        key.Add(create);

        var list = new Command("list", "List your access keys (never their secrets)");
        list.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var all = (await client.ListAccessKeysAsync(token).ConfigureAwait(false)).Value;
            if (cli.Json)
            {
                cli.WriteJson(new ListResponse<AccessKeyInfo> { Items = [.. all] }, Json.ListResponseAccessKeyInfo);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumn(ClusterCommands.IdColumn("ACCESS KEY")).AddColumns("ENABLED", "CREATED");
            foreach (var k in all)
            {
                table.AddRow(k.AccessKeyId, k.Enabled ? "yes" : "[red]no[/]", k.CreatedAt.ToString("u"));
            }
            cli.Console.Write(table);
            return ExitCodes.Ok;
        }, ct));
        key.Add(list);

        key.Add(KeyCall(run, "get", "Show one of your access keys", id, (c, keyId, t) => c.GetAccessKeyAsync(keyId, t)));
        key.Add(KeyCall(run, "disable", "Disable an access key: requests it signs are refused at once (not your last enabled key)", id, (c, keyId, t) => c.DisableAccessKeyAsync(keyId, t)));
        key.Add(KeyCall(run, "enable", "Enable a disabled access key", id, (c, keyId, t) => c.EnableAccessKeyAsync(keyId, t)));

        key.Add(DeleteCommand.Build(run, "Delete an access key (not your last enabled key)", id, (c, target, t) => c.DeleteAccessKeyAsync(target, t)));
        return key;
    }

    private static Command AccountCall(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run,
        string name, string description, Argument<string> id, Func<SluiceClient, string, CancellationToken, Task<SluiceResponse<AccountInfo>>> call)
    {
        var command = new Command(name, description) { id };
        command.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            AccountInfo account = await call(client, parse.GetValue(id)!, token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(account, Json.AccountInfo);
            }
            else
            {
                ShowAccount(cli, account);
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command KeyCall(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run,
        string name, string description, Argument<string> id, Func<SluiceClient, string, CancellationToken, Task<SluiceResponse<AccessKeyInfo>>> call)
    {
        var command = new Command(name, description) { id };
        command.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            AccessKeyInfo key = await call(client, parse.GetValue(id)!, token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(key, Json.AccessKeyInfo);
            }
            else
            {
                cli.Console.MarkupLine($"{Markup.Escape(key.AccessKeyId)}  {(key.Enabled ? "enabled" : "[red]disabled[/]")}  created {key.CreatedAt:u}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    // Checked before the call: a name the file cannot hold must not cost a key whose secret is then lost.
    private static string? ProfileName(string? profile)
    {
        if (profile is null)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(profile) || profile.AsSpan().IndexOfAny("[]\r\n") >= 0)
        {
            throw new UsageException($"--save-profile '{profile}' must be a profile name without brackets or line breaks, such as 'analytics'");
        }
        return profile.Trim();
    }

    private static void ShowNewKey(CliContext cli, NewAccessKey key, string? profile)
    {
        if (profile is not null)
        {
            SluiceProfileFile.Write(SluiceProfileFile.DefaultPath, profile, cli.Endpoint, key.AccessKeyId, key.SecretAccessKey);
            if (!cli.Json)
            {
                cli.Console.MarkupLine($"created access key [bold]{Markup.Escape(key.AccessKeyId)}[/]; written to profile '{Markup.Escape(profile)}' of {Markup.Escape(SluiceProfileFile.DefaultPath)} (use --profile {Markup.Escape(profile)})");
            }
            return;
        }
        if (!cli.Json)
        {
            cli.Console.MarkupLine($"[bold]Access key id[/]      {Markup.Escape(key.AccessKeyId)}");
            cli.Console.MarkupLine($"[bold]Secret access key[/]  {Markup.Escape(key.SecretAccessKey)}");
            cli.Console.MarkupLine("the secret is shown only now: keep it (or create the key with --save-profile NAME)");
        }
    }

    private static void ShowAccount(CliContext cli, AccountInfo a)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]Id[/]", a.Id);
        grid.AddRow("[bold]Name[/]", Markup.Escape(a.Name));
        grid.AddRow("[bold]Admin[/]", a.IsAdmin ? "yes" : "no");
        grid.AddRow("[bold]Enabled[/]", a.Enabled ? "yes" : "[red]no[/]");
        grid.AddRow("[bold]Created[/]", a.CreatedAt.ToString("u"));
        cli.Console.Write(grid);
    }
}
