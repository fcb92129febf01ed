using System.Xml;

namespace Sluice.Server.Tests.Compat.Emr;

/// <summary>One object boto 2's SAX handler builds: the fields it keeps, its sub-objects and, for a ResultSet, its members.</summary>
internal sealed class BotoNode(string kind)
{
    public string Kind { get; } = kind;
    public Dictionary<string, string> Fields { get; } = [];
    public Dictionary<string, BotoNode> Children { get; } = [];
    public List<BotoNode> Items { get; } = [];
    /// <summary>An Arg's (or StepId's) text.</summary>
    public string? Value { get; set; }

    public string? this[string field] => Fields.GetValueOrDefault(field);

    public BotoNode Child(string name) => Children.TryGetValue(name, out var child) ? child : throw new KeyNotFoundException($"{Kind} has no {name} (has {string.Join(", ", Children.Keys)})");
}

/// <summary>
/// boto 2's XML parsing, written from boto/handler.py, boto/resultset.py and boto/emr/emrobject.py: a stack of
/// nodes; each element's start asks the top node for a new node (pushed under that element's name), each end hands the
/// text to the top node (which keeps it when the name is one of its Fields) and pops the top node when its element ends.
/// So a list the classes do not expect (an unexpected <c>member</c>) pops a job flow early, as it does in boto.
/// </summary>
internal static class BotoSax
{
    private sealed record Spec(string[] Fields, Dictionary<string, string> Children);

    private static readonly string[] Values = ["Arg", "StepId", "SupportedProduct"];

    private static readonly Dictionary<string, Spec> Specs = new()
    {
        ["RunJobFlowResponse"] = new(["JobFlowId"], []),
        ["JobFlowStepList"] = new([], new() { ["StepIds"] = "RS:StepId" }),
        ["BootstrapAction"] = new(["Args", "Name", "Path", "ScriptPath"], new() { ["Args"] = "RS:Arg" }),
        ["KeyValue"] = new(["Key", "Value"], []),
        ["Step"] = new(["ActionOnFailure", "CreationDateTime", "EndDateTime", "Jar", "LastStateChangeReason", "MainClass", "Name", "StartDateTime", "State"],
            new() { ["Args"] = "RS:Arg", ["Properties"] = "RS:KeyValue" }),
        ["InstanceGroup"] = new(["BidPrice", "CreationDateTime", "EndDateTime", "InstanceGroupId", "InstanceRequestCount", "InstanceRole", "InstanceRunningCount",
            "InstanceType", "LastStateChangeReason", "LaunchGroup", "Market", "Name", "ReadyDateTime", "StartDateTime", "State"], []),
        ["JobFlow"] = new(["AmiVersion", "AvailabilityZone", "CreationDateTime", "Ec2KeyName", "EndDateTime", "HadoopVersion", "Id", "InstanceCount", "JobFlowId",
            "KeepJobFlowAliveWhenNoSteps", "LastStateChangeReason", "LogUri", "MasterInstanceId", "MasterInstanceType", "MasterPublicDnsName", "Name",
            "NormalizedInstanceHours", "ReadyDateTime", "RequestId", "SlaveInstanceType", "StartDateTime", "State", "TerminationProtected", "Type", "Value", "VisibleToAllUsers"],
            new() { ["Steps"] = "RS:Step", ["InstanceGroups"] = "RS:InstanceGroup", ["BootstrapActions"] = "RS:BootstrapAction", ["SupportedProducts"] = "RS:SupportedProduct" }),
        ["ClusterTimeline"] = new(["CreationDateTime", "ReadyDateTime", "EndDateTime"], []),
        ["ClusterStateChangeReason"] = new(["Code", "Message"], []),
        ["ClusterStatus"] = new(["State", "StateChangeReason", "Timeline"], new() { ["Timeline"] = "ClusterTimeline", ["StateChangeReason"] = "ClusterStateChangeReason" }),
        ["Ec2InstanceAttributes"] = new(["Ec2KeyName", "Ec2SubnetId", "Ec2AvailabilityZone", "IamInstanceProfile"], []),
        ["Application"] = new(["Name", "Version", "Args", "AdditionalInfo"], []),
        ["Cluster"] = new(["Id", "Name", "LogUri", "RequestedAmiVersion", "RunningAmiVersion", "AutoTerminate", "TerminationProtected", "VisibleToAllUsers",
            "MasterPublicDnsName", "NormalizedInstanceHours", "ServiceRole"],
            new() { ["Status"] = "ClusterStatus", ["Ec2InstanceAttributes"] = "Ec2InstanceAttributes", ["Applications"] = "RS:Application", ["Tags"] = "RS:KeyValue" }),
        ["ClusterSummary"] = new(["Id", "Name", "NormalizedInstanceHours"], new() { ["Status"] = "ClusterStatus" }),
        ["ClusterSummaryList"] = new(["Marker"], new() { ["Clusters"] = "RS:ClusterSummary" }),
        ["StepConfig"] = new(["Jar", "MainClass"], new() { ["Properties"] = "RS:KeyValue", ["Args"] = "RS:Arg" }),
        ["HadoopStep"] = new(["Id", "Name", "ActionOnFailure"], new() { ["Config"] = "StepConfig", ["Status"] = "ClusterStatus" }),
        ["StepSummary"] = new(["Id", "Name"], new() { ["Status"] = "ClusterStatus", ["Config"] = "StepConfig" }),
        ["StepSummaryList"] = new(["Marker"], new() { ["Steps"] = "RS:StepSummary" }),
        // BotoServerError keeps these of an error body.
        ["Error"] = new(["Type", "Code", "Message", "RequestId"], []),
        // get_status's BooleanResult keeps nothing EMR sends; it needs a body that parses.
        ["BooleanResult"] = new([], []),
    };

    /// <summary>Parses as <c>get_object(action, params, cls)</c> does; <paramref name="kind"/> starting <c>RS:</c> is <c>get_list</c>'s ResultSet.</summary>
    public static BotoNode Parse(string xml, string kind)
    {
        var root = new BotoNode(kind);
        var stack = new List<(string Name, BotoNode Node)> { ("root", root) };
        var text = "";
        using var reader = XmlReader.Create(new StringReader(xml));
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var name = reader.Name;
                    text = "";
                    if (Start(stack[^1].Node, name) is { } child)
                    {
                        stack.Add((name, child));
                    }
                    if (reader.IsEmptyElement)
                    {
                        End(stack, name, "");
                        text = "";
                    }
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    text += reader.Value;
                    break;
                case XmlNodeType.EndElement:
                    End(stack, reader.Name, text);
                    text = "";
                    break;
            }
        }
        return root;
    }

    private static BotoNode? Start(BotoNode node, string name)
    {
        if (node.Kind.StartsWith("RS:", StringComparison.Ordinal))
        {
            if (name != "member")
            {
                return null;
            }
            var member = new BotoNode(node.Kind[3..]);
            node.Items.Add(member);
            return member;
        }
        if (Values.Contains(node.Kind) || !Specs[node.Kind].Children.TryGetValue(name, out var kind))
        {
            return null;
        }
        var child = new BotoNode(kind);
        node.Children[name] = child;
        return child;
    }

    private static void End(List<(string Name, BotoNode Node)> stack, string name, string text)
    {
        var top = stack[^1].Node;
        if (top.Kind.StartsWith("RS:", StringComparison.Ordinal))
        {
            top.Fields[name] = text;
        }
        else if (Values.Contains(top.Kind))
        {
            top.Value = text;
        }
        else if (Specs[top.Kind].Fields.Contains(name))
        {
            top.Fields[name] = text;
        }
        if (stack[^1].Name == name)
        {
            stack.RemoveAt(stack.Count - 1);
        }
    }
}
