using System.CommandLine;

namespace LoraMerge.Cli.Commands;

/// <summary>The arguments and options of <c>lora-merge inspect</c>.</summary>
internal sealed class InspectCommandLine
{
    public const int DefaultTableRows = 20;

    public const string Examples = """
        lora-merge inspect ./Llama-3.2-1B
        lora-merge inspect ./Llama-3.2-1B --all
        lora-merge inspect ./math-lora
        lora-merge inspect ./math-lora --base ./Llama-3.2-1B
        lora-merge inspect ./merged/model.gguf
        """;

    public Argument<string> Directory { get; } = new("DIR")
    {
        Description = "A model folder (config.json + *.safetensors), a PEFT adapter folder (adapter_config.json + adapter_model.safetensors), or a GGUF file (or a folder holding only model.gguf).",
    };

    public Option<string?> Base { get; } = new("--base")
    {
        Description = "With an adapter folder: the base model to plan a merge against; shows which tensors a merge would change and any warnings or errors, without reading weights.",
        HelpName = "DIR",
    };

    public Option<bool> All { get; } = new("--all")
    {
        Description = $"List every tensor (by default long tables are trimmed to {DefaultTableRows} rows).",
    };

    public Command CreateCommand() =>
        new("inspect", "Summarise a model or adapter folder: tensors, dtypes, sizes, adapter settings and targets, and (with --base) what a merge would change.")
        {
            Directory, Base, All,
        };
}
