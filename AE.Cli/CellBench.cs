using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Experiments.Cells;
using AE.Experiments.Compilation;
using AE.Runtime.Cells;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae bench &lt;cell.ae&gt; [--name CELL] [--batch B] [--time T] [--dtype f32|f64] [--checkpoint K]
    /// [--format table|json]</c>: the cell's generated C# compiled in memory, with PyTorch-style random weights and
    /// random inputs and output gradients, timed over one forward plus backward of the whole batch and sequence
    /// (every gradient), the median of several batches (and the fastest batch: ns_per_step_min in JSON, steadier on a loaded machine; and cpu_ns_per_step, the process's CPU time per forward+backward, the median batch, which time-sharing of the cores does not inflate), with the bytes allocated while timing.
    /// </summary>
    internal static class CellBench
    {
        /// <summary>The options of <c>ae bench</c> that only a cell takes (the law's bench takes the others but these).</summary>
        public static readonly OptionSpec[] Options =
        {
            new OptionSpec("--batch", "a whole number of samples", "A cell's batch (default 16).") { HelpName = "B" }.WholeNumber(max: 1_000_000),
            new OptionSpec("--time", "a whole number of steps", "A cell's sequence length (default 50).") { HelpName = "T" }.WholeNumber(max: 1_000_000),
            new OptionSpec("--checkpoint", "steps between stored states (0: about the square root of the time)",
                "Steps between a cell's stored states (default about the square root of the time).") { HelpName = "K" }.WholeNumber(min: 0, max: 1_000_000),
        };

        /// <summary>The options of the law's bench that a cell does not take.</summary>
        private static readonly string[] LawOnly = { "--n", "--backend", "--set" };

        /// <summary>Whether the one file named checks and declares laws but no cell (a cell option was then given to a law's bench).</summary>
        private static bool DeclaresNoCell(CommandInput parsed, CliContext context)
        {
            if (parsed.Positionals.Count != 1) return false;
            try
            {
                var set = LawSet.Load(new[] { parsed.Positionals[0] }, context.CurrentDirectory);
                return !set.Result.HasErrors && set.Targets.Count > 0 && set.Targets.All(t => t.Unit.Kind != UnitKind.Cell);
            }
            catch (Exception ex) when (ex is LawInputException or IOException or UnauthorizedAccessException)
            {
                return false; // the cell's bench reports it
            }
        }

        /// <summary>Whether <c>ae bench</c> was asked about a cell: a cell option is given, or the named file declares cells and no law.</summary>
        public static bool Applies(CommandInput parsed, CliContext context)
        {
            if (parsed.Given.Any(o => Options.Any(c => c.Name == o))) return true;
            var file = parsed.Positionals.FirstOrDefault(a => a.EndsWith(".ae", StringComparison.OrdinalIgnoreCase));
            if (file is null) return false;
            try
            {
                var set = LawSet.Load(new[] { file }, context.CurrentDirectory);
                return !set.Result.HasErrors && set.Targets.Count > 0 && set.Targets.All(t => t.Unit.Kind == UnitKind.Cell);
            }
            catch (Exception ex) when (ex is LawInputException or IOException or UnauthorizedAccessException)
            {
                return false; // the law bench reports it
            }
        }

        public static int Run(CommandInput parsed, CliContext context)
        {
            if (parsed.Given.FirstOrDefault(o => Options.Any(c => c.Name == o)) is string cellOption && DeclaresNoCell(parsed, context))
                throw CliException.BadUsage("'" + cellOption + "' is an option of a cell's bench, and " + parsed.Positionals[0] + " declares no cell", BenchCommand.Name);
            if (parsed.Given.FirstOrDefault(LawOnly.Contains) is string lawOption)
                throw CliException.BadUsage("'" + lawOption + "' is an option of a law's bench, not of a cell's", BenchCommand.Name);
            if (parsed.Positionals.Count != 1)
                throw CliException.BadUsage("expected one cell file, got " + parsed.Positionals.Count, BenchCommand.Name);
            int batch = (int)(parsed.Number("--batch") ?? 16);
            int time = (int)(parsed.Number("--time") ?? 50);
            int checkpoint = (int)(parsed.Number("--checkpoint") ?? 0);
            int threads = (int)(parsed.Number("--threads") ?? 1);
            int minTimeMs = (int)(parsed.Number("--min-time-ms") ?? BenchCommand.DefaultMinTimeMs);
            var format = parsed.Format();
            // --dtype is repeatable for a law's bench (f32 and f64 in one run); a cell's result is one object, of one dtype.
            var dtypes = Experiment.Items(parsed.Values("--dtype"), "--dtype", BenchCommand.Name);
            if (dtypes.Count > 1)
                throw CliException.BadUsage("a cell's bench times one dtype (its JSON is one object): give --dtype f32 or --dtype f64, not " + string.Join(" and ", dtypes), BenchCommand.Name);
            bool f64 = dtypes.FirstOrDefault() switch
            {
                null or "f32" => false,
                "f64" => true,
                var other => throw CliException.BadUsage("invalid value '" + other + "' for '--dtype'; expected f32 or f64", BenchCommand.Name),
            };

            var (file, target) = CellInput.Select(parsed.Positionals, parsed.Value("--name"), context);

            Result result;
            try
            {
                var sizes = new[] { ("--batch", parsed.Number("--batch")), ("--time", parsed.Number("--time")), ("--checkpoint", parsed.Number("--checkpoint")) };
                result = f64 ? Measure<double>(target, file, batch, time, checkpoint, threads, minTimeMs, sizes, context)
                    : Measure<float>(target, file, batch, time, checkpoint, threads, minTimeMs, sizes, context);
            }
            catch (EmitNotSupportedException ex)
            {
                throw new CliException($"the C# backend does not emit {target.Name}: {ex.Message}", ex);
            }
            catch (LawCompileException ex)
            {
                context.Stderr.WriteLine("ae: error: " + MessageText.FirstLine(ex.Message));
                return ExitCodes.InternalError;
            }

            // The table shows what ran; say so where it is not what was asked.
            if (result.Threads != threads)
                context.Stderr.WriteLine("ae: note: --threads " + threads + " is more than the batch (" + batch + "): " + result.Threads + " threads, one sample each");
            if (checkpoint > 0 && result.CheckpointEvery != checkpoint)
                context.Stderr.WriteLine("ae: note: --checkpoint " + checkpoint + " is more than the time (" + time + "): a state stored every " + result.CheckpointEvery + " steps");
            if (format == OutputFormat.Json) WriteJson(result, context.Stdout);
            else
            {
                context.Stdout.WriteLine("| cell | batch | time | dtype | threads | checkpoint every | ms per forward+backward | ns per sample-step | allocated bytes |");
                context.Stdout.WriteLine("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
                context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {result.Cell} | {result.Batch} | {result.Time} | {result.Dtype} | {result.Threads} | {result.CheckpointEvery} | {result.NsPerStep / 1e6:0.000} | {result.NsPerStep / (result.Batch * (double)result.Time):0} | {result.AllocatedBytes} |"));
            }
            return ExitCodes.Success;
        }

        private sealed record Result(string Cell, int Batch, int Time, string Dtype, int Threads, int CheckpointEvery, double NsPerStep, double NsPerStepMin, double CpuNsPerStep, long AllocatedBytes, int Runs);

        private static Result Measure<T>(EmitTarget target, LawSet file, int batch, int time, int checkpoint, int threads, int minTimeMs,
            IReadOnlyList<(string Option, long? Given)> sizes, CliContext context)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var cell = CellMemory.Build(CellCompiler.CompileCell<T>(target, file.Sources), batch, time, checkpoint, threads, sizes, context);
            threads = threads > 1 ? Math.Min(threads, batch) : 1;
            Fill(cell);
            void Once()
            {
                cell.Forward();
                cell.ZeroGrad();
                cell.Backward();
            }

            double perRun = WarmUp(Once);
            int runs = (int)Math.Clamp(Math.Round(minTimeMs / 1000.0 / BenchCommand.Batches / perRun), 1, int.MaxValue / 2);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var times = new double[BenchCommand.Batches];
            var cpu = new double[BenchCommand.Batches];
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int b = 0; b < BenchCommand.Batches; b++)
            {
                var cpuStart = Environment.CpuUsage.TotalTime;
                long start = Stopwatch.GetTimestamp();
                for (int r = 0; r < runs; r++) Once();
                times[b] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                cpu[b] = (Environment.CpuUsage.TotalTime - cpuStart).TotalSeconds;
            }
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Array.Sort(times);
            Array.Sort(cpu);
            return new Result(target.Name, batch, time, typeof(T) == typeof(double) ? "f64" : "f32", threads, cell.CheckpointEvery, times[BenchCommand.Batches / 2] / runs * 1e9, times[0] / runs * 1e9, cpu[BenchCommand.Batches / 2] / runs * 1e9, allocated, runs * BenchCommand.Batches);
        }

        /// <summary>PyTorch's default initialisation (uniform within 1/sqrt(fan-in)) for weights, standard normal inputs and output gradients, a fixed seed.</summary>
        /// <summary>Warm-up windows of this length, until two in a row are no faster than the best before them.</summary>
        private const double WarmupWindowSeconds = 0.4, MaxWarmupSeconds = 20;

        /// <summary>
        /// Runs <paramref name="once"/> until the runtime has recompiled what it calls, and returns the seconds per run then.
        /// After Roslyn has compiled the cell in this process the background compiler works through Roslyn's own methods
        /// first, which can take seconds and promotes the cell's methods a few at a time (a fixed short warm-up timed some
        /// runs at several times their settled speed), so: windows of <see cref="WarmupWindowSeconds"/> until two in a row
        /// are no more than 2% faster than the best before them, at most <see cref="MaxWarmupSeconds"/>.
        /// </summary>
        private static double WarmUp(Action once)
        {
            var total = Stopwatch.StartNew();
            double best = double.PositiveInfinity;
            int flat = 0;
            while (true)
            {
                var window = Stopwatch.StartNew();
                int runs = 0;
                do { once(); runs++; } while (runs < 3 || window.Elapsed.TotalSeconds < WarmupWindowSeconds);
                double perRun = window.Elapsed.TotalSeconds / runs;
                flat = perRun >= best * 0.98 ? flat + 1 : 0;
                best = Math.Min(best, perRun);
                if (flat == 2 || total.Elapsed.TotalSeconds >= MaxWarmupSeconds) return best;
            }
        }

        private static void Fill<T>(ICell<T> cell) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(1);
            T Normal() => T.CreateTruncating(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
            CellInitialization.PyTorchDefault(cell, rng);
            foreach (var i in cell.Inputs) { var v = cell.Input(i.Name); for (int k = 0; k < v.Length; k++) v[k] = Normal(); }
            foreach (var s in cell.States)
            {
                // A probability-like positive start, so a cell that takes logs of its state stays finite.
                var v = cell.InitialState(s.Name);
                for (int k = 0; k < v.Length; k++) v[k] = T.CreateTruncating(1.0 / s.Size);
            }
            foreach (var o in cell.Outputs) { var v = cell.OutputGradient(o.Name); for (int k = 0; k < v.Length; k++) v[k] = Normal(); }
        }

        private static void WriteJson(Result r, TextWriter output)
        {
            Json.WriteIndented(output, json =>
            {
                json.WriteStartObject();
                json.WriteString("cell", r.Cell);
                json.WriteNumber("batch", r.Batch);
                json.WriteNumber("time", r.Time);
                json.WriteString("dtype", r.Dtype);
                json.WriteNumber("threads", r.Threads);
                json.WriteNumber("checkpoint_every", r.CheckpointEvery);
                Json.Number(json, "ns_per_step", r.NsPerStep);
                Json.Number(json, "ns_per_step_min", r.NsPerStepMin);
                Json.Number(json, "cpu_ns_per_step", r.CpuNsPerStep);
                json.WriteNumber("allocated_bytes", r.AllocatedBytes);
                json.WriteNumber("runs", r.Runs);
                json.WriteEndObject();
            });
        }
    }
}
