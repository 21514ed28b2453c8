using AppWithAdapters;
using AppWithAdapters.Inference;

if (!SampleOptions.TryParse(args, out var options, out string? error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(SampleOptions.Usage);
    return 2;
}

var sampler = new Sampler(options.Temperature, options.Seed);
if (options.Engine == SampleEngine.LlamaSharp)
{
    // The same merge, as the GGUF beside the safetensors in models/Bofh/: llama.cpp runs it.
    LLama.Native.NativeLogConfig.llama_log_set((_, _) => { });
    using var llama = new LlamaCppTextGenerator(BofhModel.GgufPath);
    Console.WriteLine(llama.Generate(options.Prompt, options.MaxTokens, sampler));
    return 0;
}

// Maps models/Bofh/ (merged at build/publish time) and checks it against what was compiled in: O(1), no copies.
using var bofh = BofhModel.Load();
var config = new LlamaConfig(
    BofhModel.Config.HiddenSize,
    BofhModel.Config.NumHiddenLayers,
    BofhModel.Config.NumAttentionHeads,
    BofhModel.Config.NumKeyValueHeads,
    BofhModel.Config.HeadDim,
    BofhModel.Config.IntermediateSize,
    BofhModel.Config.VocabSize,
    BofhModel.Config.MaxPositionEmbeddings,
    (float)BofhModel.Config.RmsNormEps,
    BofhModel.Config.RopeTheta);
var model = new LlamaModel(config, new TypedWeights(bofh));
var tokenizer = CharTokenizer.FromFile(Path.Combine(BofhModel.Description.DefaultDirectory, "vocab.json"));

var generator = new TextGenerator(model, tokenizer);
Console.WriteLine(generator.Generate(options.Prompt, options.MaxTokens, sampler));
return 0;
