namespace Sluice.Streaming;

/// <summary>Parses a hadoop-streaming command line into a <see cref="StreamingJobSpec"/>.</summary>
public static class StreamingArguments
{
    /// <summary>One line per option, for usage messages.</summary>
    public const string Usage = """
        Usage: sluice streaming -input IN [-input IN2 ...] -output OUT -mapper CMD
                 [-reducer CMD|aggregate|NONE] [-combiner CMD|aggregate] [-numReduceTasks N]
                 [-D key=value ...] [-cmdenv NAME=VALUE ...] [-files f1[#name],...] [-archives a1[#name],...]
                 [-partitioner HashPartitioner|KeyFieldBasedPartitioner] [--parallelism N] [--overwrite]
                 [--split-size BYTES] [--output json]
          -file, -cacheFile, -cacheArchive and -jobconf are accepted as deprecated forms.
          Object URIs (s3://, oss://, bos://, s3n://, file://bucket/) in -input, -output, -files and -archives resolve
          through the object store of --data DIR (default ~/.sluice/data) and SLUICE_S3Stores__* / SLUICE_ObjectStorage__*.
        """;

    /// <summary>
    /// Parses the arguments. Options take one value each; <c>-D</c> also accepts <c>-Dkey=value</c>.
    /// Throws <see cref="StreamingUsageException"/> naming the bad argument and what to pass instead.
    /// </summary>
    public static StreamingJobSpec Parse(IReadOnlyList<string> args)
    {
        var spec = new StreamingJobSpec();
        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new StreamingUsageException($"{option} needs a value.");
                }
                return args[++i];
            }
            switch (option)
            {
                case "-input":
                    spec.Inputs.AddRange(SplitList(Value()));
                    break;
                case "-output":
                    SetOnce(spec.Output.Length > 0, option);
                    spec.Output = NonEmpty(option, Value());
                    break;
                case "-mapper":
                    SetOnce(spec.Mapper.Length > 0, option);
                    spec.Mapper = NonEmpty(option, Value());
                    break;
                case "-reducer":
                    SetOnce(spec.Reducer is not null, option);
                    spec.Reducer = NonEmpty(option, Value());
                    break;
                case "-combiner":
                    SetOnce(spec.Combiner is not null, option);
                    spec.Combiner = NonEmpty(option, Value());
                    break;
                case "-numReduceTasks":
                    spec.NumReduceTasks = ParseInt(option, Value(), 0);
                    break;
                case "-D":
                    AddPair(spec.Configuration, option, Value());
                    break;
                case "-jobconf":
                    spec.Warnings.Add("-jobconf is deprecated; use -D key=value.");
                    AddPair(spec.Configuration, option, Value());
                    break;
                case "-cmdenv":
                    AddPair(spec.Environment, option, Value());
                    break;
                case "-files":
                    spec.Files.AddRange(SplitList(Value()));
                    break;
                case "-archives":
                    spec.Archives.AddRange(SplitList(Value()));
                    break;
                case "-file":
                    spec.Warnings.Add("-file is deprecated; use -files.");
                    spec.Files.Add(NonEmpty(option, Value()));
                    break;
                case "-cacheFile":
                    spec.Warnings.Add("-cacheFile is deprecated; use -files uri#name.");
                    spec.Files.Add(NonEmpty(option, Value()));
                    break;
                case "-cacheArchive":
                    spec.Warnings.Add("-cacheArchive is deprecated; use -archives uri#name.");
                    spec.Archives.Add(NonEmpty(option, Value()));
                    break;
                case "-partitioner":
                    spec.Partitioner = NonEmpty(option, Value());
                    break;
                case "--parallelism":
                    spec.Parallelism = ParseInt(option, Value(), 1);
                    break;
                case "--split-size":
                    spec.SplitSize = ParseLong(option, Value(), 1);
                    break;
                case "--overwrite":
                    spec.Overwrite = true;
                    break;
                case "-verbose":
                case "-debug":
                    break;
                case "-inputformat":
                case "-outputformat":
                case "-inputreader":
                case "-io":
                case "-lazyOutput":
                case "-background":
                    throw new StreamingUsageException($"{option} is not supported: inputs are read as text lines (gzip included) and output is written as text part files.");
                default:
                    if (option.StartsWith("-D", StringComparison.Ordinal) && option.Length > 2)
                    {
                        AddPair(spec.Configuration, "-D", option[2..]);
                        break;
                    }
                    throw new StreamingUsageException($"Unknown option '{option}'. Options start with one dash (-input, -mapper, ...), except --parallelism, --overwrite, --split-size and --output.");
            }
        }
        if (spec.Inputs.Count == 0)
        {
            throw new StreamingUsageException("Missing -input: give at least one input file, directory or glob.");
        }
        if (spec.Output.Length == 0)
        {
            throw new StreamingUsageException("Missing -output: give the output directory (it must not exist, or pass --overwrite).");
        }
        if (spec.Mapper.Length == 0)
        {
            throw new StreamingUsageException("Missing -mapper: give the map command (e.g. -mapper cat or -mapper 'python3 map.py').");
        }
        return spec;
    }

    private static void SetOnce(bool alreadySet, string option)
    {
        if (alreadySet)
        {
            throw new StreamingUsageException($"{option} is given twice; pass it once.");
        }
    }

    private static string NonEmpty(string option, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new StreamingUsageException($"{option} needs a non-empty value.") : value;

    private static IEnumerable<string> SplitList(string value)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return items.Length > 0 ? items : throw new StreamingUsageException($"Empty list '{value}': give at least one path.");
    }

    private static void AddPair(Dictionary<string, string> target, string option, string pair)
    {
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new StreamingUsageException($"{option} {pair}: expected key=value.");
        }
        target[pair[..eq].Trim()] = pair[(eq + 1)..];
    }

    private static int ParseInt(string option, string value, int minimum) => checked((int)ParseLong(option, value, minimum));

    private static long ParseLong(string option, string value, long minimum)
    {
        if (!long.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < minimum || n > int.MaxValue && option != "--split-size")
        {
            throw new StreamingUsageException($"{option} {value}: expected a whole number of at least {minimum}.");
        }
        return n;
    }
}
