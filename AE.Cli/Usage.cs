using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Cli
{
    /// <summary>The help texts. Each ends with a newline and uses the platform's line ending.</summary>
    internal static class Usage
    {
        /// <summary>What <c>ae</c>, <c>ae --help</c> and <c>ae help</c> print: every command with its summary.</summary>
        public static string TopLevel(IReadOnlyList<CliCommand> commands)
        {
            int width = Math.Max(commands.Max(c => c.Name.Length), "help".Length) + 2;
            var lines = new List<string>
            {
                "ae - compiler for the AE equation language (*.ae files)",
                "",
                "Usage: ae <command> [arguments] [options]",
                "",
                "Commands:",
            };
            lines.AddRange(commands.Select(c => "  " + c.Name.PadRight(width) + c.Summary));
            lines.Add("  " + "help".PadRight(width) + "Show this help, or 'ae help <command>' for one command");
            lines.AddRange(new[]
            {
                "",
                "Options:",
                "  -h, --help    Show this help",
                "  --version     Show the version of ae",
                "",
                "Run 'ae <command> --help' for the arguments and options of a command.",
            });
            return Lines(lines);
        }

        public const string CheckSummary = "Check .ae files and report errors and warnings";

        /// <summary>What <c>ae check --help</c> prints.</summary>
        public static string Check { get; } = Lines(new[]
        {
            "Usage: ae check <files or globs...> [--warnaserror] [--format text|json]",
            "",
            "Parses and checks .ae files and reports every error and warning. All files are",
            "checked together, so they see each other's rule groups.",
            "",
            "Arguments:",
            "  <files or globs...>  One or more .ae files or glob patterns, relative to the",
            "                       current directory or absolute. In a glob, '*' matches any",
            "                       characters within one path segment, '?' matches one",
            "                       character, and '**' as a whole segment matches any number",
            "                       of directories: 'laws/*.ae', '**/*.ae'. Quote globs so the",
            "                       shell passes them through. The matched files are sorted and",
            "                       duplicates are checked once.",
            "",
            "Options:",
            "  --warnaserror        Report warnings as errors (they make the check fail).",
            "  --format text|json   Output format (default: text).",
            "  --backend csharp|opencl",
            "                       What runs the law (default: csharp). opencl builds the",
            "                       OpenCL backend's program and steps it on the default",
            "                       OpenCL device (AE_OPENCL_DEVICE picks one by name);",
            "                       no OpenCL platform is an error (exit 2).",
            "  -h, --help           Show this help.",
            "  --                   Treat every later argument as a file or glob.",
            "",
            "Output (text):",
            "  One line per diagnostic, as MSBuild prints them, followed by a summary:",
            "    laws/a.ae(3,17): error AE0004: Expected an expression, found ';'",
            "    2 files checked: 1 error, 0 warnings",
            "",
            "Output (json):",
            "  One JSON object: {\"files\": [paths], \"diagnostics\": [{\"id\", \"severity\", \"path\",",
            "  \"line\", \"column\", \"endLine\", \"endColumn\", \"message\", \"helpLink\"}],",
            "  \"errors\": N, \"warnings\": N}. Lines and columns are 1-based; columns count",
            "  UTF-16 code units.",
            "",
            "Exit codes:",
            "  0  No errors (warnings allowed unless --warnaserror).",
            "  1  At least one error (or warning under --warnaserror).",
            "  2  Bad command line, a file that does not exist or cannot be read, or a glob",
            "     that matches no file.",
            "  3  Internal error in ae.",
        });

        public const string EmitSummary = "Print the C# generated for the laws of a .ae file";

        /// <summary>What <c>ae emit --help</c> prints.</summary>
        public static string Emit { get; } = Lines(new[]
        {
            "Usage: ae emit <law.ae ...> [--law NAME] [--namespace NS]",
            "",
            "Checks .ae files together (as a build does) and prints the C# that the AE source",
            "generator produces for them: one partial class per law, cell and variant",
            "('law X = Base without R;', 'law X = Base lagged;'), in the order the files",
            "declare them. The output is the generator's exact code, so it can be read,",
            "diffed or compiled as it is.",
            "",
            "Arguments:",
            "  <law.ae ...>         The .ae files (paths or globs), checked together: a",
            "                       variant's base or a used group may live in any of them.",
            "",
            "Options:",
            "  --law NAME           Print only the law, cell or variant NAME.",
            "  --namespace NS       The namespace of the generated types (default: AE.Generated).",
            "  -h, --help           Show this help.",
            "",
            "Errors in the file are printed as 'ae check' prints them, and nothing else;",
            "warnings go to stderr so that stdout stays C#. A unit the C# backend cannot emit",
            "yet (a cell with nets) is named on stderr and left out.",
            "",
            "Exit codes:",
            "  0  The C# was printed.",
            "  1  The file has errors, or nothing in it could be emitted.",
            "  2  Bad command line, a missing or unreadable file, or an unknown NAME (the",
            "     message lists the valid names).",
            "  3  Internal error in ae.",
        });

        public const string ReplaySummary = "Replay a golden case with a law and compare every step";

        /// <summary>What <c>ae replay --help</c> prints.</summary>
        public static string Replay { get; } = Lines(new[]
        {
            "Usage: ae replay <case.json> [--law FILE] [--name LAW] [--format text|json]",
            "                 [--backend csharp|opencl|ilgpu]",
            "",
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
            "Arguments:",
            "  <case.json>          The case file; its .csv sits beside it.",
            "",
            "Options:",
            "  --law FILE           The .ae file (default: laws/ae_sgdm.ae in the current",
            "                       directory or in the repository above it); repeat it",
            "                       for files checked together.",
            "  --name LAW           The law or variant to replay (default: the first law of",
            "                       the optimizer shape: input loss, input grad[n], state",
            "                       theta[n]).",
            "  --format text|json   Output format (default: text).",
            "  --backend csharp|opencl|ilgpu",
            "                       What runs the law (default: csharp). opencl builds the",
            "                       OpenCL backend's program and steps it on the default",
            "                       OpenCL device (AE_OPENCL_DEVICE picks one by name);",
            "                       no OpenCL platform is an error (exit 2). ilgpu compiles",
            "                       the ILGPU backend's kernels and steps them on a CUDA",
            "                       GPU, else ILGPU's OpenCL, else its CPU simulator",
            "                       (AE_ILGPU_DEVICE=cuda|opencl|cpu picks one kind; none",
            "                       of that kind is an error, exit 2).",
            "  -h, --help           Show this help.",
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
            "     --backend ilgpu, no ILGPU device of the kind AE_ILGPU_DEVICE names.",
            "  3  The emitted C# (or OpenCL C) does not compile (a bug in ae), or another",
            "     internal error.",
        });

        public const string RunSummary = "Run a law on a benchmark task, store the run, plot it";

        /// <summary>What <c>ae run --help</c> prints.</summary>
        public static string Run { get; } = Lines(new[]
        {
            "Usage: ae run <law.ae ...> (--task T | --case FILE) [--name LAW] [--steps N]",
            "              [--ablate R1,R2] [--set NAME=VALUE ...] [--seed S] [--out DIR]",
            "              [--db FILE] [--no-progress]",
            "",
            "Compiles a law in memory (the generator's C#, built with Roslyn), runs it in the",
            "AE machine on a benchmark task until it reaches the task's target loss or the",
            "step budget runs out, prints a summary and stores the run in a SQLite database.",
            "A run that diverges or produces NaN/Inf stops cleanly and is recorded as an",
            "incident.",
            "",
            "Arguments:",
            "  <law.ae ...>         The .ae files (paths or globs), checked together: a",
            "                       variant's base or a used group may live in any of them.",
            "",
            "Options:",
            "  --task T             A benchmark task: quadratic, quadratic-1e4, noisy-quadratic,",
            "                       rosenbrock, rosenbrock-nd, linreg, logreg-fashion, delayed,",
            "                       plateau, scale-change, moving-optimum (docs/tasks.md).",
            "  --case FILE          A golden case (.json with its .csv) as the task: its problem,",
            "                       theta0 and steps.",
            "  --name LAW           The law or variant to run (default: the file's first law of",
            "                       the optimizer shape).",
            "  --steps N            The step budget (default: the task's; at most 1,000,000).",
            "  --ablate R1,R2       Switch these rules off at run time (repeatable). An unknown",
            "                       or fixed rule is an error that lists the switchable ones.",
            "  --set NAME=VALUE     Set a param of the law (repeatable, or a comma list):",
            "                       numbers (1.2, 3e-4, inf), true/false, whole numbers; none",
            "                       for the guards that the seed's None disables. An unknown",
            "                       param is an error that lists the law's params.",
            "  --seed S             The run's seed: start point, noise, minibatches (default 0).",
            "  --out DIR            Also write DIR/run-ID.csv (step, loss, every signal) and",
            "                       DIR/run-ID.svg (loss, alpha, mu, sigma, gamma over steps).",
            "  --db FILE            The database (default: ae-runs.db in the current directory).",
            "  --no-progress        No progress bar (it is drawn on stderr only when stderr is",
            "                       a terminal).",
            "  -h, --help           Show this help.",
            "",
            "Database: table runs (one row per run: id, started_at, law, law_sha256 of the",
            ".ae file, law_file, task, seed, steps, settings JSON, ablated, status, metrics)",
            "and table steps (run_id, step, loss, signals as a JSON object), one transaction",
            "per run. Ctrl-C stops the run: what it did so far is stored with status",
            "'interrupted', the message names the database and the run id, and the exit",
            "code is 130.",
            "",
            "Exit codes:",
            "  0    The run reached the target.",
            "  1    It did not (budget out, divergence, NaN/Inf).",
            "  2    Bad input: command line, file, task, rule, param or value.",
            "  3    Internal error in ae.",
            "  130  Interrupted (Ctrl-C); the partial run is stored.",
        });

        public const string AblateSummary = "Knock out each rule of a law in turn; compare with baselines over seeds";

        /// <summary>What <c>ae ablate --help</c> prints.</summary>
        public static string Ablate { get; } = Lines(new[]
        {
            "Usage: ae ablate <law.ae ...> (--task T | --case FILE) [--name LAW] [--seeds K]",
            "                 [--steps N] [--set NAME=VALUE ...] [--baselines LIST|none]",
            "                 [--baseline-set NAME.KEY=VALUE ...] [--format table|json]",
            "                 [--db FILE] [--store-steps] [--no-progress]",
            "",
            "Runs the full law, then the law with each switchable rule switched off in turn",
            "(run-time ablation, proven equal to compiling the rule out), then the baselines,",
            "each over seeds 0..K-1 on the task, and prints one row each: 'none' for the full",
            "law, the rule id, or the baseline's name. Columns: seeds that reached the target,",
            "steps to target (mean over the seeds that reached it), final loss, final gap",
            "above the optimum (when known), AUC of the log loss gap, incidents (NaN/Inf,",
            "divergence, AE-10 Lyapunov rises): mean and 95% CI over the seeds (Student t,",
            "K-1 degrees of freedom; none with K = 1). The same seeds give the same table.",
            "",
            "Options:",
            "  --task T, --case FILE, --name LAW, --set NAME=VALUE, --db FILE:",
            "                       as for 'ae run'.",
            "  --steps N            The step budget (default: the task's; at most 10,000,000).",
            "  --seeds K            Seeds per row (default 5).",
            "  --baselines LIST     Baselines to add: sgdm, adam, sgd-hd, adam-hd (default all",
            "                       four), or none.",
            "  --baseline-set NAME.KEY=VALUE",
            "                       Change a baseline's setting (repeatable). Defaults:",
            "                       sgdm lr=0.01 momentum=0.9; adam lr=0.001 beta1=0.9",
            "                       beta2=0.999 eps=1e-8; sgd-hd lr=0.001 beta=0.001;",
            "                       adam-hd lr=0.001 beta=1e-7 beta1=0.9 beta2=0.999 eps=1e-8.",
            "  --format table|json  A markdown table (default) or one JSON object whose rows",
            "                       have 'ablated' and 'final_loss' {mean, ci} among their",
            "                       fields.",
            "  --store-steps        Also store every step of every run (table steps); by",
            "                       default only the runs table gets a row per run.",
            "  --no-progress        No progress bar on stderr.",
            "  -h, --help           Show this help.",
            "",
            "Exit codes: 0 table printed; 2 bad input; 3 internal error; 130 interrupted",
            "(the finished runs are stored, no table is printed).",
        });

        public const string SweepSummary = "Initial learning-rate sensitivity grid of a law against Adam and hypergradient descent";

        /// <summary>What <c>ae sweep --help</c> prints.</summary>
        public static string Sweep { get; } = Lines(new[]
        {
            "Usage: ae sweep <law.ae ...> --tasks T1,T2 [--name LAW] [--lr-decades D]",
            "                [--points P] [--lr-max X] [--lr-param NAME] [--steps N]",
            "                [--seeds K] [--set NAME=VALUE ...] [--baselines LIST|none]",
            "                [--baseline-set NAME.KEY=VALUE ...] [--format table|json]",
            "                [--db FILE] [--store-steps] [--no-progress]",
            "",
            "Runs the law and the baselines from P initial learning rates log-spaced over D",
            "decades up to X (default 13 rates over 6 decades: 1e-5, 3.16e-5, ..., 10) on",
            "each task, and counts per task and method the grid cells that reach the target",
            "without divergence (a cell: every seed reaches the target). The initial rate is",
            "the law's param init_alpha (or --lr-param NAME), the fixed rate of adam and",
            "sgdm, and the initial rate alpha_0 of sgd-hd and adam-hd. A rate above the law's",
            "alpha_max is clamped to it by the law itself (AE-3) at the first step.",
            "",
            "Options:",
            "  --tasks T1,T2        The tasks (catalog names, as for 'ae run --task').",
            "  --lr-decades D       Decades the grid spans (default 6).",
            "  --points P           Rates in the grid (default 13).",
            "  --lr-max X           The largest rate (default 10).",
            "  --lr-param NAME      The law's initial-rate param (default init_alpha).",
            "  --steps N            The step budget (default: each task's; at most 10,000,000).",
            "  --seeds K            Seeds per cell, 0..K-1 (default 1).",
            "  --baselines LIST     Baselines to sweep: default adam, sgd-hd, adam-hd; any of",
            "                       sgdm, adam, sgd-hd, adam-hd, or none.",
            "  --baseline-set, --set, --name, --db, --store-steps, --no-progress, --format:",
            "                       as for 'ae ablate'.",
            "  -h, --help           Show this help.",
            "",
            "Output: a markdown table, one row per task and method: cells reaching the target,",
            "cells that diverged, the range of rates that reached it, and the grid as marks",
            "from the smallest rate to the largest (+ reached, x diverged or NaN, . neither).",
            "",
            "Exit codes: 0 table printed; 2 bad input; 3 internal error; 130 interrupted.",
        });

        public const string BenchSummary = "Time a law's step at several sizes: ns per step, GB/s against copy bandwidth";

        /// <summary>What <c>ae bench --help</c> prints.</summary>
        public static string Bench { get; } = Lines(new[]
        {
            "Usage: ae bench [<law.ae ...>] [--name LAW] [--n N ...] [--dtype f32|f64]",
            "                [--backend cpu|opencl|ilgpu] [--threads T]",
            "                [--set NAME=VALUE ...]",
            "                [--format table|json]",
            "",
            "Compiles a law in memory (the generator's C#, built with Roslyn), then for each",
            "size builds it with a fixed random gradient and start point and a slowly",
            "varying loss, warms it up, and times its step: 5 batches of equal step counts,",
            "about 0.5 s in all, the median reported. Per size it prints the time per step,",
            "the effective bandwidth (28 bytes per parameter in float32, 56 in float64: the",
            "two passes of AE-SGDm over the vectors read g and m, then read theta, g and m",
            "and write theta and m), the copy bandwidth of this process (the best of",
            "several copies of an array larger than the caches, bytes read and written both",
            "counted, on the same threads), their ratio, and the bytes the whole process",
            "allocated while the steps were timed (0 for a generated law).",
            "",
            "Arguments:",
            "  <law.ae ...>         The .ae files, checked together (default: laws/ae_sgdm.ae",
            "                       in the current directory or in the repository above it).",
            "",
            "Options:",
            "  --name LAW           The law or variant (default: the file's first law of the",
            "                       optimizer shape; AeSgdm in laws/ae_sgdm.ae).",
            "  --n N                Parameter counts (repeatable, or a comma list; 1000 or",
            "                       1e6; from 1 to 1e9). Default: 1e3, 1e5, 1e6, 1e7.",
            "  --dtype f32|f64      The element type of the vectors (default f32; both:",
            "                       f32,f64). The law's scalars are double either way.",
            "  --backend cpu|opencl|ilgpu",
            "                       Where the steps run (default cpu: the C# law). opencl:",
            "                       the OpenCL law, gradient in and theta out every step.",
            "                       ilgpu: the ILGPU law on device memory (gradient and",
            "                       theta stay on the device; AE_ILGPU_DEVICE=cuda|opencl|cpu",
            "                       picks the kind, default a GPU, else the CPU simulator),",
            "                       against a device copy kernel of the same accelerator.",
            "  --threads T          The law's MaxThreads (default 1). A law without",
            "                       MaxThreads runs on one thread, and a note says so.",
            "  --set NAME=VALUE     Set a param of the law, as for 'ae run'; sigma_max=0",
            "                       keeps AE-SGDm from drawing noise for every element.",
            "  --format table|json  A markdown table (default) or one JSON object whose",
            "                       'results' have n, dtype, backend, threads, ns_per_step,",
            "                       gb_per_s, copy_gb_per_s, ratio and allocated_bytes.",
            "  -h, --help           Show this help.",
            "",
            "Run it on an idle machine: other work on the same cores changes the figures.",
            "",
            "Exit codes: 0 figures printed; 2 bad input (a bad option or value, a law file",
            "that is missing or has errors, an unknown law or param, a backend that is not",
            "available); 3 internal error; 130 interrupted.",
        });

        private static string Lines(IEnumerable<string> lines) => string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
