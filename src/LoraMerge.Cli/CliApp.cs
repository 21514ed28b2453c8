namespace LoraMerge.Cli;

internal static class CliApp
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("lora-merge: not implemented yet");
        return 1;
    }
}
