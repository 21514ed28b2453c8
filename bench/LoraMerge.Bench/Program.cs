using LoraMerge.Bench;

return args switch
{
    ["generate", .. var rest] => SyntheticLlama.Generate(BenchArgs.Parse(rest)),
    ["merge", .. var rest] => MeasuredMerge.Run(BenchArgs.Parse(rest)),
    ["load", .. var rest] => MeasuredLoad.Run(BenchArgs.Parse(rest)),
    ["gguf", .. var rest] => MeasuredGguf.Run(BenchArgs.Parse(rest)),
    ["llama-load", .. var rest] => LlamaCppLoad.Run(BenchArgs.Parse(rest)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          LoraMerge.Bench generate --out DIR [--layers 8] [--hidden 2048] [--intermediate 5632] [--vocab 32000] [--rank 16] [--dtype bf16]
          LoraMerge.Bench merge --base DIR --adapter DIR --out DIR [--threads N] [--rounds 3] [--copy FILE]
          LoraMerge.Bench load --model MERGED_DIR [--rounds 20]
          LoraMerge.Bench gguf --base DIR --adapter DIR --out DIR [--threads N] [--rounds 3]
          LoraMerge.Bench llama-load --gguf FILE
        """);
    return 2;
}
