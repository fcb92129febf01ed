using System.Text.Json;
using Sluice.Contracts;
using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

/// <summary>Converts collections to JSON text columns; empty collections are stored as NULL to keep rows lean.</summary>
internal static class JsonColumns
{
    public static string? FromMap(IReadOnlyDictionary<string, string>? map) =>
        map is null || map.Count == 0 ? null : JsonSerializer.Serialize(new Dictionary<string, string>(map), StoreJsonContext.Default.DictionaryStringString);

    public static IReadOnlyDictionary<string, string> ToMap(string? json) =>
        json is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize(json, StoreJsonContext.Default.DictionaryStringString)!;

    public static string? FromList(IReadOnlyList<string>? list) =>
        list is null || list.Count == 0 ? null : JsonSerializer.Serialize([.. list], StoreJsonContext.Default.ListString);

    public static IReadOnlyList<string> ToList(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListString)!;

    public static string? FromActions(IReadOnlyList<BootstrapAction>? actions) =>
        actions is null || actions.Count == 0 ? null : JsonSerializer.Serialize([.. actions], StoreJsonContext.Default.ListBootstrapAction);

    public static IReadOnlyList<BootstrapAction> ToActions(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListBootstrapAction)!;

    public static string? FromApplications(IReadOnlyList<ClusterApplication>? applications) =>
        applications is null || applications.Count == 0 ? null : JsonSerializer.Serialize([.. applications], StoreJsonContext.Default.ListClusterApplication);

    public static IReadOnlyList<ClusterApplication> ToApplications(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListClusterApplication)!;

    public static string? FromMounts(IReadOnlyList<Mount>? mounts) =>
        mounts is null || mounts.Count == 0 ? null : JsonSerializer.Serialize([.. mounts], StoreJsonContext.Default.ListMount);

    public static IReadOnlyList<Mount> ToMounts(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListMount)!;

    public static string ToProperties(StepProperties properties) => JsonSerializer.Serialize(properties, SluiceJsonContext.Default.StepProperties);

    public static StepProperties FromProperties(string json) => JsonSerializer.Deserialize(json, SluiceJsonContext.Default.StepProperties)!;

    public static string? FromStepFiles(IReadOnlyList<StepFile>? files) =>
        files is null || files.Count == 0 ? null : JsonSerializer.Serialize([.. files], StoreJsonContext.Default.ListStepFile);

    public static IReadOnlyList<StepFile> ToStepFiles(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize(json, StoreJsonContext.Default.ListStepFile)!;
}
