using System.Globalization;
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

// bmm's files (--config JSON, CSV, metrics.json) use invariant numbers ("1.5"); its messages and tables do the same
// whatever the machine's locale, so that a value quoted in an error can be pasted back into a config file.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

return CliApp.Run(args, commands, DefaultCommand, Console.Out, Console.Error);
