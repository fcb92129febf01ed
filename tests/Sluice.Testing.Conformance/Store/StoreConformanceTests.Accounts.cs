using Sluice.Core.Model;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task InsertAccountAsync_AdminAndDisabled_RoundTripsTheFlags()
    {
        var admin = Account(A) with { IsAdmin = true };
        var disabled = Account(B) with { Enabled = false };

        await Store.InsertAccountAsync(admin, Ct);
        await Store.InsertAccountAsync(disabled, Ct);

        Assert.Equal(admin, await Store.GetAccountAsync(A, Ct));
        Assert.Equal(disabled, await Store.GetAccountAsync(B, Ct));
    }

    [Fact]
    public async Task ListAccountsAsync_Paged_ReturnsPagesByIdWithNextKey()
    {
        foreach (var id in new[] { "a3", "a1", "a4", "a2", "a5" })
        {
            await Store.InsertAccountAsync(Account(id), Ct);
        }

        var first = await Store.ListAccountsAsync(null, 2, Ct);
        var second = await Store.ListAccountsAsync(first.NextAfter, 2, Ct);
        var last = await Store.ListAccountsAsync(second.NextAfter, 2, Ct);

        Assert.Equal(["a1", "a2"], first.Items.Select(a => a.Id));
        Assert.Equal("a2", first.NextAfter);
        Assert.Equal(["a3", "a4"], second.Items.Select(a => a.Id));
        Assert.Equal(["a5"], last.Items.Select(a => a.Id));
        Assert.Null(last.NextAfter);
    }

    [Fact]
    public async Task SetAccountEnabledAsync_KnownAndUnknown_ChangesOnlyTheKnownOne()
    {
        await Store.InsertAccountAsync(Account(A), Ct);

        Assert.True(await Store.SetAccountEnabledAsync(A, false, Ct));
        Assert.False(await Store.SetAccountEnabledAsync("nobody", false, Ct));

        Assert.False((await Store.GetAccountAsync(A, Ct))!.Enabled);
        Assert.True(await Store.SetAccountEnabledAsync(A, true, Ct));
        Assert.True((await Store.GetAccountAsync(A, Ct))!.Enabled);
        Assert.Null(await Store.GetAccountAsync("nobody", Ct));
    }

    [Fact]
    public async Task ListAccessKeysAsync_TwoAccounts_ReturnsEachItsOwnById()
    {
        await Store.InsertAccessKeyAsync(Key("AK2", A), Ct);
        await Store.InsertAccessKeyAsync(Key("AK1", A), Ct);
        await Store.InsertAccessKeyAsync(Key("BK1", B), Ct);

        Assert.Equal([Key("AK1", A), Key("AK2", A)], await Store.ListAccessKeysAsync(A, Ct));
        Assert.Equal([Key("BK1", B)], await Store.ListAccessKeysAsync(B, Ct));
        Assert.Empty(await Store.ListAccessKeysAsync("nobody", Ct));
        Assert.Equal(["AK1", "AK2", "BK1"], (await Store.ListAllAccessKeysAsync(Ct)).Select(k => k.KeyId));
    }

    [Fact]
    public async Task SetAccessKeyEnabledAsync_OtherAccountsKey_ChangesNothing()
    {
        await Store.InsertAccessKeyAsync(Key("AK", A), Ct);

        Assert.False(await Store.SetAccessKeyEnabledAsync(B, "AK", false, Ct));
        Assert.True((await Store.FindAccessKeyAsync("AK", Ct))!.Enabled);

        Assert.True(await Store.SetAccessKeyEnabledAsync(A, "AK", false, Ct));
        Assert.False((await Store.FindAccessKeyAsync("AK", Ct))!.Enabled);
        Assert.False(await Store.SetAccessKeyEnabledAsync(A, "AKX", true, Ct));
    }

    [Fact]
    public async Task DeleteAccessKeyAsync_OtherAccountsKeyThenOwn_DeletesOnlyForItsAccount()
    {
        await Store.InsertAccessKeyAsync(Key("AK", A), Ct);
        await Store.InsertAccessKeyAsync(Key("AK2", A), Ct);

        Assert.False(await Store.DeleteAccessKeyAsync(B, "AK", Ct));
        Assert.NotNull(await Store.FindAccessKeyAsync("AK", Ct));

        Assert.True(await Store.DeleteAccessKeyAsync(A, "AK", Ct));
        Assert.Null(await Store.FindAccessKeyAsync("AK", Ct));
        Assert.False(await Store.DeleteAccessKeyAsync(A, "AK", Ct));
        Assert.Equal([Key("AK2", A)], await Store.ListAccessKeysAsync(A, Ct));
    }

    [Fact]
    public async Task ReplaceAccessKeySecretAsync_ExpectedOrNot_ReplacesOnlyWhenItMatches()
    {
        await Store.InsertAccessKeyAsync(Key("AK", A), Ct);

        Assert.False(await Store.ReplaceAccessKeySecretAsync("AK", "not-the-secret", "sealed-1", Ct));
        Assert.True(await Store.ReplaceAccessKeySecretAsync("AK", "secret-AK", "sealed-1", Ct));
        Assert.False(await Store.ReplaceAccessKeySecretAsync("AK", "secret-AK", "sealed-2", Ct));
        Assert.False(await Store.ReplaceAccessKeySecretAsync("AKX", "secret-AKX", "sealed-2", Ct));

        Assert.Equal(Key("AK", A) with { Secret = "sealed-1" }, await Store.FindAccessKeyAsync("AK", Ct));
    }

    [Fact]
    public async Task EnsureSettingAsync_SecondValueAndReopen_KeepsTheFirstValue()
    {
        Assert.Equal("first", await Store.EnsureSettingAsync("fingerprint", "first", Ct));
        Assert.Equal("first", await Store.EnsureSettingAsync("fingerprint", "second", Ct));
        Assert.Equal("other", await Store.EnsureSettingAsync("another", "other", Ct));

        await ReopenAsync();

        Assert.Equal("first", await Store.EnsureSettingAsync("fingerprint", "third", Ct));
    }

    [Fact]
    public async Task EnsureSettingAsync_ManyAtOnce_AllSeeOneValue()
    {
        var values = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Store.EnsureSettingAsync("race", $"v{i}", Ct)));

        Assert.Single(values.Distinct());
    }
}
