using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace AE.Cli.Tests
{
    /// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ae-cli-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        /// <summary>Writes <paramref name="text"/> as UTF-8 without BOM at a '/'-separated relative path.</summary>
        public string Write(string relativePath, string text) => WriteBytes(relativePath, new UTF8Encoding(false).GetBytes(text));

        public string WriteBytes(string relativePath, byte[] bytes)
        {
            string full = System.IO.Path.Combine(Path, relativePath.Replace('/', System.IO.Path.DirectorySeparatorChar));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
            return full;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>What one in-process run of <c>ae</c> produced.</summary>
    public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
    {
        public IReadOnlyList<string> StdoutLines => SplitLines(Stdout);
        public IReadOnlyList<string> StderrLines => SplitLines(Stderr);

        private static List<string> SplitLines(string text)
            => text.Split('\n').Select(l => l.TrimEnd('\r')).Reverse().SkipWhile(l => l.Length == 0).Reverse().ToList();
    }

    public static class Cli
    {
        /// <summary>The dotnet host running the tests (testhost runs under it), else 'dotnet' from PATH: what runs ae.dll as a process.</summary>
        public static string DotnetHost()
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
            string? current = Environment.ProcessPath;
            if (current is not null && System.IO.Path.GetFileNameWithoutExtension(current) == "dotnet") return current;
            return "dotnet";
        }

        /// <summary>Runs <see cref="CliApp.Run"/> in-process with <paramref name="directory"/> as the current directory.</summary>
        public static CliResult Run(string directory, params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            int exit = CliApp.Run(args, stdout, stderr, directory);
            return new CliResult(exit, stdout.ToString(), stderr.ToString());
        }
    }

    /// <summary>
    /// Small inputs with known diagnostics. Each takes a one-letter law name, so files checked together do not
    /// clash (duplicate law names are an error) and the columns below do not move.
    /// </summary>
    public static class Sources
    {
        /// <summary>AE0004 at (1,15), the '=' where the param name is missing. Declares nothing, so no other diagnostic.</summary>
        public static string SyntaxError(string law) => "law " + law + " { param = 1; }\n";

        public const string SyntaxErrorMessage = "error AE0004: Expected a param name, found '='";

        /// <summary>No diagnostics.</summary>
        public static string Clean(string law) => "law " + law + " { }\n";

        /// <summary>AE0001 at (1,9), the '$'.</summary>
        public static string BadCharacter(string law) => "law " + law + " { $ }\n";

        public const string BadCharacterMessage = "error AE0001: Unexpected character '$' (U+0024); it is not part of the language — remove it";
    }
}
