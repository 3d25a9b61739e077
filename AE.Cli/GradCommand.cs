using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using AE.Dsl.IR;
using AE.Experiments.Cells;
using AE.Experiments.Compilation;
using AE.Experiments.MetaGradients;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae grad &lt;cell.ae&gt; &lt;reference.json&gt; [--name CELL] [--format text|json]</c>: runs the cell on a
    /// reference file in float64 with its generated C# (or, with <c>--backend reference</c>, the reference adjoint;
    /// <see cref="CellGradientCheck"/>) and prints, per
    /// quantity (each output, the loss, each parameter's gradient), the largest absolute and relative
    /// deviation and where, then a verdict. Exit 0 when every value agrees, 1 when one does not, 2 on bad input.
    /// <para>
    /// <c>ae grad &lt;law.ae&gt;... (--task T | --case FILE) [--steps K] ...</c> (a law, from one or more files checked
    /// together: given by <c>--task</c> or <c>--case</c>): the meta-gradient of each real param of the law through K unrolled steps
    /// (<see cref="LawMetaGradient"/>), each beside its finite difference, then a verdict; the same exit codes.
    /// </para>
    /// </summary>
    public static class GradCommand
    {
        public const string Name = "grad";

        public const string Summary = "Check a cell's gradients against a reference file, or a law's meta-gradients against finite differences";

        public static CommandSpec Command { get; } = new(Name, Summary, Run)
        {
            Arguments = new ArgumentSpec("cell.ae reference.json | law.ae...", "A cell's .ae file and its reference file (the reference's 'cell' names the seed's cell: AMELayer, AMEDSynth or DynamicsModelResidual, which fixes the layout of its sequences and the loss); or, with --task or --case, the .ae files (paths or globs) of an optimizer-shaped law, checked together: its variant's base or a used group may live in any of them.") { Usage = "<cell.ae> <reference.json> | <law.ae>..." },
            Options = new[]
            {
                new OptionSpec("--name", "the name of a cell or law in the files", "The cell (or law, or variant) to run when the files declare several (default: the only cell; the first law of the optimizer shape, several files taken in the order of their paths).") { HelpName = "NAME" },
                new OptionSpec("--format", "text or json", "A table and a verdict (default), or one JSON object (its fields are below).") { HelpName = "text|json" }.AsFormat(),
                new OptionSpec("--backend", "csharp or reference", "csharp: the generated cell (default); reference: the reference adjoint (an interpreter with a tape).") { HelpName = "csharp|reference" },
                new OptionSpec("--task", "a task name", "A law's task: a deterministic task with a Hessian: quadratic, quadratic-1e4, rosenbrock, rosenbrock-nd, linreg.") { HelpName = "T", Choices = new[] { "quadratic", "quadratic-1e4", "rosenbrock", "rosenbrock-nd", "linreg" } },
                new OptionSpec("--case", "a golden case .json", "A golden case .json instead of a task.") { HelpName = "FILE" },
                new OptionSpec("--steps", "a whole number", "Steps unrolled (default 50, at most 20000: reverse mode keeps every step's values).") { HelpName = "K" }.WholeNumber(max: 20_000),
                new OptionSpec("--set", "NAME=VALUE", "A law param's value (repeatable, or comma-separated).", OptionKind.Repeatable) { HelpName = "NAME=VALUE" },
                new OptionSpec("--ablate", "rule ids such as AE5,AE8", "Rules of the law switched off (repeatable).", OptionKind.Repeatable) { HelpName = "R1,R2" },
                new OptionSpec("--seed", "a whole number", "The start point's and the noise's seed (default 0).") { HelpName = "S" }.WholeNumber(min: 0),
                OptionSpec.Flag("--subgradients", "Differentiate a law that is not smooth with the subgradients of docs/language.md; without it such a law is refused, naming the first construct that is not smooth."),
            },
            Details = new[]
            {
                "Forms: ae grad <cell.ae> <reference.json> [--name CELL] [--backend csharp|reference]",
                "               [--format text|json]",
                "       ae grad <law.ae>... (--task T | --case FILE) [--steps K] [--name LAW]",
                "               [--set p=v ...] [--ablate R1,R2] [--seed S] [--subgradients]",
                "               [--format text|json]",
                "",
                "A cell and a reference file:",
                "Runs the cell on a reference file in the layout of the golden cell_*.json files",
                "(params by PyTorch name, inputs, outputs, loss, autograd's gradients): forward",
                "over the batch and the sequence, the host's loss, backward through time, all in",
                "float64 with the cell's generated C# (its fused step and adjoint), compiled in",
                "memory. Then compares the outputs, the loss and the gradient of every net",
                "parameter with the file's.",
                "",
                "'params' and 'grads' hold every net's weight and bias (PyTorch's names, such as",
                "W.weight), and may hold real params of the cell by their .ae names (a scalar as a",
                "number, a vector as an array), as ae train's weights file names them: each one",
                "listed in both has its value used and its gradient compared; one left out keeps",
                "its declared value. A param's value alone, an int or bool param's too, goes at",
                "the top level of the file (\"alpha\": [0.1, 0.5, 0.9]). The generated cell has",
                "its int and bool params compiled in as their declared values: a file giving",
                "another value for one is refused, unless checked with --backend reference.",
                "",
                "A value agrees when within 1e-9 relative or 1e-12 absolute of the reference",
                "(relative: |value - reference| / |reference|, so a reference of 0 is judged by",
                "the absolute bound alone). A value out of tolerance by at most 1e-12 of its",
                "quantity's largest magnitude fails too, and the verdict says so: a saturated",
                "tanh turns the last-bit difference between PyTorch's tanh and libm's into",
                "relative errors of 1e-8 on small elements, and no tolerance tells that from a",
                "wrong gradient.",
                "",
                "A law and a task (--task or --case): the meta-gradient of the task's loss after K",
                "steps, f(theta_K), with respect to every real param of the law, by reverse mode",
                "through the unrolled run (the task's Hessian-vector product carries the gradient",
                "through each step's gradient), each beside a finite difference of the",
                "interpreter's run in float64 (step h = 1e-5 max(|p|, 1e-3); central, or one-sided",
                "where the law refuses the settings on one side; a param the law takes at no other",
                "value there, or an infinite one, is not checked). Several law files are",
                "checked together, as by ae run: a variant's base or a used group may live in any",
                "of them.",
                "",
                "JSON of a cell: one object with 'cell', 'reference', 'batch', 'time', 'loss',",
                "'pass' and 'quantities' (name, count, max_abs, max_abs_at, max_rel, max_rel_at,",
                "failures, failures_by_a_hair, pass; a position is an array of indices, null for",
                "a number). JSON of a law: 'law', 'task', 'steps', 'seed', 'initial_loss', 'loss',",
                "'non_smooth', 'pass' and 'params' (name, value, gradient, finite_difference, step,",
                "rel_diff, tolerance, difference, left, right, checked, agrees): rel_diff is |gradient -",
                "finite_difference| over the larger of the two magnitudes; tolerance is absolute,",
                "in the gradient's units, the bound below that |gradient - finite_difference| must",
                "keep to agree; difference is central, forward, backward, kink (the loss has a",
                "kink at the param's value: left and right are its one-sided differences, and it",
                "differs) or none (not checked: then checked is false, and the difference's fields",
                "and agrees are null).",
                "",
                "A meta-gradient agrees when it is within 1e-6 relative of the finite",
                "difference plus the difference's own estimated error: its truncation error",
                "(from the same difference at 2h, at most 1e-4 relative) and its rounding",
                "(64 ulps of the loss over h, 4 times that one-sided). One that disagrees is",
                "measured again at h/10, h/100, h/1000 (and on to 1e-5 |p| for a small p, at",
                "most 12 steps in all),",
                "where it must also be accurate to 1e-4 by its own estimate.",
                "",
                "Exit codes: 0 every value agrees; 1 some value does not; 2 bad input (a bad",
                "option, a cell or law file that is missing or has errors, a reference file that",
                "is missing or malformed or does not fit the cell: a missing or extra parameter,",
                "a shape that differs from the cell's; a law that is not smooth without",
                "--subgradients, a task without a Hessian); 3 the cell's emitted code does not",
                "compile, or an internal error.",
            },
        };

        /// <summary>The options that only a law's meta-gradient takes.</summary>
        private static readonly string[] LawOptions = { "--task", "--case", "--steps", "--set", "--ablate", "--seed", "--subgradients" };

        /// <summary>The options that only a cell's gradient check takes.</summary>
        private static readonly string[] CellOptions = { "--backend" };

        private static int Run(CommandInput parsed, CliContext context)
        {
            bool json = parsed.Format() == OutputFormat.Json;
            if (parsed.Value("--task") is not null || parsed.Value("--case") is not null)
            {
                if (parsed.Given.FirstOrDefault(CellOptions.Contains) is string cellOption)
                    throw CliException.BadUsage("'" + cellOption + "' is for a cell's gradient check (a cell file and a reference file); a law's meta-gradient runs the generated law", Name);
                return RunLaw(parsed, json, context);
            }
            if (parsed.Given.FirstOrDefault(LawOptions.Contains) is string option)
                throw CliException.BadUsage("'" + option + "' is for a law's meta-gradient, which needs --task T or --case FILE", Name);
            if (parsed.Positionals.Count == 1)
                throw CliException.BadUsage("expected a cell file and a reference file, or a law file and --task T, got 1 argument", Name);
            if (parsed.Positionals.Count != 2)
                throw CliException.BadUsage("expected a cell file and a reference file, got " + parsed.Positionals.Count + " arguments", Name);

            // The cell as train and bench select it: --name, or the only cell of the file (a variant counts as one).
            var (file, target) = CellInput.Select(new[] { parsed.Positionals[0] }, parsed.Value("--name"), context);
            string referencePath = Path.GetFullPath(Path.Combine(context.CurrentDirectory, parsed.Positionals[1]));
            bool generated = parsed.Value("--backend") switch
            {
                null or "csharp" => true,
                "reference" => false,
                var other => throw CliException.BadUsage("invalid value '" + other + "' for '--backend'; expected csharp or reference", Name),
            };
            // The reference first: a bad one is refused before Roslyn compiles the cell.
            var reference = LoadReference(referencePath, parsed.Positionals[1]);
            Func<int, int, AE.Runtime.Cells.ICell<double>>? compiled = null;
            if (generated)
            {
                Func<int, int, int, AE.Runtime.Cells.ICell<double>> make;
                try
                {
                    make = CellCompiler.Compile<double>(target, file.Sources);
                }
                catch (AE.Dsl.Emit.EmitNotSupportedException ex)
                {
                    throw new CliException($"the C# backend does not emit {target.Name}: {ex.Message} (--backend reference runs the reference adjoint)", ex);
                }
                catch (LawCompileException ex)
                {
                    context.Stderr.WriteLine("ae: error: " + MessageText.FirstLine(ex.Message));
                    foreach (var error in ex.Errors.Skip(1).Take(4)) context.Stderr.WriteLine("  " + error);
                    return ExitCodes.InternalError;
                }
                compiled = (batch, time) => make(batch, time, 0);
            }
            CellGradientReport report;
            try
            {
                // A variant without rules: the reference runs the cell with them removed, as the generated one is emitted.
                var unit = target.Ablate.Count > 0 ? AE.Dsl.Passes.Ablation.Apply(target.Unit, target.Ablate) : target.Unit;
                // Named as the user named it: a variant's unit carries its base's name.
                report = CellGradientCheck.Run(unit, reference, compiled) with { Cell = target.Name };
            }
            catch (CellReferenceException ex)
            {
                throw new CliException(ex.Message, ex);
            }

            if (json) WriteJson(report, context.Stdout);
            else WriteText(report, context.Stdout);
            return report.Pass ? ExitCodes.Success : ExitCodes.Errors;
        }

        /// <summary>The reference file; a folder, a missing, unreadable or malformed file is one line.</summary>
        private static CellReference LoadReference(string path, string shown)
        {
            try
            {
                return CellReference.Load(path, shown);
            }
            catch (CellReferenceException ex)
            {
                throw new CliException(ex.Message, ex);
            }
        }

        /// <summary>The meta-gradient of a law's real params on a task, each beside its finite difference.</summary>
        private static int RunLaw(CommandInput parsed, bool json, CliContext context)
        {
            Experiment.RequireLawFile(parsed, Name);
            // A reference file is the cell form's second argument: read as a law file, it would be a page of syntax errors.
            if (parsed.Positionals.FirstOrDefault(p => p.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) is string reference)
                throw CliException.BadUsage("'" + reference + "' is not a law file; a reference file is for a cell's gradient check (a cell file and a reference file, without --task or --case)", Name);
            var task = Experiment.ResolveTask(parsed.Value("--task"), parsed.Value("--case"), context, Name);
            int steps = (int)(parsed.Number("--steps") ?? 50);
            ulong seed = (ulong)(parsed.Number("--seed") ?? 0);
            var ablate = Experiment.Items(parsed.Values("--ablate"), "--ablate", Name);
            var settings = Experiment.ParseSettings(parsed.Values("--set"), Name);

            var file = LawInput.Call(() => LawSet.Load(parsed.Positionals, context.CurrentDirectory));
            var target = LawInput.Call(() => file.SelectOptimizer(parsed.Value("--name"), "a law that checks cleanly is needed", "to differentiate"), context.Stderr);
            if (target.Lagged) throw new CliException("law " + target.Name + " is lagged; meta-gradients are of laws that are not lagged");
            var rules = target.Unit.Rules.Where(r => r.Ablatable).Select(r => r.Id).ToList();
            var named = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in ablate)
            {
                if (!rules.Contains(id))
                    throw new CliException("unknown or fixed rule '" + id + "' in --ablate; switchable rules of " + target.Name + ": " + (rules.Count == 0 ? "none" : string.Join(", ", rules)));
                if (!named.Add(id)) throw new CliException("--ablate names the rule " + id + " twice"); // as run, ablate and sweep say
            }
            var overrides = Overrides(target.Unit, target.Name, settings);
            CheckValues(target, overrides, task.Create().Dimension);
            var options = new MetaGradientOptions
            {
                Seed = seed,
                Overrides = overrides,
                Ablated = target.Ablate.Concat(ablate).Distinct().ToList(),
                Subgradients = parsed.Has("--subgradients"),
            };
            MetaGradientReport report;
            try
            {
                report = new LawMetaGradient(target.Unit, task.Create(), steps, options, target.Name, file.Sources).Check();
            }
            catch (MetaGradientException ex)
            {
                throw new CliException(ex.Message, ex);
            }
            // A PASS over no meta-gradient would say nothing was checked in the words of a check that held.
            if (report.Params.Count == 0)
                throw new CliException("law " + target.Name + " has no real param to differentiate; ae grad measures d loss / d param for each of its real params");
            if (json) WriteJson(report, file.Sources, context.Stdout);
            else WriteText(report, file.Sources, context.Stdout);
            return report.Pass ? ExitCodes.Success : ExitCodes.Errors;
        }

        /// <summary>
        /// The checks a law's constructor makes with the values it is given (the params' declared ranges, then
        /// <see cref="AE.Dsl.IR.ValueChecks"/>), made on the interpreter's overrides: differentiating a law its own constructor
        /// refuses (empty or infinite bounds) measures nothing. One line in the words of every other command.
        /// </summary>
        private static void CheckValues(AE.Dsl.Emit.EmitTarget target, Dictionary<string, double[]> overrides, int dimension)
        {
            try
            {
                var evaluator = new AE.Kernels.ConstantEvaluator(target.Unit, new Dictionary<string, int> { [AE.Kernels.DeviceLaw.RuntimeDim(target.Unit)] = dimension }, overrides);
                AE.Kernels.DeviceLaw.CheckGiven(target.Unit, evaluator);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new CliException(AE.Experiments.Replay.LawSettings.Rejection(target.Name, ex), ex);
            }
        }

        /// <summary>The <c>--set</c> values as the interpreter's overrides, each converted to its param's type.</summary>
        private static Dictionary<string, double[]> Overrides(IrUnit unit, string law, IReadOnlyList<ParamSetting> settings)
        {
            var overrides = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var s in settings)
            {
                // As every command that runs a law: a second value would silently replace the first.
                if (overrides.ContainsKey(s.Name)) throw new CliException("--set sets the param " + s.Name + " twice");
                var p = unit.Params.FirstOrDefault(x => x.Name == s.Name)
                    ?? throw new CliException("unknown param '" + s.Name + "' in --set; " + AE.Engine.LawOptions.ParamsOf(law, unit.Params.Select(x => x.Name)));
                if (!p.Type.IsScalar) throw new CliException("the param " + s.Name + " of " + law + " is a vector; --set sets scalar params only");
                double value;
                if (p.Type.Scalar == ScalarType.Bool)
                    value = s.Text switch
                    {
                        "true" => 1,
                        "false" => 0,
                        _ => throw new CliException("invalid value '" + s.Text + "' for the bool param " + s.Name + " of " + law + "; expected true or false"),
                    };
                else if (p.Type.Scalar == ScalarType.Int)
                    value = AE.Engine.LawOptions.TryParseWhole(s.Text, out long whole) ? whole : throw new CliException(AE.Engine.LawOptions.WholeExpected(s.Text, s.Name, law));
                else if (!AE.Engine.LawOptions.TryParseReal(s.Text, out value))
                    throw new CliException("invalid value '" + s.Text + "' for the real param " + s.Name + " of " + law + "; expected a number such as 1.2, 3e-4 or inf");
                overrides[s.Name] = new[] { value };
            }
            return overrides;
        }

        private static string R(double v) => ReplayOutput.Num(v);

        /// <summary>
        /// ok, DIFFERS with the tolerance, NOT FINITE where one of the two is not a number to compare, or not checked
        /// where the law takes no other value of the param; a one-sided difference says so.
        /// </summary>
        private static string Verdict(ParamMetaGradient p) =>
            (p.Agrees ? "ok"
            : !p.Checked ? (double.IsFinite(p.Value) ? NotChecked : NotCheckedInfinite)
            : p.Difference == "kink" ? "DIFFERS: a kink at this value (one-sided differences " + G(p.Left) + " below, " + G(p.Right) + " above)"
            : !NotFinite(p) ? "DIFFERS (tolerance " + G(p.Tolerance) + ")"
            : "NOT FINITE")
            + (p.Difference is "forward" or "backward" ? " (" + p.Difference + " difference: the law refuses the other side)" : "");

        private static bool NotFinite(ParamMetaGradient p) => !double.IsFinite(p.Gradient) || !double.IsFinite(p.FiniteDifference);

        private const string NotChecked = "not checked (the law takes no other value of it at these settings)";

        private const string NotCheckedInfinite = "not checked (infinite: it has no neighbours to difference)";

        /// <summary>The verdict's line after PASS or FAIL: what agreed, differed, was not finite or could not be checked.</summary>
        private static string VerdictLine(MetaGradientReport report, string rule)
        {
            int all = report.Params.Count, notChecked = report.Params.Count(p => !p.Checked);
            string skipped = notChecked == 0 ? ""
                : "; " + notChecked + " not checked: infinite, or the law takes no other value of " + (notChecked == 1 ? "it" : "them") + " at these settings";
            if (report.Pass)
                return notChecked == 0 ? (all == 1 ? $"the meta-gradient agrees with its finite difference {rule}" : $"all {all} meta-gradients agree with their finite differences {rule}")
                    : $"{all - notChecked} of {all} meta-gradients agree with their finite differences {rule}{skipped}";
            if (notChecked == all) return "no meta-gradient could be checked: the law takes no other value of its real params at these settings";
            var failing = report.Params.Where(p => p.Checked && !p.Agrees).ToList();
            int notFinite = failing.Count(NotFinite), differ = failing.Count - notFinite;
            var parts = new List<string>();
            if (differ > 0) parts.Add(differ + (differ == 1 ? " differs" : " differ") + " from " + (differ == 1 ? "its finite difference" : "their finite differences") + " " + rule);
            if (notFinite > 0) parts.Add(notFinite + (notFinite == 1 ? " is" : " are") + " not finite");
            return failing.Count + " of " + all + " meta-gradients fail: " + string.Join(", ", parts) + skipped;
        }

        private static void WriteText(MetaGradientReport report, IReadOnlyDictionary<string, AE.Dsl.Text.SourceFile> sources, TextWriter output)
        {
            output.WriteLine($"{report.Law} on {report.Task}: {AE.Experiments.Plural.Count(report.Steps, "step")}, seed {report.Seed}, loss {R(report.InitialLoss)} -> {R(report.Loss)}");
            output.WriteLine($"d loss(theta_{report.Steps}) / d param by reverse mode through the unrolled run, beside finite differences (central where the law takes the settings on both sides)");
            if (report.NonSmooth.Count > 0)
                output.WriteLine("subgradients at " + AE.Experiments.Plural.Count(report.NonSmooth.Count, "construct")
                    + (report.NonSmooth.Count == 1 ? " that is not smooth: " : " that are not smooth, first ") + report.NonSmooth[0].Describe(sources));
            int width = Math.Max("param".Length, report.Params.Count == 0 ? 0 : report.Params.Max(p => p.Name.Length));
            int valueWidth = Math.Max(12, report.Params.Count == 0 ? 0 : report.Params.Max(p => R(p.Value).Length));
            output.WriteLine("param".PadRight(width) + "  " + "value".PadRight(valueWidth) + "  " + "meta-gradient".PadRight(24) + "  " + "finite difference".PadRight(24) + "  rel diff   verdict");
            foreach (var p in report.Params)
                output.WriteLine(p.Name.PadRight(width) + "  " + R(p.Value).PadRight(valueWidth) + "  " + R(p.Gradient).PadRight(24) + "  "
                    + (p.Checked ? R(p.FiniteDifference) : "—").PadRight(24) + "  " + (p.Checked ? G(p.RelativeDifference) : "—").PadRight(9) + "  " + Verdict(p));
            const string rule = "(1e-6 relative + the difference's estimated truncation and rounding error)";
            // A run that ends at a loss that is not finite has no derivative to compare: "differ" would blame reverse mode.
            output.WriteLine(report.Pass
                ? "PASS: " + VerdictLine(report, rule)
                : !double.IsFinite(report.Loss)
                    ? $"FAIL: the run's loss after {report.Steps} {(report.Steps == 1 ? "step" : "steps")} is {R(report.Loss)}, so there is no meta-gradient to check; a setting may be out of the range where the law runs"
                    : "FAIL: " + VerdictLine(report, rule));
        }

        private static void WriteJson(MetaGradientReport report, IReadOnlyDictionary<string, AE.Dsl.Text.SourceFile> sources, TextWriter output)
        {
            Json.WriteIndented(output, json =>
            {
                json.WriteStartObject();
                json.WriteString("law", report.Law);
                json.WriteString("task", report.Task);
                json.WriteNumber("steps", report.Steps);
                json.WriteNumber("seed", report.Seed);
                Json.Number(json, "initial_loss", report.InitialLoss);
                Json.Number(json, "loss", report.Loss);
                json.WriteStartArray("non_smooth");
                foreach (var site in report.NonSmooth) json.WriteStringValue(site.Describe(sources));
                json.WriteEndArray();
                json.WriteBoolean("pass", report.Pass);
                json.WriteStartArray("params");
                foreach (var p in report.Params)
                {
                    json.WriteStartObject();
                    json.WriteString("name", p.Name);
                    Json.Number(json, "value", p.Value);
                    Json.Number(json, "gradient", p.Gradient);
                    // a param the law takes at no other value (or an infinite one) has no difference: null, and agrees neither way
                    if (p.Checked)
                    {
                        Json.Number(json, "finite_difference", p.FiniteDifference);
                        Json.Number(json, "step", p.Step);
                        Json.Number(json, "rel_diff", p.RelativeDifference);
                        Json.Number(json, "tolerance", p.Tolerance);
                    }
                    else
                        foreach (var key in new[] { "finite_difference", "step", "rel_diff", "tolerance" }) json.WriteNull(key);
                    json.WriteString("difference", p.Difference);
                    if (p.Difference == "kink") { Json.Number(json, "left", p.Left); Json.Number(json, "right", p.Right); }
                    else { json.WriteNull("left"); json.WriteNull("right"); }
                    json.WriteBoolean("checked", p.Checked);
                    if (p.Checked) json.WriteBoolean("agrees", p.Agrees);
                    else json.WriteNull("agrees");
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }

        private static string G(double v) => AE.Runtime.NumberText.Of(v, "0.###e+00");

        private static void WriteText(CellGradientReport report, TextWriter output)
        {
            output.WriteLine($"{report.Cell} on {report.Reference}: batch {report.Batch}, {AE.Experiments.Plural.Count(report.Time, "step")}, loss {R(report.Loss)}");
            int width = Math.Max("quantity".Length, report.Quantities.Max(q => q.Name.Length));
            output.WriteLine("quantity".PadRight(width) + "  values  max abs    at            max rel    at            verdict");
            foreach (var q in report.Quantities)
                output.WriteLine(q.Name.PadRight(width) + "  " + q.Count.ToString(CultureInfo.InvariantCulture).PadLeft(6) + "  "
                    + G(q.MaxAbs).PadRight(9) + "  " + q.MaxAbsAt.PadRight(12) + "  " + G(q.MaxRel).PadRight(9) + "  " + q.MaxRelAt.PadRight(12) + "  "
                    + (q.Pass ? "ok" : q.Failures + " out of tolerance" + (q.FailsOnlyByAHair ? " by a hair" : "")));
            int failing = report.Quantities.Count(q => !q.Pass);
            output.WriteLine(report.Pass
                ? $"PASS: all {report.Quantities.Count} quantities within 1e-9 relative or 1e-12 absolute"
                : $"FAIL: {failing} of {report.Quantities.Count} quantities out of tolerance (1e-9 relative or 1e-12 absolute)");
            if (!report.Pass && report.Quantities.Where(q => !q.Pass).All(q => q.FailsOnlyByAHair))
                output.WriteLine("every value out of tolerance is off by at most 1e-12 of its quantity's largest value ('by a hair'): a saturated tanh "
                    + "(PyTorch's and libm's differ in the last bit) or terms that nearly cancel can do this, and so can a wrong gradient of a small element");
        }

        /// <summary>A position as an array of indices; null for a number, which has no position (cli.md: null where a value does not apply).</summary>
        private static void Position(System.Text.Json.Utf8JsonWriter json, string name, int[] index)
        {
            if (index.Length == 0) { json.WriteNull(name); return; }
            json.WriteStartArray(name);
            foreach (int i in index) json.WriteNumberValue(i);
            json.WriteEndArray();
        }

        private static void WriteJson(CellGradientReport report, TextWriter output)
        {
            Json.WriteIndented(output, json =>
            {
                json.WriteStartObject();
                json.WriteString("cell", report.Cell);
                json.WriteString("reference", report.Reference);
                json.WriteNumber("batch", report.Batch);
                json.WriteNumber("time", report.Time);
                Json.Number(json, "loss", report.Loss);
                json.WriteBoolean("pass", report.Pass);
                json.WriteStartArray("quantities");
                foreach (var q in report.Quantities)
                {
                    json.WriteStartObject();
                    json.WriteString("name", q.Name);
                    json.WriteNumber("count", q.Count);
                    Json.Number(json, "max_abs", q.MaxAbs);
                    Position(json, "max_abs_at", q.MaxAbsIndex);
                    Json.Number(json, "max_rel", q.MaxRel);
                    Position(json, "max_rel_at", q.MaxRelIndex);
                    json.WriteNumber("failures", q.Failures);
                    json.WriteNumber("failures_by_a_hair", q.SmallFailures);
                    json.WriteBoolean("pass", q.Pass);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }
    }
}
