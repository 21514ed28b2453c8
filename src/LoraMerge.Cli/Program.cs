return LoraMerge.Cli.CliApp.Run(args);
