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

        public static CommandSpec Command { get; } = new(Name, "Replay a golden case with a law and compare every step", Run)
        {
            Arguments = new ArgumentSpec("case.json", "The case file; its .csv sits beside it.") { Usage = "<case.json>" },
            Options = new[]
            {
                new OptionSpec("--law", "a .ae file (repeat it, or give a glob, for files checked together)", "The .ae file (default: laws/ae_sgdm.ae in the current directory or in the repository above it); repeat it for files checked together.", OptionKind.Repeatable) { HelpName = "FILE" },
                new OptionSpec("--name", "the name of a law or variant in the law file", "The law or variant to replay (default: the first law of the optimizer shape: input loss, input grad[n], state theta[n]).") { HelpName = "LAW" },
                new OptionSpec("--format", "text or json", "Output format (default: text).") { HelpName = "text|json" }.AsFormat(),
                new OptionSpec("--backend", "csharp, opencl or ilgpu", "What runs the law (default: csharp). opencl builds the OpenCL backend's program and steps it on the default OpenCL device (AE_OPENCL_DEVICE picks one by name); no OpenCL platform is an error (exit 2). ilgpu compiles the ILGPU backend's kernels and steps them on a CUDA GPU, else ILGPU's OpenCL, else its CPU simulator (AE_ILGPU_DEVICE=cuda|opencl|cpu picks one kind; none of that kind is an error, exit 2).") { HelpName = "csharp|opencl|ilgpu" },
            },
            Details = new[]
            {
                "Compiles a law in memory (the same C# the generator produces, built with Roslyn),",
                "runs it on a golden case and compares every step with the case's reference",
                "trajectory. A case is <name>.json (problem, theta0, steps, config, agent, columns,",
                "tolerance) with <name>.csv beside it (one row per step), as in ../shared/golden.",
                "The law is built with the case's config and agent settings: each must be a",
                "param of the law (null, Python's None, disables the guard: 0 for the budgets",
                "max_dlog_alpha, max_d_mu, max_dlog_sigma and for param_abs_max, inf for",
                "step_norm_max and clip_grad_norm). It runs from theta0 on the problem's exact",
                "gradient; column 'loss' is compared with the law's signal L, 'theta0'...",
                "'thetaK' with theta after each step, every other column with the signal of",
                "that name.",
                "",
                "Output (text):",
                "  One line per column with the largest absolute and relative deviation and the",
                "  step of each, and the steps out of tolerance (a value is within tolerance",
                "  when |actual - expected| <= abs or <= rel * |expected|), then a verdict:",
                "    ok: all 12 columns within tolerance at every one of 300 steps",
                "",
                "Exit codes:",
                "  0  Every value of every column at every step is within the tolerance.",
                "  1  At least one is not.",
                "  2  Bad input: a bad command line; a case file that is missing, unreadable or",
                "     malformed (one line names the file and the field); a law file that is",
                "     missing or has errors; a setting that is not a param of the law; with",
                "     --backend opencl, no OpenCL platform or no double-precision device; with",
                "     --backend ilgpu, no ILGPU device of the kind AE_ILGPU_DEVICE names; a case",
                "     that depends on noise draws (the law fails, and with another noise seed",
                "     it leaves the tolerance no later: no replay can draw the reference's noise);",
                "     a run that does not repeat (run again with the same seed, it parts as early).",
                "  3  The emitted C# (or OpenCL C) does not compile (a bug in ae), or another",
                "     internal error.",
            },
        };

        private static int Run(CommandInput parsed, CliContext context)
        {
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
                throw new CliException(golden.FileName + ": " + ex.Message, ex);
            }

            Func<ulong, IOptimizerLaw> create;
            string lawName;
            if (options.Backend == ReplayBackend.OpenCl)
            {
                create = seed => OpenClReplay.Create(target, golden, seed);
                lawName = target.Name;
            }
            else if (options.Backend == ReplayBackend.Ilgpu)
            {
                create = seed => IlgpuReplay.Create(target, golden, seed);
                lawName = target.Name;
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
                    context.Stderr.WriteLine("ae: error: " + MessageText.FirstLine(ex.Message));
                    foreach (var error in ex.Errors.Skip(1).Take(4)) context.Stderr.WriteLine("  " + error);
                    return ExitCodes.InternalError;
                }
                create = seed =>
                {
                    try
                    {
                        return law.Create(golden, seed);
                    }
                    catch (ReplayException ex)
                    {
                        throw new CliException(golden.FileName + ": " + ex.Message, ex);
                    }
                };
                lawName = law.Name;
            }

            var trajectory = Record(create, RunDeparture.Seed, golden, out string device);
            lawName += device;
            ReplayReport report;
            try
            {
                report = ReplayComparison.Compare(golden, trajectory);
            }
            catch (ReplayException ex)
            {
                throw new CliException(golden.FileName + " and " + target.Name + " do not fit: " + ex.Message, ex);
            }

            // A law that draws noise cannot follow a reference made with noise on, and a run that does not repeat follows nothing:
            // say that, not which columns drifted.
            if (report.FirstFailure is ColumnDeviation failure
                && RunDeparture.WhyNotTheLaw(golden, trajectory, failure.FirstFailureStep, seed => Record(create, seed, golden, out _)) is string why)
                throw new CliException(golden.FileName + " cannot be replayed with " + target.Name + ": " + why);

            var summary = new ReplaySummary(golden, lawName, file.DisplayPath, report);
            if (options.Format == OutputFormat.Json) ReplayOutput.WriteJson(summary, context.Stdout);
            else ReplayOutput.WriteText(summary, context.Stdout);
            return report.Within ? ExitCodes.Success : ExitCodes.Errors;
        }

        /// <summary>The law made with noise seed <paramref name="seed"/> run over the case.</summary>
        /// <param name="device">what a device law ran on, as its name's suffix (" [OpenCL: ...]"); empty for the C# law</param>
        private static Trajectory Record(Func<ulong, IOptimizerLaw> create, ulong seed, GoldenCase golden, out string device)
        {
            var instance = create(seed);
            try
            {
                device = instance switch
                {
                    AE.Kernels.OpenClLaw opencl => " [OpenCL: " + opencl.Device.Name + "]",
                    IlgpuLaw ilgpu => " [ILGPU: " + IlgpuDevices.Describe(ilgpu.Accelerator) + "]",
                    _ => "",
                };
                return new LawRunner(instance, golden.Problem).Run(golden.Theta0, golden.Steps);
            }
            finally
            {
                (instance as IDisposable)?.Dispose();
            }
        }

        private static ReplayOptions ToOptions(CommandInput parsed)
        {
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no case file; name a golden case such as '../shared/golden/quadratic_2d.json'", Name);
            if (parsed.Positionals.Count > 1) throw CliException.BadUsage("too many arguments: '" + parsed.Positionals[1] + "'; ae replay takes one case file", Name);
            var format = parsed.Format();
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
        /// <param name="howToName">how the command is given a law file instead ("with --law FILE", "as its argument")</param>
        /// <param name="defaultLaw">the command's default law file, relative to the repository (<see cref="DefaultLaw"/> unless given)</param>
        /// <param name="what">what the file is to the command, for the error</param>
        /// <param name="remedy">the error's advice, where it is not to name a law file <paramref name="howToName"/></param>
        internal static string FindDefaultLaw(string currentDirectory, string howToName = "with --law FILE", string defaultLaw = DefaultLaw,
            string what = "the default law", string? remedy = null)
        {
            if (File.Exists(Path.Combine(currentDirectory, defaultLaw))) return defaultLaw;
            foreach (var start in new[] { currentDirectory, AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    string candidate = Path.Combine(dir.FullName, defaultLaw);
                    if (File.Exists(Path.Combine(dir.FullName, "AE.Compiler.sln")) && File.Exists(candidate)) return Display(candidate, currentDirectory);
                }
            }
            throw new CliException("cannot find " + defaultLaw + " (" + what + ") in the current directory or the repository above it; " + (remedy ?? "name the law file " + howToName));
        }

        private static string Display(string fullPath, string currentDirectory)
        {
            string relative = Path.GetRelativePath(currentDirectory, fullPath);
            return Path.IsPathRooted(relative) ? fullPath : relative.Replace(Path.DirectorySeparatorChar, '/');
        }
    }
}
