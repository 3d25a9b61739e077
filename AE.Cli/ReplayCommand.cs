using System;
using AE.Ilgpu;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl.Emit;
using AE.Experiments.Compilation;
using AE.Experiments.Replay;
using AE.Runtime;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>The parsed command line of <c>ae replay</c>.</summary>
    public sealed record ReplayOptions(string CasePath, IReadOnlyList<string> LawPaths, string? LawName, OutputFormat Format, ReplayBackend Backend = ReplayBackend.CSharp);

    /// <summary>What runs the law: the C# backend compiled with Roslyn, or the OpenCL backend on a device.</summary>
    public enum ReplayBackend { CSharp, OpenCl, Ilgpu }

    /// <summary>
    /// <c>ae replay &lt;case.json&gt; [--law FILE] [--name LAW] [--format text|json] [--backend csharp|opencl|ilgpu]</c>:
    /// compiles a law in memory with Roslyn (the emitter's code, as the generator would build it), or
    /// for OpenCL builds the OpenCL backend's program for the default device, runs it on the case's
    /// problem from its theta0 with its config and agent settings, and compares every step with the
    /// case's reference trajectory. Exit 0 when every value at every step is within the case's
    /// tolerance, 1 when not, 2 on bad input (and when there is no OpenCL platform), 3 when the
    /// emitted code does not compile.
    /// </summary>
    public static class ReplayCommand
    {
        public const string Name = "replay";

        /// <summary>The law replayed when <c>--law</c> is not given, relative to the current directory or the repository.</summary>
        public const string DefaultLaw = "laws/ae_sgdm.ae";

        /// <summary>The namespace the replayed law is compiled into.</summary>
        public const string Namespace = CompiledLaw.DefaultNamespace;

        public static CliCommand Command { get; } = new(Name, Usage.ReplaySummary, Usage.Replay, Run);

        private static readonly IReadOnlyDictionary<string, string> ValueOptions = new Dictionary<string, string>
        {
            ["--law"] = "a .ae file (repeat it, or give a glob, for files checked together)",
            ["--name"] = "the name of a law or variant in the law file",
            ["--format"] = "text or json",
            ["--backend"] = "csharp, opencl or ilgpu",
        };

        public static int Run(string[] args, CliContext context)
        {
            if (args is null) throw new ArgumentNullException(nameof(args));
            if (context is null) throw new ArgumentNullException(nameof(context));

            var parsed = ParsedArguments.Parse(args, Name, ValueOptions, repeatable: new[] { "--law" });
            if (parsed.ShowHelp)
            {
                context.Stdout.Write(Usage.Replay);
                return ExitCodes.Success;
            }
            var options = ToOptions(parsed);

            var golden = LoadCase(options.CasePath, context.CurrentDirectory);
            var (file, target) = Select(options.LawPaths, options.LawName, context);
            try
            {
                // Settings that name no param are bad input: say so before spending a compilation on the law.
                LawSettings.CheckNames(golden.Settings, target.Unit.Params.Select(p => p.Name).ToList(), target.Name);
            }
            catch (ReplayException ex)
            {
                throw new CliException(ex.Message, ex);
            }

            IOptimizerLaw instance;
            string lawName;
            if (options.Backend == ReplayBackend.OpenCl)
            {
                instance = OpenClReplay.Create(target, golden);
                lawName = target.Name + " [OpenCL: " + ((AE.Kernels.OpenClLaw)instance).Device.Name + "]";
            }
            else if (options.Backend == ReplayBackend.Ilgpu)
            {
                var law = IlgpuReplay.Create(target, golden);
                instance = law;
                lawName = target.Name + " [ILGPU: " + IlgpuDevices.Describe(law.Accelerator) + "]";
            }
            else
            {
                CompiledLaw law;
                try
                {
                    law = LawInput.Call(() => file.Compile(target, Namespace));
                }
                catch (LawCompileException ex)
                {
                    context.Stderr.WriteLine("ae: error: " + ex.Message.Split('\n')[0].TrimEnd('\r'));
                    foreach (var error in ex.Errors.Skip(1).Take(4)) context.Stderr.WriteLine("  " + error);
                    return ExitCodes.InternalError;
                }
                try
                {
                    instance = law.Create(golden);
                }
                catch (ReplayException ex)
                {
                    throw new CliException(ex.Message, ex);
                }
                lawName = law.Name;
            }

            Trajectory trajectory;
            try
            {
                trajectory = new LawRunner(instance, golden.Problem).Run(golden.Theta0, golden.Steps);
            }
            finally
            {
                (instance as IDisposable)?.Dispose();
            }
            ReplayReport report;
            try
            {
                report = ReplayComparison.Compare(golden, trajectory);
            }
            catch (ReplayException ex)
            {
                throw new CliException(golden.FileName + " and " + target.Name + " do not fit: " + ex.Message, ex);
            }

            var summary = new ReplaySummary(golden, lawName, file.DisplayPath, report);
            if (options.Format == OutputFormat.Json) ReplayOutput.WriteJson(summary, context.Stdout);
            else ReplayOutput.WriteText(summary, context.Stdout);
            return report.Within ? ExitCodes.Success : ExitCodes.Errors;
        }

        private static ReplayOptions ToOptions(ParsedArguments parsed)
        {
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no case file; name a golden case such as '../shared/golden/quadratic_2d.json'", Name);
            if (parsed.Positionals.Count > 1) throw CliException.BadUsage("too many arguments: '" + parsed.Positionals[1] + "'; ae replay takes one case file", Name);
            var format = parsed.Value("--format") switch
            {
                null or "text" => OutputFormat.Text,
                "json" => OutputFormat.Json,
                var other => throw CliException.BadUsage("invalid value '" + other + "' for '--format'; expected text or json", Name),
            };
            var backend = parsed.Value("--backend") switch
            {
                null or "csharp" => ReplayBackend.CSharp,
                "opencl" => ReplayBackend.OpenCl,
                "ilgpu" => ReplayBackend.Ilgpu,
                var other => throw CliException.BadUsage("invalid value '" + other + "' for '--backend'; expected csharp, opencl or ilgpu", Name),
            };
            return new ReplayOptions(parsed.Positionals[0], parsed.Values("--law"), parsed.Value("--name"), format, backend);
        }

        /// <summary>Loads a golden case; every problem with its files is one <see cref="CliException"/> line.</summary>
        internal static GoldenCase LoadCase(string path, string currentDirectory)
        {
            try
            {
                return GoldenCase.Load(Path.GetFullPath(path, currentDirectory));
            }
            catch (GoldenCaseException ex)
            {
                throw new CliException(ex.Message, ex);
            }
        }

        /// <summary>
        /// Loads and checks the law files (<see cref="DefaultLaw"/> when none is named) and picks the law (the
        /// first of the optimizer shape when <paramref name="lawName"/> is null); errors in the files are printed,
        /// then one <see cref="CliException"/> line.
        /// </summary>
        internal static (LawSet File, EmitTarget Target) Select(IReadOnlyList<string> lawPaths, string? lawName, CliContext context)
        {
            var paths = lawPaths.Count > 0 ? lawPaths : new[] { FindDefaultLaw(context.CurrentDirectory) };
            var file = LawInput.Call(() => LawSet.Load(paths, context.CurrentDirectory));
            var target = LawInput.Call(() => file.SelectOptimizer(lawName, "replay needs a law that checks cleanly", "to replay"), context.Stderr);
            return (file, target);
        }

        /// <summary>
        /// <see cref="DefaultLaw"/> below the current directory, else in the repository (the folder
        /// holding AE.Compiler.sln) above the current directory or above ae itself.
        /// </summary>
        internal static string FindDefaultLaw(string currentDirectory)
        {
            if (File.Exists(Path.Combine(currentDirectory, DefaultLaw))) return DefaultLaw;
            foreach (var start in new[] { currentDirectory, AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    string candidate = Path.Combine(dir.FullName, DefaultLaw);
                    if (File.Exists(Path.Combine(dir.FullName, "AE.Compiler.sln")) && File.Exists(candidate)) return Display(candidate, currentDirectory);
                }
            }
            throw new CliException("cannot find " + DefaultLaw + " in the current directory or the repository above it; name the law file with --law FILE");
        }

        private static string Display(string fullPath, string currentDirectory)
        {
            string relative = Path.GetRelativePath(currentDirectory, fullPath);
            return Path.IsPathRooted(relative) ? fullPath : relative.Replace(Path.DirectorySeparatorChar, '/');
        }
    }
}
