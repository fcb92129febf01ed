using System.Text;

namespace Sluice.Bench.Streaming;

/// <summary>Seeded, deterministic inputs for the streaming benchmarks: the same bytes on every run.</summary>
internal static class StreamingCorpus
{
    /// <summary>Text lines of 4-16 words drawn from a skewed 50,000-word vocabulary (word-count input).</summary>
    public static void WriteText(string path, long bytes, int seed = 20261121)
    {
        var random = new Random(seed);
        var vocabulary = Vocabulary(random, 50_000);
        using var output = new BufferedStream(File.Create(path), 1 << 20);
        long written = 0;
        var line = new StringBuilder();
        while (written < bytes)
        {
            line.Clear();
            var words = random.Next(4, 17);
            for (var i = 0; i < words; i++)
            {
                // Cubing the uniform draw skews toward frequent words, roughly like natural text.
                var u = random.NextDouble();
                line.Append(vocabulary[(int)(u * u * u * vocabulary.Length)]).Append(i + 1 < words ? ' ' : '\n');
            }
            var data = Encoding.ASCII.GetBytes(line.ToString());
            output.Write(data);
            written += data.Length;
        }
    }

    /// <summary>Key TAB value lines: keys from a 200,000-key space, values 20-60 random characters.</summary>
    public static void WriteKeyValue(string path, long bytes, int seed = 11212026)
    {
        var random = new Random(seed);
        var keys = Vocabulary(random, 200_000);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        using var output = new BufferedStream(File.Create(path), 1 << 20);
        long written = 0;
        var line = new StringBuilder();
        while (written < bytes)
        {
            line.Clear();
            line.Append(keys[random.Next(keys.Length)]).Append('\t');
            var length = random.Next(20, 61);
            for (var i = 0; i < length; i++)
            {
                line.Append(alphabet[random.Next(alphabet.Length)]);
            }
            line.Append('\n');
            var data = Encoding.ASCII.GetBytes(line.ToString());
            output.Write(data);
            written += data.Length;
        }
    }

    private static string[] Vocabulary(Random random, int size)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var chars = new char[12];
        while (words.Count < size)
        {
            var length = random.Next(2, 11);
            for (var i = 0; i < length; i++)
            {
                chars[i] = (char)('a' + random.Next(26));
            }
            words.Add(new string(chars, 0, length));
        }
        return [.. words];
    }
}
