using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>
/// Builds steps the way the seeds do: BMR's <c>create_step</c> with <c>create_java_step_properties</c>,
/// <c>create_streaming_step_properties</c>, <c>create_hive_step_properties</c> and <c>create_pig_step_properties</c>;
/// boto's <c>JarStep</c> and <c>StreamingStep</c>. Each method returns a new <see cref="StepConfig"/>.
/// </summary>
/// <example>
/// <code>
/// var steps = new[]
/// {
///     StepBuilder.JarStep("count", "/data/wordcount.jar", mainClass: "WordCount", arguments: ["/data/in", "/data/out"]),
///     StepBuilder.StreamingStep("words", mapper: "python3 mapper.py", reducer: "aggregate", input: "/data/in", output: "/data/words",
///         cacheFiles: ["/data/mapper.py#mapper.py"], actionOnFailure: StepActionOnFailure.CancelAndWait),
///     StepBuilder.CreateStep(StepBuilder.HiveStepProperties("/data/q.hql", input: "/data/in", output: "/data/hive"), "hive"),
/// };
/// await client.AddStepsAsync(clusterId, steps);
/// </code>
/// </example>
public static class StepBuilder
{
    /// <summary>BMR's <c>create_step</c>: a step of the type the properties were made for.</summary>
    /// <param name="properties">From one of the <c>*StepProperties</c> methods (the type travels with them).</param>
    /// <param name="name">The step's name.</param>
    /// <param name="actionOnFailure">Default <see cref="StepActionOnFailure.Continue"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static StepConfig CreateStep(TypedStepProperties properties, string name, StepActionOnFailure actionOnFailure = StepActionOnFailure.Continue)
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new StepConfig { Name = name, Type = properties.Type, ActionOnFailure = actionOnFailure.ToString(), Properties = properties.Properties };
    }

    /// <summary>BMR's <c>create_java_step_properties</c>: a custom jar.</summary>
    /// <param name="jar">The jar: a local path or <c>file://</c> URI.</param>
    /// <param name="mainClass">The main class; default null: the jar's <c>Main-Class</c> manifest entry.</param>
    /// <param name="arguments">The program's arguments.</param>
    public static TypedStepProperties JavaStepProperties(string jar, string? mainClass = null, IEnumerable<string>? arguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jar);
        return new("Java", new StepProperties { Jar = jar, MainClass = mainClass, Arguments = List(arguments) });
    }

    /// <summary>BMR's <c>create_streaming_step_properties</c>: a Hadoop-streaming job.</summary>
    /// <param name="input">The input file or directory.</param>
    /// <param name="output">The output directory, which must not exist yet.</param>
    /// <param name="mapper">The mapper command.</param>
    /// <param name="reducer">The reducer command, <c>aggregate</c>, or <c>NONE</c>; default null: the identity reducer.</param>
    /// <param name="arguments">Extra streaming arguments such as <c>-D k=v</c>.</param>
    public static TypedStepProperties StreamingStepProperties(string input, string output, string mapper, string? reducer = null, IEnumerable<string>? arguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        ArgumentException.ThrowIfNullOrWhiteSpace(mapper);
        return new("Streaming", new StepProperties { Input = [input], Output = output, Mapper = mapper, Reducer = reducer, Arguments = List(arguments) });
    }

    /// <summary>BMR's <c>create_hive_step_properties</c>: input becomes <c>-d INPUT=…</c>, output <c>-d OUTPUT=…</c>. The cluster needs the hive application.</summary>
    /// <param name="script">The Hive script.</param>
    /// <param name="arguments">Extra arguments, such as <c>--hivevar K=V</c>.</param>
    /// <param name="input">The input, if the script reads <c>${INPUT}</c>.</param>
    /// <param name="output">The output, if the script writes <c>${OUTPUT}</c>.</param>
    public static TypedStepProperties HiveStepProperties(string script, IEnumerable<string>? arguments = null, string? input = null, string? output = null) =>
        ScriptProperties("Hive", script, arguments, input, output);

    /// <summary>BMR's <c>create_pig_step_properties</c>: input becomes <c>-p INPUT=…</c>, output <c>-p OUTPUT=…</c>. The cluster needs the pig application.</summary>
    /// <param name="script">The Pig script.</param>
    /// <param name="arguments">Extra arguments.</param>
    /// <param name="input">The input, if the script reads <c>$INPUT</c>.</param>
    /// <param name="output">The output, if the script writes <c>$OUTPUT</c>.</param>
    public static TypedStepProperties PigStepProperties(string script, IEnumerable<string>? arguments = null, string? input = null, string? output = null) =>
        ScriptProperties("Pig", script, arguments, input, output);

    /// <summary>A spark-submit step (AZTK's application); more spark-submit settings can be set on the returned properties. The cluster needs the spark application.</summary>
    /// <param name="application">The application jar or .py file.</param>
    /// <param name="mainClass">The main class (<c>--class</c>) of a jar.</param>
    /// <param name="arguments">The application's arguments.</param>
    /// <param name="submitOptions">Extra spark-submit options, placed before the application.</param>
    public static TypedStepProperties SparkStepProperties(string application, string? mainClass = null, IEnumerable<string>? arguments = null, IEnumerable<string>? submitOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(application);
        return new("Spark", new StepProperties { Jar = application, MainClass = mainClass, Arguments = List(arguments), SubmitOptions = List(submitOptions) });
    }

    /// <summary>EMR's command-runner: any command line, run on a node of the cluster.</summary>
    /// <param name="commandLine">The command line; run through <c>/bin/sh -c</c> when it needs a shell.</param>
    public static TypedStepProperties CommandStepProperties(string commandLine)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commandLine);
        return new("Command", new StepProperties { CommandLine = commandLine });
    }

    /// <summary>boto's <c>JarStep</c>.</summary>
    /// <param name="name">The step's name.</param>
    /// <param name="jar">The jar.</param>
    /// <param name="mainClass">The main class; default null: from the manifest.</param>
    /// <param name="actionOnFailure">Default <see cref="StepActionOnFailure.Continue"/>.</param>
    /// <param name="arguments">boto's <c>step_args</c>.</param>
    public static StepConfig JarStep(string name, string jar, string? mainClass = null, StepActionOnFailure actionOnFailure = StepActionOnFailure.Continue,
        IEnumerable<string>? arguments = null) =>
        CreateStep(JavaStepProperties(jar, mainClass, arguments), name, actionOnFailure);

    /// <summary>boto's <c>StreamingStep</c>.</summary>
    /// <param name="name">The step's name.</param>
    /// <param name="mapper">The mapper command.</param>
    /// <param name="reducer">The reducer command or <c>aggregate</c>; default null: identity.</param>
    /// <param name="combiner">The combiner; default none.</param>
    /// <param name="actionOnFailure">Default <see cref="StepActionOnFailure.Continue"/>.</param>
    /// <param name="cacheFiles">Files (<c>path#name</c>) linked into each task's working directory.</param>
    /// <param name="cacheArchives">Archives (<c>path#name</c>) unpacked and linked likewise.</param>
    /// <param name="arguments">boto's <c>step_args</c>, such as <c>-D k=v</c>.</param>
    /// <param name="input">The input (required).</param>
    /// <param name="output">The output directory (required).</param>
    /// <param name="numReduceTasks">The reduce task count; default null: 1.</param>
    public static StepConfig StreamingStep(string name, string mapper, string? reducer = null, string? combiner = null,
        StepActionOnFailure actionOnFailure = StepActionOnFailure.Continue, IEnumerable<string>? cacheFiles = null, IEnumerable<string>? cacheArchives = null,
        IEnumerable<string>? arguments = null, string? input = null, string? output = null, int? numReduceTasks = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        var properties = StreamingStepProperties(input, output, mapper, reducer, arguments);
        properties.Properties.Combiner = combiner;
        properties.Properties.CacheFiles = List(cacheFiles);
        properties.Properties.CacheArchives = List(cacheArchives);
        properties.Properties.NumReduceTasks = numReduceTasks;
        return CreateStep(properties, name, actionOnFailure);
    }

    private static TypedStepProperties ScriptProperties(string type, string script, IEnumerable<string>? arguments, string? input, string? output)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(script);
        return new(type, new StepProperties { Script = script, Arguments = List(arguments), Input = input is null ? null : [input], Output = output });
    }

    private static List<string>? List(IEnumerable<string>? items) => items is null ? null : [.. items];
}
