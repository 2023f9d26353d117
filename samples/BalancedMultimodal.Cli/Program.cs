using BalancedMultimodal.Cli;
using BalancedMultimodal.Cli.Commands;

// The commands of `bmm`; each lives in its own file under Commands/.
ICliCommand[] commands =
[
    new InfoCommand(),
    new BenchCommand(),
    new FuseCommand(),
    new MiCommand(),
];

// With no arguments, bmm runs its main job on the bundled data.
const string DefaultCommand = "info";

return CliApp.Run(args, commands, DefaultCommand, Console.Out, Console.Error);
