using HorrorAlign.ML.Samples.Cli;

// horroralign: the command-line face of HorrorAlign.ML, on System.CommandLine (Cli/HorrorAlignCli.cs; one command per
// file in Commands/). `horroralign <command> --help` lists a command's options.
OpenMpWaitPolicy.PreferPassive(); // before anything loads libtorch
GlibcMalloc.KeepFootprintSmall(); // before the first tensor
using var ctrlC = new CtrlCCancellation();
return await new HorrorAlignCli(CliConsole.System).InvokeAsync(args, ctrlC.Token);
