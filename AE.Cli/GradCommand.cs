using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using AE.Experiments.Cells;
using AE.Experiments.Compilation;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae grad &lt;cell.ae&gt; &lt;reference.json&gt; [--name CELL] [--format text|json]</c>: runs the cell on a
    /// reference file in float64 with its generated C# (or, with <c>--backend reference</c>, the reference adjoint;
    /// <see cref="CellGradientCheck"/>) and prints, per
    /// quantity (each output, the loss, each parameter's gradient), the largest absolute and relative
    /// deviation and where, then a verdict. Exit 0 when every value agrees, 1 when one does not, 2 on bad input.
    /// </summary>
    public static class GradCommand
    {
        public const string Name = "grad";

        public const string Summary = "Check a cell's outputs, loss and gradients against a reference file";

        public static string Help { get; } = string.Join(Environment.NewLine, new[]
        {
            "Usage: ae grad <cell.ae> <reference.json> [--name CELL] [--backend csharp|reference] [--format text|json]",
            "",
            "Runs the cell on a reference file in the layout of the golden cell_*.json files",
            "(params by PyTorch name, inputs, outputs, loss, autograd's gradients): forward",
            "over the batch and the sequence, the host's loss, backward through time, all in",
            "float64 with the cell's generated C# (its fused step and adjoint), compiled in",
            "memory. Then compares the outputs, the loss and the gradient of every net",
            "parameter with the file's.",
            "",
            "Arguments:",
            "  <cell.ae>            The .ae file declaring the cell.",
            "  <reference.json>     The reference file. Its 'cell' names the seed's cell",
            "                       (AMELayer, AMEDSynth or DynamicsModelResidual), which fixes",
            "                       the layout of its sequences and the loss.",
            "",
            "Options:",
            "  --name CELL          The cell to run when the file declares several.",
            "  --backend B          csharp: the generated cell (default); reference: the",
            "                       reference adjoint (an interpreter with a tape).",
            "  --format text|json   A table and a verdict (default), or one JSON object with",
            "                       'cell', 'reference', 'batch', 'time', 'loss', 'pass' and",
            "                       'quantities' (name, count, max_abs, max_abs_at, max_rel,",
            "                       max_rel_at, failures, pass).",
            "  -h, --help           Show this help.",
            "",
            "A value agrees when within 1e-9 relative or 1e-12 absolute of the reference.",
            "",
            "Exit codes: 0 every value agrees; 1 some value does not; 2 bad input (a bad",
            "option, a cell file that is missing or has errors, a reference file that is",
            "missing or malformed or does not fit the cell: a missing or extra parameter, a",
            "shape that differs from the cell's); 3 the emitted code does not compile, or an",
            "internal error.",
        }) + Environment.NewLine;

        public static CliCommand Command { get; } = new(Name, Summary, Help, Run);

        private static readonly IReadOnlyDictionary<string, string> ValueOptions = new Dictionary<string, string>
        {
            ["--name"] = "the name of a cell in the file",
            ["--format"] = "text or json",
            ["--backend"] = "csharp or reference",
        };

        public static int Run(string[] args, CliContext context)
        {
            if (args is null) throw new ArgumentNullException(nameof(args));
            if (context is null) throw new ArgumentNullException(nameof(context));

            var parsed = ParsedArguments.Parse(args, Name, ValueOptions);
            if (parsed.ShowHelp)
            {
                context.Stdout.Write(Help);
                return ExitCodes.Success;
            }
            bool json = parsed.Value("--format") switch
            {
                null or "text" => false,
                "json" => true,
                var other => throw CliException.BadUsage("invalid value '" + other + "' for '--format'; expected text or json", Name),
            };
            if (parsed.Positionals.Count != 2)
                throw CliException.BadUsage("expected a cell file and a reference file, got " + parsed.Positionals.Count + " argument" + (parsed.Positionals.Count == 1 ? "" : "s"), Name);

            var file = LawInput.Call(() => LawSet.Load(new[] { parsed.Positionals[0] }, context.CurrentDirectory));
            if (file.Result.HasErrors)
            {
                foreach (var d in file.Result.Diagnostics.Where(d => d.Severity == AE.Dsl.Diagnostics.Severity.Error)) context.Stderr.WriteLine(d.ToMsBuildString());
                throw new CliException(file.ErrorSummary("a cell that checks cleanly is needed"));
            }
            string? name = parsed.Value("--name");
            var cells = file.Targets.Where(t => t.Unit.Kind == AE.Dsl.IR.UnitKind.Cell && t.Ablate.Count == 0).ToList();
            var target = name is not null
                ? LawInput.Call(() => file.Find(name, t => t.Unit.Kind == AE.Dsl.IR.UnitKind.Cell, "a cell"))
                : cells.Count == 1 ? cells[0]
                : throw new CliException(file.DisplayPath + (cells.Count == 0 ? " declares no cell" : " declares several cells; name one with --name: " + string.Join(", ", cells.Select(c => c.Name))));

            string referencePath = Path.GetFullPath(Path.Combine(context.CurrentDirectory, parsed.Positionals[1]));
            bool generated = parsed.Value("--backend") switch
            {
                null or "csharp" => true,
                "reference" => false,
                var other => throw CliException.BadUsage("invalid value '" + other + "' for '--backend'; expected csharp or reference", Name),
            };
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
                    context.Stderr.WriteLine("ae: error: " + ex.Message.Split('\n')[0].TrimEnd('\r'));
                    foreach (var error in ex.Errors.Skip(1).Take(4)) context.Stderr.WriteLine("  " + error);
                    return ExitCodes.InternalError;
                }
                compiled = (batch, time) => make(batch, time, 0);
            }
            CellGradientReport report;
            try
            {
                var reference = CellReference.Load(referencePath, parsed.Positionals[1]);
                report = CellGradientCheck.Run(target.Unit, reference, compiled);
            }
            catch (CellReferenceException ex)
            {
                throw new CliException(ex.Message, ex);
            }

            if (json) WriteJson(report, context.Stdout);
            else WriteText(report, context.Stdout);
            return report.Pass ? ExitCodes.Success : ExitCodes.Errors;
        }

        private static string G(double v) => v.ToString("0.###e+00", CultureInfo.InvariantCulture);

        private static void WriteText(CellGradientReport report, TextWriter output)
        {
            output.WriteLine($"{report.Cell} on {report.Reference}: batch {report.Batch}, {report.Time} steps, loss {report.Loss.ToString("R", CultureInfo.InvariantCulture)}");
            int width = Math.Max("quantity".Length, report.Quantities.Max(q => q.Name.Length));
            output.WriteLine("quantity".PadRight(width) + "  values  max abs    at            max rel    at            verdict");
            foreach (var q in report.Quantities)
                output.WriteLine(q.Name.PadRight(width) + "  " + q.Count.ToString(CultureInfo.InvariantCulture).PadLeft(6) + "  "
                    + G(q.MaxAbs).PadRight(9) + "  " + q.MaxAbsAt.PadRight(12) + "  " + G(q.MaxRel).PadRight(9) + "  " + q.MaxRelAt.PadRight(12) + "  "
                    + (q.Pass ? "ok" : q.Failures + " out of tolerance"));
            int failing = report.Quantities.Count(q => !q.Pass);
            output.WriteLine(report.Pass
                ? $"PASS: all {report.Quantities.Count} quantities within 1e-9 relative or 1e-12 absolute"
                : $"FAIL: {failing} of {report.Quantities.Count} quantities out of tolerance (1e-9 relative or 1e-12 absolute)");
        }

        private static void WriteJson(CellGradientReport report, TextWriter output)
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
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
                    json.WriteString("max_abs_at", q.MaxAbsAt);
                    Json.Number(json, "max_rel", q.MaxRel);
                    json.WriteString("max_rel_at", q.MaxRelAt);
                    json.WriteNumber("failures", q.Failures);
                    json.WriteBoolean("pass", q.Pass);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        }
    }
}
