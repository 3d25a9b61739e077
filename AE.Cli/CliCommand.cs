using System;
using System.IO;

namespace AE.Cli
{
    /// <summary>
    /// One subcommand of <c>ae</c>: its name, a one-line summary for the top-level usage, its full help
    /// text and the code that runs it. Adding a command means adding one of these to <see cref="CliApp.Commands"/>.
    /// </summary>
    /// <param name="Run">Runs the command on its arguments (the command name removed); returns the exit code.</param>
    public sealed record CliCommand(string Name, string Summary, string Help, Func<string[], CliContext, int> Run);

    /// <summary>The environment a command runs in: output streams and the directory relative paths start from.</summary>
    public sealed record CliContext(TextWriter Stdout, TextWriter Stderr, string CurrentDirectory);
}
