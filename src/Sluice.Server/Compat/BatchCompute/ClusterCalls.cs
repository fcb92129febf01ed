using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Clusters;
using Sluice.Core.Model;
using Sluice.Server.Auth;
using static Sluice.Server.Compat.BatchCompute.BatchComputeJson;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>BatchCompute's cluster calls, on the core's <see cref="ClusterService"/> with the caller's account.</summary>
internal sealed class ClusterCalls(ClusterService clusters)
{
    /// <summary><c>POST /clusters[?IdempotentToken=]</c> with a ClusterDescription → <c>{"Id"}</c>.</summary>
    public async Task CreateAsync(HttpContext context)
    {
        using var body = await BatchComputeJson.ReadObjectAsync(context.Request).ConfigureAwait(false);
        var request = ClusterTranslation.FromDescription(body.RootElement, BatchComputeResponses.IdempotentToken(context.Request));
        var (cluster, created) = await clusters.CreateAsync(SignatureAuthentication.AccountId(context), request, SignatureAuthentication.BodyHash(context), context.RequestAborted).ConfigureAwait(false);
        await BatchComputeResponses.CreatedAsync(context, cluster.Id, created).ConfigureAwait(false);
    }

    /// <summary><c>GET /clusters/{id}</c> → Cluster.</summary>
    public async Task GetAsync(HttpContext context, string clusterId)
    {
        var account = SignatureAuthentication.AccountId(context);
        var cluster = await clusters.GetAsync(account, clusterId, context.RequestAborted).ConfigureAwait(false);
        var load = await clusters.GetLoadAsync(account, clusterId, context.RequestAborted).ConfigureAwait(false);
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json => ClusterTranslation.Write(json, cluster, load)).ConfigureAwait(false);
    }

    /// <summary><c>GET /clusters?Marker&amp;MaxItemCount=</c> → <c>{Items, NextMarker}</c>.</summary>
    public async Task ListAsync(HttpContext context)
    {
        var (after, limit) = BatchComputePaging.Read(context.Request);
        var page = await clusters.ListAsync(SignatureAuthentication.AccountId(context), null, after, limit, context.RequestAborted).ConfigureAwait(false);
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("Items");
            foreach (var cluster in page.Items)
            {
                ClusterTranslation.Write(json, cluster);
            }
            json.WriteEndArray();
            BatchComputePaging.WriteNextMarker(json, page.NextAfter);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary><c>DELETE /clusters/{id}</c>: the cluster terminates (State Deleting, then Deleted).</summary>
    public async Task DeleteAsync(HttpContext context, string clusterId)
    {
        await clusters.TerminateAsync(SignatureAuthentication.AccountId(context), clusterId, context.RequestAborted).ConfigureAwait(false);
        await BatchComputeResponses.ActionAsync(context).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>PUT /clusters/{id}</c> (modify_cluster, change_cluster_desired_vm_count, change_cluster_spot_config,
    /// change_cluster_user_data, change_cluster_env_vars): a group's DesiredVMCount resizes it; the other fields are
    /// merged into the kept description and shown by get. A group's InstanceType cannot change.
    /// </summary>
    public async Task ModifyAsync(HttpContext context, string clusterId)
    {
        var account = SignatureAuthentication.AccountId(context);
        var ct = context.RequestAborted;
        using var body = await BatchComputeJson.ReadObjectAsync(context.Request).ConfigureAwait(false);
        var change = body.RootElement;
        var cluster = await clusters.GetAsync(account, clusterId, ct).ConfigureAwait(false);
        var resizes = new List<(string Group, int Count)>();
        if (Object(change, "Groups", "") is { } groups)
        {
            foreach (var group in groups.EnumerateObject())
            {
                var at = $"Groups.{group.Name}";
                if (group.Value.ValueKind != JsonValueKind.Object)
                {
                    throw BatchComputeErrors.Invalid($"{at} must be an object {{DesiredVMCount}}");
                }
                var existing = cluster.Groups.FirstOrDefault(g => g.Name == group.Name)
                    ?? throw new ServiceException(ErrorCodes.InstanceGroupNotFound, $"cluster {clusterId} has no group '{group.Name}'; groups: {string.Join(", ", cluster.Groups.Select(g => g.Name))}");
                if (NonEmptyString(group.Value, "InstanceType", at) is { } type && type != existing.InstanceType)
                {
                    throw BatchComputeErrors.Unsupported($"{at}.InstanceType is '{type}'; a Sluice group keeps its instance type ({existing.InstanceType}) — add a cluster with the new type instead");
                }
                _ = String(group.Value, "SpotStrategy", at);
                _ = Number(group.Value, "SpotPriceLimit", at);
                if (Int(group.Value, "DesiredVMCount", at) is { } count)
                {
                    resizes.Add((group.Name, count));
                }
            }
        }
        _ = StringMap(change, "UserData", "");
        _ = StringMap(change, "EnvVars", "");
        _ = String(change, "ImageId", "");
        _ = Object(change, "Configs", "");
        ClusterTranslation.RefuseWhatCannotBeHonoured(change, "");
        using (var kept = DescriptionTags.Read(cluster.Tags))
        {
            RefuseChangeOfCreateTimeFields(kept?.RootElement, change);
        }

        var merged = Merge(DescriptionTags.Read(cluster.Tags), change);
        if (merged is not null)
        {
            var tags = DescriptionTags.ToTags(merged);
            await clusters.UpdateAsync(account, clusterId, new UpdateClusterRequest
            {
                Tags = tags,
                RemoveTags = [.. cluster.Tags.Keys.Where(k => DescriptionTags.IsDescriptionTag(k) && !tags.ContainsKey(k))],
            }, ct).ConfigureAwait(false);
        }
        foreach (var (group, count) in resizes)
        {
            await clusters.ResizeAsync(account, clusterId, group, count, ct).ConfigureAwait(false);
        }
        await BatchComputeResponses.ActionAsync(context, StatusCodes.Status202Accepted).ConfigureAwait(false);
    }

    // The image and the tasks' environment are the cluster's from its create; a modify that repeats them is fine, one that
    // changes them is refused rather than kept without effect.
    private static void RefuseChangeOfCreateTimeFields(JsonElement? kept, JsonElement change)
    {
        foreach (var name in new[] { "ImageId", "UserData", "EnvVars" })
        {
            if (Member(change, name) is not { } wanted)
            {
                continue;
            }
            var had = kept is { } k ? Member(k, name) : null;
            if (!(IsEmpty(wanted) && IsEmpty(had)) && !(had is { } old && JsonElement.DeepEquals(old, wanted)))
            {
                throw BatchComputeErrors.Unsupported($"{name} cannot change after the cluster is created (its tasks get the image and environment it was created with); create a new cluster with the new {name}");
            }
        }
    }

    /// <summary><c>GET /clusters/{id}/groups/{group}/instances</c>: the group's nodes as BatchCompute's cluster instances.</summary>
    public async Task ListInstancesAsync(HttpContext context, string clusterId, string groupName)
    {
        var account = SignatureAuthentication.AccountId(context);
        var (after, limit) = BatchComputePaging.Read(context.Request);
        var cluster = await clusters.GetAsync(account, clusterId, context.RequestAborted).ConfigureAwait(false);
        var group = GroupOf(cluster, groupName);
        var nodes = (await clusters.ListNodesAsync(account, clusterId, context.RequestAborted).ConfigureAwait(false))
            .Where(n => n.GroupId == group.Id && (after is null || string.CompareOrdinal(n.Id, after) > 0))
            .OrderBy(n => n.Id, StringComparer.Ordinal).Take(limit + 1).ToList();
        var more = nodes.Count > limit;
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("Items");
            foreach (var node in nodes.Take(limit))
            {
                WriteNode(json, node);
            }
            json.WriteEndArray();
            BatchComputePaging.WriteNextMarker(json, more ? nodes[limit - 1].Id : null);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary><c>GET /clusters/{id}/groups/{group}/instances/{node}</c>.</summary>
    public async Task GetInstanceAsync(HttpContext context, string clusterId, string groupName, string nodeId)
    {
        var account = SignatureAuthentication.AccountId(context);
        var cluster = await clusters.GetAsync(account, clusterId, context.RequestAborted).ConfigureAwait(false);
        var group = GroupOf(cluster, groupName);
        var node = (await clusters.ListNodesAsync(account, clusterId, context.RequestAborted).ConfigureAwait(false)).FirstOrDefault(n => n.GroupId == group.Id && n.Id == nodeId)
            ?? throw new ServiceException(ErrorCodes.InstanceNotFound, $"group {groupName} of cluster {clusterId} has no instance '{nodeId}'");
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json => WriteNode(json, node)).ConfigureAwait(false);
    }

    private static InstanceGroup GroupOf(Cluster cluster, string name) =>
        cluster.Groups.FirstOrDefault(g => g.Name == name)
        ?? throw new ServiceException(ErrorCodes.InstanceGroupNotFound, $"cluster {cluster.Id} has no group '{name}'; groups: {string.Join(", ", cluster.Groups.Select(g => g.Name))}");

    private static void WriteNode(Utf8JsonWriter json, Node node)
    {
        json.WriteStartObject();
        json.WriteString("Id", node.Id);
        json.WriteString("State", node.State switch
        {
            NodeState.Provisioning or NodeState.Bootstrapping => "Starting",
            NodeState.Idle or NodeState.Busy => "Running",
            NodeState.Terminated or NodeState.Preempted => "Stopped",
            _ => "Unusable",
        });
        json.WriteString("HostName", node.Host ?? "");
        json.WriteString("IpAddress", "");
        json.WriteTime("CreationTime", node.CreatedAt);
        json.WriteEndObject();
    }

    // The kept description with the change's top-level fields replacing its own, and its groups' fields merged into
    // the kept groups; null when nothing was kept (a cluster made through the native API) and the change adds nothing.
    private static string? Merge(JsonDocument? kept, JsonElement change)
    {
        using (kept)
        {
            var extras = change.EnumerateObject().Where(p => p.Name != "Groups" || p.Value.EnumerateObject().Any(g => g.Value.EnumerateObject().Any(f => f.Name != "DesiredVMCount"))).ToList();
            if (extras.Count == 0 && kept is null)
            {
                return null;
            }
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                var changed = change.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                if (kept is not null)
                {
                    foreach (var property in kept.RootElement.EnumerateObject().Where(p => !changed.Contains(p.Name)))
                    {
                        property.WriteTo(json);
                    }
                }
                foreach (var property in change.EnumerateObject())
                {
                    if (property.Name == "Groups")
                    {
                        WriteMergedGroups(json, kept is not null ? Member(kept.RootElement, "Groups") : null, property.Value);
                    }
                    else
                    {
                        property.WriteTo(json);
                    }
                }
                json.WriteEndObject();
            }
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
    }

    private static void WriteMergedGroups(Utf8JsonWriter json, JsonElement? kept, JsonElement change)
    {
        json.WriteStartObject("Groups");
        var names = new List<string>();
        if (kept is { ValueKind: JsonValueKind.Object } k)
        {
            names.AddRange(k.EnumerateObject().Select(g => g.Name));
        }
        names.AddRange(change.EnumerateObject().Select(g => g.Name).Where(n => !names.Contains(n)));
        foreach (var name in names)
        {
            json.WriteStartObject(name);
            var changed = Member(change, name);
            var fields = changed?.EnumerateObject().Select(f => f.Name).ToHashSet(StringComparer.Ordinal) ?? [];
            if (kept is { ValueKind: JsonValueKind.Object } all && Member(all, name) is { ValueKind: JsonValueKind.Object } old)
            {
                foreach (var field in old.EnumerateObject().Where(f => !fields.Contains(f.Name)))
                {
                    field.WriteTo(json);
                }
            }
            if (changed is { } fresh)
            {
                foreach (var field in fresh.EnumerateObject())
                {
                    field.WriteTo(json);
                }
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }
}
