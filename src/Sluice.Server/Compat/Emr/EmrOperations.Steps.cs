using System.Text.Json.Nodes;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Model;

namespace Sluice.Server.Compat.Emr;

/// <summary>EMR's step operations, and the deprecated DescribeJobFlows (a cluster with all its steps).</summary>
internal sealed partial class EmrOperations
{
    private async Task<JsonObject?> AddJobFlowStepsAsync(string account, JsonObject input, CancellationToken ct)
    {
        var id = EmrInput.RequireString(input["JobFlowId"], "JobFlowId");
        var list = EmrInput.List(input["Steps"], "Steps");
        if (list.Count == 0)
        {
            throw EmrException.Invalid("Steps is required: give at least one step");
        }
        var request = new AddStepsRequest { Steps = [.. list.Select((s, i) => EmrSteps.ToStep(s, $"Steps[{i}]"))] };
        var (added, _) = await steps.AddAsync(account, id, request, null, ct).ConfigureAwait(false);
        return new JsonObject { ["StepIds"] = new JsonArray([.. added.Select(s => (JsonNode)s.Id)]) };
    }

    private async Task<JsonObject?> ListStepsAsync(string account, JsonObject input, CancellationToken ct)
    {
        var id = EmrInput.RequireString(input["ClusterId"], "ClusterId");
        var states = EmrInput.Strings(input["StepStates"], "StepStates").Select(s => EmrNames.Parse<StepState>(s, "StepStates")).ToList();
        var stepIds = EmrInput.Strings(input["StepIds"], "StepIds");
        var marker = EmrMarker.Decode(EmrInput.String(input["Marker"], "Marker"));
        if (stepIds.Count > 0)
        {
            // Only the steps asked for, newest first like the listing; ids the cluster does not have are left out.
            var chosen = new List<Step>();
            foreach (var stepId in stepIds.Distinct(StringComparer.Ordinal))
            {
                try
                {
                    chosen.Add(await steps.GetAsync(account, id, stepId, ct).ConfigureAwait(false));
                }
                catch (ServiceException e) when (e.Code == ErrorCodes.StepNotFound)
                {
                }
            }
            var matching = chosen.Where(s => states.Count == 0 || states.Contains(s.State)).OrderByDescending(s => s.Id, StringComparer.Ordinal)
                .Where(s => marker is null || string.CompareOrdinal(s.Id, marker) < 0).ToList();
            var pageOfIds = matching.Take(PageSize).ToList();
            return new JsonObject
            {
                ["Steps"] = new JsonArray([.. pageOfIds.Select(s => (JsonNode)EmrShapes.Step(s))]),
                ["Marker"] = EmrMarker.Encode(matching.Count > PageSize ? pageOfIds[^1].Id : null),
            };
        }
        var page = await steps.ListAsync(account, id, states.Count == 0 ? null : states, marker, PageSize, ct).ConfigureAwait(false);
        return new JsonObject
        {
            ["Steps"] = new JsonArray([.. page.Items.Select(s => (JsonNode)EmrShapes.Step(s))]),
            ["Marker"] = EmrMarker.Encode(page.NextAfter),
        };
    }

    private async Task<JsonObject?> DescribeStepAsync(string account, JsonObject input, CancellationToken ct)
    {
        var step = await steps.GetAsync(account, EmrInput.RequireString(input["ClusterId"], "ClusterId"), EmrInput.RequireString(input["StepId"], "StepId"), ct).ConfigureAwait(false);
        return new JsonObject { ["Step"] = EmrShapes.Step(step) };
    }

    private async Task<JsonObject?> CancelStepsAsync(string account, JsonObject input, CancellationToken ct)
    {
        var id = EmrInput.RequireString(input["ClusterId"], "ClusterId");
        var stepIds = EmrInput.Strings(input["StepIds"], "StepIds");
        if (stepIds.Count == 0)
        {
            throw EmrException.Invalid("StepIds is required");
        }
        await clusters.GetAsync(account, id, ct).ConfigureAwait(false);
        var results = new JsonArray();
        foreach (var stepId in stepIds)
        {
            try
            {
                await steps.CancelAsync(account, id, stepId, ct).ConfigureAwait(false);
                results.Add(new JsonObject { ["StepId"] = stepId, ["Status"] = "SUBMITTED" });
            }
            catch (ServiceException e) when (e.Code is ErrorCodes.InvalidState or ErrorCodes.StepNotFound)
            {
                // EMR answers each step: one that cannot be cancelled is FAILED with the reason, the others go ahead.
                results.Add(new JsonObject { ["StepId"] = stepId, ["Status"] = "FAILED", ["Reason"] = e.Message });
            }
        }
        return new JsonObject { ["CancelStepsInfoList"] = results };
    }

    /// <summary>At most this many job flows, as EMR's DescribeJobFlows.</summary>
    private const int MaxJobFlows = 512;

    private async Task<JsonObject?> DescribeJobFlowsAsync(string account, JsonObject input, CancellationToken ct)
    {
        var after = EmrInput.Time(input["CreatedAfter"], "CreatedAfter");
        var before = EmrInput.Time(input["CreatedBefore"], "CreatedBefore");
        var ids = EmrInput.Strings(input["JobFlowIds"], "JobFlowIds");
        var states = EmrInput.Strings(input["JobFlowStates"], "JobFlowStates");
        var found = new List<Cluster>();
        if (ids.Count > 0)
        {
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                found.Add(await clusters.GetAsync(account, id, ct).ConfigureAwait(false));
            }
        }
        else
        {
            string? marker = null;
            do
            {
                var page = await clusters.ListAsync(account, null, marker, Limits.MaxPageSize, ct).ConfigureAwait(false);
                found.AddRange(page.Items);
                marker = page.NextAfter;
            }
            while (marker is not null && found.Count < 10 * MaxJobFlows);
        }
        var flows = new JsonArray();
        foreach (var cluster in found.Where(c => (after is null || c.CreatedAt >= after) && (before is null || c.CreatedAt <= before))
            .Where(c => states.Count == 0 || states.Contains(EmrNames.JobFlowState(c))).TakeLast(MaxJobFlows))
        {
            flows.Add(EmrShapes.JobFlow(settings.Region, cluster, await AllStepsOldestFirstAsync(account, cluster.Id, ct).ConfigureAwait(false)));
        }
        return new JsonObject { ["JobFlows"] = flows };
    }

    private async Task<List<Step>> AllStepsOldestFirstAsync(string account, string clusterId, CancellationToken ct)
    {
        var all = new List<Step>();
        string? before = null;
        do
        {
            var page = await steps.ListAsync(account, clusterId, null, before, Limits.MaxPageSize, ct).ConfigureAwait(false);
            all.AddRange(page.Items);
            before = page.NextAfter;
        }
        while (before is not null);
        all.Reverse();
        return all;
    }
}
