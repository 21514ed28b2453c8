using System.Globalization;

namespace AppWithAdapters;

/// <summary>Which engine runs the merged model.</summary>
internal enum SampleEngine
{
    /// <summary>The sample's own C# Llama forward pass over the typed tensors of models/Bofh/.</summary>
    CSharp,

    /// <summary>llama.cpp through LLamaSharp, from models/Bofh/model.gguf.</summary>
    LlamaSharp,
}

/// <summary>Command line: <c>[prompt] [--max-tokens N] [--temperature T] [--seed S] [--engine csharp|llamasharp]</c>.</summary>
internal sealed record SampleOptions(string Prompt, int MaxTokens, float Temperature, int Seed, SampleEngine Engine = SampleEngine.CSharp)
{
    public const string Usage = "usage: AppWithAdapters [prompt] [--max-tokens 200] [--temperature 0.8] [--seed 1] [--engine csharp|llamasharp]";

    public static bool TryParse(string[] args, out SampleOptions options, out string? error)
    {
        options = new SampleOptions("The server is down because ", 200, 0.8f, 1);
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                options = options with { Prompt = arg };
                continue;
            }
            if (arg is "--help" or "-h")
            {
                error = "";
                return false;
            }
            if (i + 1 >= args.Length)
            {
                error = $"{arg} needs a value";
                return false;
            }
            string value = args[++i];
            bool ok = arg switch
            {
                "--max-tokens" => int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n >= 0 && Set(ref options, options with { MaxTokens = n }),
                "--temperature" => float.TryParse(value, CultureInfo.InvariantCulture, out float t) && t >= 0 && Set(ref options, options with { Temperature = t }),
                "--seed" => int.TryParse(value, CultureInfo.InvariantCulture, out int s) && Set(ref options, options with { Seed = s }),
                "--engine" => value switch
                {
                    "csharp" => Set(ref options, options with { Engine = SampleEngine.CSharp }),
                    "llamasharp" => Set(ref options, options with { Engine = SampleEngine.LlamaSharp }),
                    _ => false,
                },
                _ => false,
            };
            if (!ok)
            {
                error = $"invalid option or value: {arg} {value}";
                return false;
            }
        }
        return true;
    }

    private static bool Set(ref SampleOptions target, SampleOptions value)
    {
        target = value;
        return true;
    }
}
