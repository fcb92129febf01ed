using System.Text;
using System.Text.Json;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests.Compat.Emr;

/// <summary>Issue #16: the machine's boto3 against Sluice's EMR API — steps, waiters, cancelling, protection, paging, accounts.</summary>
public sealed class EmrBoto3Tests(EmrFixture server) : IClassFixture<EmrFixture>
{
    private const string Prelude = """
        import boto3, json, os, sys, time
        from botocore.exceptions import ClientError, WaiterError
        emr = boto3.client('emr', endpoint_url=os.environ['ENDPOINT'])
        fast = {'Delay': 1, 'MaxAttempts': 90}
        def master(t='m5.xlarge', keep=True, protect=False):
            return {'InstanceGroups': [{'InstanceRole': 'MASTER', 'InstanceType': t, 'InstanceCount': 1}],
                    'KeepJobFlowAliveWhenNoSteps': keep, 'TerminationProtected': protect}
        def command(name, *args):
            return {'Name': name, 'ActionOnFailure': 'CONTINUE', 'HadoopJarStep': {'Jar': 'command-runner.jar', 'Args': list(args)}}
        def error(call):
            try:
                call()
                return None
            except ClientError as e:
                return e.response['Error']['Code'] + ': ' + e.response['Error']['Message']

        """;

    private async Task<JsonElement> PythonJsonAsync(string script, Core.Model.AccessKey? key = null)
    {
        var result = await server.PythonAsync(Prelude + script, key);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    [Fact]
    public async Task RunJobFlow_CustomJarSteps_StepCompleteWaiterEndsOnSuccessAndOnFailure()
    {
        var bucket = "s3://emr-jar-" + Guid.NewGuid().ToString("N")[..10];
        await server.CreateBucketAsync(bucket);
        var jar = StepApplicationTests.BuildJar(server.NewSharedDirectory());
        await server.PutFileAsync($"{bucket}/jars/hello.jar", jar);

        var result = await PythonJsonAsync($$$"""
            jar = '{{{bucket}}}/jars/hello.jar'
            cid = emr.run_job_flow(Name='jar', ReleaseLabel='emr-6.15.0', Instances=master(),
                Steps=[{'Name': 'hello', 'ActionOnFailure': 'CONTINUE', 'HadoopJarStep': {'Jar': jar, 'Args': ['a', 'b']}},
                       {'Name': 'other', 'ActionOnFailure': 'CONTINUE', 'HadoopJarStep': {'Jar': jar, 'MainClass': 'Other'}}])['JobFlowId']
            emr.get_waiter('cluster_running').wait(ClusterId=cid, WaiterConfig=fast)
            steps = {s['Name']: s['Id'] for s in emr.list_steps(ClusterId=cid)['Steps']}
            emr.get_waiter('step_complete').wait(ClusterId=cid, StepId=steps['hello'], WaiterConfig=fast)
            failed = None
            try:
                emr.get_waiter('step_complete').wait(ClusterId=cid, StepId=steps['other'], WaiterConfig=fast)
            except WaiterError as e:
                failed = e.last_response['Step']['Status']
            hello = emr.describe_step(ClusterId=cid, StepId=steps['hello'])['Step']
            print(json.dumps({'cluster': cid, 'hello': steps['hello'], 'config': hello['Config'], 'failed': failed}, default=str))
            """);

        var clusterId = result.GetProperty("cluster").GetString()!;
        var stepId = result.GetProperty("hello").GetString()!;
        Assert.Equal($"{bucket}/jars/hello.jar", result.GetProperty("config").GetProperty("Jar").GetString());
        Assert.Equal("FAILED", result.GetProperty("failed").GetProperty("State").GetString());
        Assert.Equal("NonZeroExit", result.GetProperty("failed").GetProperty("FailureDetails").GetProperty("Reason").GetString());
        LogChunk stdout = await server.Client.ReadStepLogAsync(clusterId, stepId, StepLogKind.Stdout);
        Assert.Equal("hello from java: a,b\n", Encoding.UTF8.GetString(stdout.Data.Span));
        await server.Client.TerminateClusterAsync(clusterId);
    }

    [Fact]
    public async Task CancelSteps_PendingStepBehindARunningOne_IsCancelledAndTheWaiterFails()
    {
        var result = await PythonJsonAsync("""
            cid = emr.run_job_flow(Name='cancel', ReleaseLabel='emr-6.15.0', Instances=master(),
                Steps=[command('slow', 'sleep', '30'), command('later', 'echo', 'never')])['JobFlowId']
            steps = {s['Name']: s['Id'] for s in emr.list_steps(ClusterId=cid)['Steps']}
            cancelled = emr.cancel_steps(ClusterId=cid, StepIds=[steps['later']])['CancelStepsInfoList']
            waited = None
            try:
                emr.get_waiter('step_complete').wait(ClusterId=cid, StepId=steps['later'], WaiterConfig=fast)
            except WaiterError as e:
                waited = e.last_response['Step']['Status']['State']
            again = emr.cancel_steps(ClusterId=cid, StepIds=[steps['later']])['CancelStepsInfoList']
            emr.cancel_steps(ClusterId=cid, StepIds=[steps['slow']])
            emr.terminate_job_flows(JobFlowIds=[cid])
            print(json.dumps({'cancelled': cancelled, 'waited': waited, 'again': again}))
            """);

        Assert.Equal("SUBMITTED", result.GetProperty("cancelled")[0].GetProperty("Status").GetString());
        Assert.Equal("CANCELLED", result.GetProperty("waited").GetString());
        Assert.Equal("FAILED", result.GetProperty("again")[0].GetProperty("Status").GetString());
        Assert.Contains("Cancelled", result.GetProperty("again")[0].GetProperty("Reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TerminateJobFlows_TerminationProtected_RefusedUntilLiftedThenTerminates()
    {
        var result = await PythonJsonAsync("""
            cid = emr.run_job_flow(Name='protected', ReleaseLabel='emr-6.15.0', Instances=master(protect=True))['JobFlowId']
            refused = error(lambda: emr.terminate_job_flows(JobFlowIds=[cid]))
            state = emr.describe_cluster(ClusterId=cid)['Cluster']
            emr.set_termination_protection(JobFlowIds=[cid], TerminationProtected=False)
            emr.terminate_job_flows(JobFlowIds=[cid])
            emr.get_waiter('cluster_terminated').wait(ClusterId=cid, WaiterConfig=fast)
            end = emr.describe_cluster(ClusterId=cid)['Cluster']['Status']
            print(json.dumps({'refused': refused, 'protected': state['TerminationProtected'], 'state': state['Status']['State'], 'end': end}, default=str))
            """);

        Assert.StartsWith("ValidationException: Could not shut down one or more job flows since they are termination protected", result.GetProperty("refused").GetString(), StringComparison.Ordinal);
        Assert.True(result.GetProperty("protected").GetBoolean());
        Assert.NotEqual("TERMINATING", result.GetProperty("state").GetString());
        Assert.Equal("TERMINATED", result.GetProperty("end").GetProperty("State").GetString());
        Assert.Equal("USER_REQUEST", result.GetProperty("end").GetProperty("StateChangeReason").GetProperty("Code").GetString());
    }

    [Fact]
    public async Task ListSteps_MoreThanAPage_PaginatorFollowsTheMarker()
    {
        var result = await PythonJsonAsync("""
            cid = emr.run_job_flow(Name='paging', ReleaseLabel='emr-6.15.0', Instances=master(),
                Steps=[command('slow', 'sleep', '30')])['JobFlowId']
            added = emr.add_job_flow_steps(JobFlowId=cid, Steps=[command('s%d' % i, 'true') for i in range(55)])['StepIds']
            first = emr.list_steps(ClusterId=cid)
            ids = [s['Id'] for page in emr.get_paginator('list_steps').paginate(ClusterId=cid) for s in page['Steps']]
            chosen = emr.list_steps(ClusterId=cid, StepIds=added[:3])['Steps']
            running = emr.list_steps(ClusterId=cid, StepStates=['RUNNING'])['Steps']
            bad = error(lambda: emr.list_steps(ClusterId=cid, Marker='not-a-marker'))
            emr.cancel_steps(ClusterId=cid, StepIds=[s['Id'] for s in running])
            emr.terminate_job_flows(JobFlowIds=[cid])
            print(json.dumps({'first': len(first['Steps']), 'marker': 'Marker' in first, 'ids': ids, 'added': added,
                              'chosen': [s['Id'] for s in chosen], 'running': [s['Name'] for s in running], 'bad': bad}))
            """);

        Assert.Equal(50, result.GetProperty("first").GetInt32());
        Assert.True(result.GetProperty("marker").GetBoolean());
        var ids = result.GetProperty("ids").EnumerateArray().Select(i => i.GetString()).ToList();
        var added = result.GetProperty("added").EnumerateArray().Select(i => i.GetString()).ToList();
        Assert.Equal(56, ids.Distinct().Count());
        Assert.Equal(added.AsEnumerable().Reverse().Take(55), ids.Take(55)); // newest first, as EMR lists them
        Assert.Equal(added.Take(3).Reverse(), result.GetProperty("chosen").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(["slow"], result.GetProperty("running").EnumerateArray().Select(i => i.GetString()!));
        Assert.StartsWith("InvalidRequestException: Marker 'not-a-marker' was not issued", result.GetProperty("bad").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeCluster_NativeCluster_IsTheSameClusterThroughEmr()
    {
        ClusterInfo native = await server.Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("native-one")
            .AddInstanceGroup(InstanceRole.Master, "m1.small", 1).AddInstanceGroup(InstanceRole.Core, "r5.2xlarge", 2).WithTag("team", "data").KeepAlive().Build());
        await server.Client.WaitForClusterReadyAsync(native.Id, ServerFixture.Fast);

        var result = await PythonJsonAsync($$"""
            c = emr.describe_cluster(ClusterId='{{native.Id}}')['Cluster']
            groups = emr.list_instance_groups(ClusterId='{{native.Id}}')['InstanceGroups']
            instances = emr.list_instances(ClusterId='{{native.Id}}', InstanceGroupTypes=['CORE'])['Instances']
            core = [g for g in groups if g['InstanceGroupType'] == 'CORE'][0]
            emr.modify_instance_groups(ClusterId='{{native.Id}}', InstanceGroups=[{'InstanceGroupId': core['Id'], 'InstanceCount': 3}])
            emr.add_tags(ResourceId='{{native.Id}}', Tags=[{'Key': 'owner', 'Value': 'emr'}])
            emr.remove_tags(ResourceId='{{native.Id}}', TagKeys=['team'])
            emr.put_auto_termination_policy(ClusterId='{{native.Id}}', AutoTerminationPolicy={'IdleTimeout': 600})
            policy = emr.get_auto_termination_policy(ClusterId='{{native.Id}}')
            tags = emr.describe_cluster(ClusterId='{{native.Id}}')['Cluster']['Tags']
            emr.remove_auto_termination_policy(ClusterId='{{native.Id}}')
            after = emr.get_auto_termination_policy(ClusterId='{{native.Id}}')
            reserved = error(lambda: emr.add_tags(ResourceId='{{native.Id}}', Tags=[{'Key': 'sluice:emr:idleTimeout', 'Value': '1'}]))
            print(json.dumps({'name': c['Name'], 'state': c['Status']['State'], 'groups': groups, 'instances': len(instances), 'tags': tags,
                              'policy': policy.get('AutoTerminationPolicy'), 'after': after.get('AutoTerminationPolicy'), 'reserved': reserved}, default=str))
            """);

        Assert.Equal("native-one", result.GetProperty("name").GetString());
        Assert.Equal("WAITING", result.GetProperty("state").GetString());
        var core = result.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("InstanceGroupType").GetString() == "CORE");
        Assert.Equal(("r5.2xlarge", 2), (core.GetProperty("InstanceType").GetString(), core.GetProperty("RequestedInstanceCount").GetInt32()));
        Assert.Equal(2, result.GetProperty("instances").GetInt32());
        Assert.Equal("""[{"Key":"owner","Value":"emr"}]""", result.GetProperty("tags").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(600, result.GetProperty("policy").GetProperty("IdleTimeout").GetInt64());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("after").ValueKind);
        Assert.StartsWith("ValidationException:", result.GetProperty("reserved").GetString(), StringComparison.Ordinal);
        ClusterInfo again = await server.Client.GetClusterAsync(native.Id);
        Assert.Equal(3, again.InstanceGroups.Single(g => g.Role == "Core").RequestedCount);
        Assert.Equal("emr", again.Tags["owner"]);
        Assert.False(again.Tags.ContainsKey("team"));
        await server.Client.TerminateClusterAsync(native.Id);
    }

    [Fact]
    public async Task RunJobFlow_EmrStepConventionsAndBootstrapAction_RunAsHiveSparkPigScriptAndCommandSteps()
    {
        var bucket = "s3://emr-conv-" + Guid.NewGuid().ToString("N")[..10];
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/q/report.q", "select 1;");
        await server.PutObjectAsync($"{bucket}/p/load.pig", "a = load 'x';");
        await server.PutObjectAsync($"{bucket}/app/job.py", "print('spark')");
        await server.PutObjectAsync($"{bucket}/scripts/hello.sh", "#!/bin/sh\necho \"script says $1\"\n");
        await server.PutObjectAsync($"{bucket}/bootstrap/setup.sh", "#!/bin/sh\necho bootstrapped\n");

        var result = await PythonJsonAsync($$$"""
            b = '{{{bucket}}}'
            cid = emr.run_job_flow(Name='conventions', ReleaseLabel='emr-6.15.0', Instances=master(),
                Applications=[{'Name': 'Hadoop'}, {'Name': 'Hive'}, {'Name': 'Pig'}, {'Name': 'Spark'}],
                BootstrapActions=[{'Name': 'setup', 'ScriptBootstrapAction': {'Path': b + '/bootstrap/setup.sh', 'Args': ['x']}}],
                Steps=[command('hive', 'hive-script', '--run-hive-script', '--args', '-f', b + '/q/report.q', '-d', 'DAY=1'),
                       command('pig', 'pig-script', '--run-pig-script', '--args', '-f', b + '/p/load.pig', '-p', 'N=2'),
                       command('spark', 'spark-submit', '--deploy-mode', 'cluster', '--conf', 'spark.x=1', b + '/app/job.py', 'arg1'),
                       {'Name': 'script', 'ActionOnFailure': 'CONTINUE', 'HadoopJarStep': {
                           'Jar': 's3://local.elasticmapreduce/libs/script-runner/script-runner.jar', 'Args': [b + '/scripts/hello.sh', 'hi']}},
                       command('echo', 'echo', 'hello', 'world')])['JobFlowId']
            steps = {s['Name']: s for s in emr.list_steps(ClusterId=cid)['Steps']}
            for name, s in steps.items():
                try:
                    emr.get_waiter('step_complete').wait(ClusterId=cid, StepId=s['Id'], WaiterConfig=fast)
                except WaiterError:
                    sys.exit('step %s did not complete: %s; cluster %s' % (name, emr.describe_step(ClusterId=cid, StepId=s['Id'])['Step']['Status'],
                             emr.describe_cluster(ClusterId=cid)['Cluster']['Status']))
            actions = emr.list_bootstrap_actions(ClusterId=cid)['BootstrapActions']
            apps = emr.describe_cluster(ClusterId=cid)['Cluster']['Applications']
            emr.terminate_job_flows(JobFlowIds=[cid])
            print(json.dumps({'cluster': cid, 'ids': {n: s['Id'] for n, s in steps.items()}, 'configs': {n: s['Config'] for n, s in steps.items()},
                              'actions': actions, 'apps': [a['Name'] for a in apps]}))
            """);

        var ids = result.GetProperty("ids");
        string[] Argv(string name) => File.ReadAllLines(Path.Combine(server.ArgvDirectory, ids.GetProperty(name).GetString()!));
        Assert.Equal("hive", Argv("hive")[0]);
        Assert.Equal(["-f", "report.q", "-d", "DAY=1"], Argv("hive")[1..].Select(a => a.EndsWith("report.q", StringComparison.Ordinal) ? "report.q" : a));
        Assert.Equal(["-p", "N=2", "-f", "load.pig"], Argv("pig")[1..].Select(a => a.EndsWith("load.pig", StringComparison.Ordinal) ? "load.pig" : a));
        Assert.Equal(["--deploy-mode", "cluster", "--conf", "spark.x=1", "job.py", "arg1"], Argv("spark")[1..].Select(a => a.EndsWith("job.py", StringComparison.Ordinal) ? "job.py" : a));
        LogChunk script = await server.Client.ReadStepLogAsync(result.GetProperty("cluster").GetString()!, ids.GetProperty("script").GetString()!, StepLogKind.Stdout);
        Assert.Equal("script says hi\n", Encoding.UTF8.GetString(script.Data.Span));
        LogChunk echo = await server.Client.ReadStepLogAsync(result.GetProperty("cluster").GetString()!, ids.GetProperty("echo").GetString()!, StepLogKind.Stdout);
        Assert.Equal("hello world\n", Encoding.UTF8.GetString(echo.Data.Span));
        var configs = result.GetProperty("configs");
        Assert.Equal("""["echo","hello","world"]""", configs.GetProperty("echo").GetProperty("Args").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("script-runner.jar", configs.GetProperty("script").GetProperty("Jar").GetString());
        Assert.Equal("spark-submit", configs.GetProperty("spark").GetProperty("Args")[0].GetString());
        var action = Assert.Single(result.GetProperty("actions").EnumerateArray());
        Assert.Equal(("setup", $"{bucket}/bootstrap/setup.sh"), (action.GetProperty("Name").GetString(), action.GetProperty("ScriptPath").GetString()));
        Assert.Equal(["Hadoop", "Hive", "Pig", "Spark"], result.GetProperty("apps").EnumerateArray().Select(a => a.GetString()!));
    }

    [Fact]
    public async Task ListClusters_MoreThanAPageWithTimeAndStateFilters_PagesByMarker()
    {
        var account = await SluiceServerHost.CreateAccountAsync(server.App, "emr-lister-" + Guid.NewGuid().ToString("N")[..6], CancellationToken.None);
        var result = await PythonJsonAsync("""
            ids = [emr.run_job_flow(Name='c%d' % i, Instances=master('m1.small'))['JobFlowId'] for i in range(53)]
            listed = [c['Id'] for page in emr.get_paginator('list_clusters').paginate() for c in page['Clusters']]
            first = emr.list_clusters()
            future = emr.list_clusters(CreatedAfter=time.time() + 3600)['Clusters']
            past = emr.list_clusters(CreatedBefore=time.time() - 3600)['Clusters']
            emr.terminate_job_flows(JobFlowIds=ids[:3])
            emr.get_waiter('cluster_terminated').wait(ClusterId=ids[2], WaiterConfig=fast)
            ended = [c['Id'] for c in emr.list_clusters(ClusterStates=['TERMINATED'])['Clusters']]
            flows = emr.describe_job_flows(JobFlowStates=['TERMINATED'])['JobFlows']
            emr.terminate_job_flows(JobFlowIds=ids[3:])
            print(json.dumps({'ids': ids, 'listed': listed, 'first': len(first['Clusters']), 'marker': 'Marker' in first,
                              'future': len(future), 'past': len(past), 'ended': ended, 'flows': [f['JobFlowId'] for f in flows]}))
            """, account);

        var ids = result.GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToList();
        Assert.Equal(ids, result.GetProperty("listed").EnumerateArray().Select(i => i.GetString()!));
        Assert.Equal((50, true), (result.GetProperty("first").GetInt32(), result.GetProperty("marker").GetBoolean()));
        Assert.Equal((0, 0), (result.GetProperty("future").GetInt32(), result.GetProperty("past").GetInt32()));
        Assert.Equal(ids[..3], result.GetProperty("ended").EnumerateArray().Select(i => i.GetString()!));
        Assert.Equal(ids[..3], result.GetProperty("flows").EnumerateArray().Select(i => i.GetString()!));
    }

    [Fact]
    public async Task Waiters_FailedBootstrapAndTerminatingStepFailure_EndOnFailureWithEmrReasons()
    {
        var bucket = "s3://emr-fail-" + Guid.NewGuid().ToString("N")[..10];
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/bootstrap/broken.sh", "#!/bin/sh\nexit 3\n");
        var result = await PythonJsonAsync($$$"""
            broken = emr.run_job_flow(Name='broken', Instances=master(),
                BootstrapActions=[{'Name': 'broken', 'ScriptBootstrapAction': {'Path': '{{{bucket}}}/bootstrap/broken.sh'}}])['JobFlowId']
            running = None
            try:
                emr.get_waiter('cluster_running').wait(ClusterId=broken, WaiterConfig=fast)
            except WaiterError as e:
                running = e.last_response['Cluster']['Status']
            failing = emr.run_job_flow(Name='failing', Instances=master(keep=True), StepConcurrencyLevel=1,
                Steps=[{'Name': 'false', 'ActionOnFailure': 'TERMINATE_JOB_FLOW', 'HadoopJarStep': {'Jar': 'command-runner.jar', 'Args': ['false']}}])['JobFlowId']
            terminated = None
            try:
                emr.get_waiter('cluster_terminated').wait(ClusterId=failing, WaiterConfig=fast)
            except WaiterError as e:
                terminated = e.last_response['Cluster']['Status']
            step = emr.list_steps(ClusterId=failing)['Steps'][0]
            parallel = emr.run_job_flow(Name='parallel', Instances=master(), StepConcurrencyLevel=2)['JobFlowId']
            level = emr.describe_cluster(ClusterId=parallel)['Cluster']['StepConcurrencyLevel']
            refused = error(lambda: emr.add_job_flow_steps(JobFlowId=parallel, Steps=[dict(command('x', 'true'), ActionOnFailure='CANCEL_AND_WAIT')]))
            emr.terminate_job_flows(JobFlowIds=[parallel])
            print(json.dumps({'running': running, 'terminated': terminated, 'step': step['Status']['State'], 'action': step['ActionOnFailure'],
                              'level': level, 'refused': refused}, default=str))
            """);

        // cluster_running fails as soon as it sees TERMINATING (botocore's acceptors), which may come before the end.
        Assert.Contains(result.GetProperty("running").GetProperty("State").GetString(), new[] { "TERMINATING", "TERMINATED_WITH_ERRORS" });
        Assert.Equal("BOOTSTRAP_FAILURE", result.GetProperty("running").GetProperty("StateChangeReason").GetProperty("Code").GetString());
        Assert.Equal("TERMINATED_WITH_ERRORS", result.GetProperty("terminated").GetProperty("State").GetString());
        Assert.Equal("STEP_FAILURE", result.GetProperty("terminated").GetProperty("StateChangeReason").GetProperty("Code").GetString());
        Assert.Equal(("FAILED", "TERMINATE_CLUSTER"), (result.GetProperty("step").GetString(), result.GetProperty("action").GetString()));
        Assert.Equal(2, result.GetProperty("level").GetInt32());
        Assert.StartsWith("ValidationException:", result.GetProperty("refused").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondAccount_CannotSeeTerminateOrUseTheFirstAccountsClusterOrBucket()
    {
        var bucket = "s3://emr-owned-" + Guid.NewGuid().ToString("N")[..10];
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/in.txt", "a b\n");
        var first = await PythonJsonAsync($$"""
            cid = emr.run_job_flow(Name='mine', ReleaseLabel='emr-6.15.0', Instances=master(),
                Steps=[command('claim', 'hadoop-streaming', '-input', '{{bucket}}/in.txt', '-output', '{{bucket}}/out1/', '-mapper', 'cat', '-reducer', 'NONE')])['JobFlowId']
            print(json.dumps({'cluster': cid}))
            """);
        var clusterId = first.GetProperty("cluster").GetString()!;
        var other = await SluiceServerHost.CreateAccountAsync(server.App, "emr-other-" + Guid.NewGuid().ToString("N")[..6], CancellationToken.None);

        var result = await PythonJsonAsync($$"""
            cid = '{{clusterId}}'
            print(json.dumps({
                'describe': error(lambda: emr.describe_cluster(ClusterId=cid)),
                'terminate': error(lambda: emr.terminate_job_flows(JobFlowIds=[cid])),
                'steps': error(lambda: emr.list_steps(ClusterId=cid)),
                'add': error(lambda: emr.add_job_flow_steps(JobFlowId=cid, Steps=[command('x', 'true')])),
                'listed': [c['Id'] for c in emr.list_clusters()['Clusters']],
                'jobflows': [j['JobFlowId'] for j in emr.describe_job_flows()['JobFlows']],
                'bucket': error(lambda: emr.run_job_flow(Name='theirs', Instances=master(),
                    Steps=[command('steal', 'hadoop-streaming', '-input', '{{bucket}}/in.txt', '-output', '{{bucket}}/out2/', '-mapper', 'cat')])),
            }))
            """, other);

        Assert.StartsWith("InvalidRequestException: cluster '" + clusterId, result.GetProperty("describe").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidRequestException:", result.GetProperty("terminate").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidRequestException:", result.GetProperty("steps").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidRequestException:", result.GetProperty("add").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(clusterId, result.GetProperty("listed").EnumerateArray().Select(i => i.GetString()));
        Assert.DoesNotContain(clusterId, result.GetProperty("jobflows").EnumerateArray().Select(i => i.GetString()));
        Assert.StartsWith("AccessDeniedException:", result.GetProperty("bucket").GetString(), StringComparison.Ordinal);
        ClusterInfo mine = await server.Client.GetClusterAsync(clusterId);
        Assert.DoesNotContain(mine.State, new[] { "Terminating", "Terminated" });
        await server.Client.TerminateClusterAsync(clusterId);
    }
}
