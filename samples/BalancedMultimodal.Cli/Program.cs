using BalancedMultimodal.Cli;
using BalancedMultimodal.Cli.Commands;

// The commands of `bmm`; each lives in its own file under Commands/.
ICliCommand[] commands =
[
    new InfoCommand(),
    new BenchCommand(),
    new FuseCommand(),
    new MiCommand(),
    new TrainCommand(),
    new CompareCommand(),
    new PredictCommand(),
];

// With no arguments, bmm runs its main job on the bundled data.
const string DefaultCommand = "train";

return CliApp.Run(args, commands, DefaultCommand, Console.Out, Console.Error);
