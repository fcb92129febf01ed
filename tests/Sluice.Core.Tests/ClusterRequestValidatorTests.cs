using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Clusters;
using Sluice.Core.Model;

namespace Sluice.Core.Tests;

public class ClusterRequestValidatorTests
{
    private readonly ClusterRequestValidator _validator = new(
        new InstanceTypeCatalog(Options.Create(new SluiceOptions { InstanceTypes = { ["custom.big"] = new InstanceTypeSpec(64, 1 << 18) } })),
        new ImageCatalog(new SluiceOptions { Images = { ["img-custom"] = new ImageSpec { Description = "custom" } } }),
        ObjectStorage.TestResolver.Default, new TimeOrderedIdGenerator(TimeProvider.System), TimeProvider.System);

    private static CreateClusterRequest Request(params InstanceGroupConfig[] groups) => new() { Name = "c", InstanceGroups = [.. groups] };

    [Fact]
    public void Validate_SeedInstanceTypes_GiveNodeSlots()
    {
        var cluster = _validator.Validate("a-1", Request(
            new InstanceGroupConfig { Role = "master", InstanceType = "g.small", InstanceCount = 1 },
            new InstanceGroupConfig { Role = "Core", InstanceType = "ecs.t1.small", InstanceCount = 2 },
            new InstanceGroupConfig { Role = "Task", InstanceType = "custom.big", InstanceCount = 1, Market = "Spot" }));

        Assert.Equal(ClusterState.Starting, cluster.State);
        Assert.Equal([InstanceRole.Master, InstanceRole.Core, InstanceRole.Task], cluster.Groups.Select(g => g.Role));
        Assert.Equal(1, cluster.Groups[1].Vcpus);
        Assert.Equal(64, cluster.Groups[2].Vcpus);
        Assert.Equal(Market.Spot, cluster.Groups[2].Market);
        Assert.Equal("local", cluster.Backend);
    }

    public static TheoryData<string, InstanceGroupConfig[]> BadGroups => new()
    {
        { ErrorCodes.MissingParameter, [] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Worker", InstanceType = "g.small", InstanceCount = 1 }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "7", InstanceType = "g.small", InstanceCount = 1 }] },
        { ErrorCodes.UnknownInstanceType, [new() { Role = "Core", InstanceType = "x.huge", InstanceCount = 1 }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Core", InstanceType = "g.small", InstanceCount = 0 }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Core", InstanceType = "g.small", InstanceCount = -1 }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Core", InstanceType = "g.small", InstanceCount = Limits.MaxNodesPerGroup + 1 }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Master", InstanceType = "g.small", InstanceCount = 2 }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Master", InstanceType = "g.small", InstanceCount = 1 }, new() { Role = "Master", InstanceType = "g.small", InstanceCount = 1, Name = "m2" }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Core", InstanceType = "g.small", InstanceCount = 1, Market = "Reserved" }] },
        { ErrorCodes.SpotMasterNotAllowed, [new() { Role = "Master", InstanceType = "g.small", InstanceCount = 1, Market = "Spot" }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Core", InstanceType = "g.small", InstanceCount = 1, SpotStrategy = "SpotAsPriceGo" }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Core", InstanceType = "g.small", InstanceCount = 1, Market = "Spot", SpotStrategy = "Cheapest" }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Core", InstanceType = "g.small", InstanceCount = 1, Market = "Spot", SpotStrategy = "SpotWithPriceLimit" }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Core", InstanceType = "g.small", InstanceCount = 1, Market = "Spot", SpotStrategy = "SpotWithPriceLimit", SpotPriceLimit = -1 }] },
        { ErrorCodes.InvalidParameter, [new() { Role = "Core", InstanceType = "g.small", InstanceCount = 1, Market = "Spot", SpotStrategy = "SpotAsPriceGo", SpotPriceLimit = 0.5 }] },
    };

    [Fact]
    public void Validate_SpotGroupWithAPriceLimit_KeepsTheBidAndDefaultsTheStrategy()
    {
        var cluster = _validator.Validate("a-1", Request(
            new InstanceGroupConfig { Role = "Master", InstanceType = "g.small", InstanceCount = 1 },
            new InstanceGroupConfig { Role = "Core", InstanceType = "g.small", InstanceCount = 2, Market = "Spot", SpotPriceLimit = 0.25 },
            new InstanceGroupConfig { Role = "Task", InstanceType = "g.small", InstanceCount = 1, Market = "Spot" }));

        Assert.Equal((null, null), (cluster.Groups[0].SpotStrategy, cluster.Groups[0].SpotPriceLimit));
        Assert.Equal(("SpotWithPriceLimit", 0.25), (cluster.Groups[1].SpotStrategy, cluster.Groups[1].SpotPriceLimit));
        Assert.Equal(("SpotAsPriceGo", (double?)null), (cluster.Groups[2].SpotStrategy, cluster.Groups[2].SpotPriceLimit));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(604_801)]
    public void Validate_IdleTimeoutOutOfRange_RejectedAsInvalidParameter(int seconds)
    {
        var request = Request(new InstanceGroupConfig { Role = "Master", InstanceType = "g.small", InstanceCount = 1 });
        request.IdleTimeout = seconds;

        var error = Assert.Throws<ServiceException>(() => _validator.Validate("a-1", request));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Contains("idleTimeout", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadGroups))]
    public void Validate_BadGroups_RejectedWithStableCode(string code, InstanceGroupConfig[] groups)
    {
        var error = Assert.Throws<ServiceException>(() => _validator.Validate("a-1", Request(groups)));

        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void Validate_UnknownInstanceType_ListsKnownTypes()
    {
        var error = Assert.Throws<ServiceException>(() => _validator.Validate("a-1", Request(new InstanceGroupConfig { Role = "Core", InstanceType = "x.huge", InstanceCount = 1 })));

        Assert.Contains("g.small", error.Message, StringComparison.Ordinal);
        Assert.Contains("ecs.t1.small", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingName_Rejected()
    {
        var request = Request(new InstanceGroupConfig { Role = "Core", InstanceType = "g.small", InstanceCount = 1 });
        request.Name = null;

        var error = Assert.Throws<ServiceException>(() => _validator.Validate("a-1", request));

        Assert.Equal(ErrorCodes.MissingParameter, error.Code);
    }

    [Fact]
    public void Validate_SameRequest_SameHash()
    {
        var group = new InstanceGroupConfig { Role = "Core", InstanceType = "g.small", InstanceCount = 1 };

        Assert.Equal(_validator.Validate("a-1", Request(group)).RequestHash, _validator.Validate("a-1", Request(group)).RequestHash);
    }
}
