using System;
using AE.Dsl.Schedule;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>One size of <c>ae bench</c>: how long a step took and what that means for memory bandwidth.</summary>
    /// <param name="NsPerStep">the median over the timed batches of a batch's time divided by its steps</param>
    /// <param name="GbPerS">effective bandwidth: <see cref="BenchCommand.BytesPerParam"/> times n per step</param>
    /// <param name="BytesPerParam">the bytes a step must move over n (<see cref="BenchCommand.BytesPerParam"/>)</param>
    /// <param name="CopyGbPerS">the backend's copy bandwidth (read + write), for scale</param>
    /// <param name="AllocatedBytes">bytes allocated by the whole process (every thread) during the timed batch that allocated least</param>
    internal sealed record BenchResult(int N, BenchDtype Dtype, string Backend, int Threads, double NsPerStep, double GbPerS, double CopyGbPerS,
        long AllocatedBytes, int StepsPerBatch, int Batches, double BytesPerParam)
    {
        public double Ratio => GbPerS / CopyGbPerS;
    }

    /// <summary>
    /// <c>ae bench [LAW.ae] [--name LAW] [--n N]... [--dtype f32|f64] [--backend cpu|opencl|ilgpu] [--threads T]
    /// [--set NAME=VALUE]... [--format table|json]</c>: compiles the law in-process, warms it up, times its
    /// step at each size (the median of several batches of about equal length) and reports time per step,
    /// effective bandwidth, the process's copy bandwidth, their ratio and the bytes allocated while timing.
    /// </summary>
    public static class BenchCommand
    {
        public const string Name = "bench";

        /// <summary>The sizes timed unless <c>--n</c> says otherwise.</summary>
        public static IReadOnlyList<int> DefaultSizes { get; } = new[] { 1_000, 100_000, 1_000_000, 10_000_000 };

        /// <summary>The largest n (three float64 vectors of 1e9 are 24 GB).</summary>
        public const int MaxN = 1_000_000_000;

        /// <summary>Timed milliseconds per size unless <c>--min-time-ms</c> says otherwise.</summary>
        public const int DefaultMinTimeMs = 500;

        /// <summary>The shortest warm-up of each size.</summary>
        public const double WarmupSeconds = 0.3;

        /// <summary>Timed batches per size; the median is reported.</summary>
        public const int Batches = 5;

        public static CommandSpec Command { get; } = new(Name, "Time a law's step at several sizes (ns per step, GB/s against copy bandwidth), or a cell's forward+backward", Run)
        {
            StopsOnInterrupt = true,
            Arguments = new ArgumentSpec("law.ae", "The .ae files, checked together (default: laws/ae_sgdm.ae in the current directory or in the repository above it); or one cell's .ae file."),
            Options =
            [
                new OptionSpec("--name", "the name of a law or variant in the file", "The law or variant (default: the file's first law of the optimizer shape; AeSgdm in laws/ae_sgdm.ae).") { HelpName = "LAW" },
                new OptionSpec("--n", "parameter counts such as 1000,1e6", "Parameter counts (repeatable, or a comma list; 1000 or 1e6; from 1 to 1e9). Default: 1e3, 1e5, 1e6, 1e7.", OptionKind.Repeatable) { HelpName = "N" },
                new OptionSpec("--dtype", "f32 or f64", "The element type of the vectors (repeatable, or a comma list; default f32; both: f32,f64). The law's scalars are double either way. A cell's bench times one: f32 or f64.", OptionKind.Repeatable) { HelpName = "f32|f64" },
                new OptionSpec("--backend", "cpu, opencl or ilgpu", "Where the steps run (default cpu: the C# law). opencl: the OpenCL law on device memory (gradient and theta stay on the default device). ilgpu: the ILGPU law on device memory (AE_ILGPU_DEVICE=cuda|opencl|cpu picks the kind, default a GPU, else the CPU simulator). Both against a copy kernel of the same device.") { HelpName = "cpu|opencl|ilgpu" },
                new OptionSpec("--threads", "a whole number of threads", "The law's MaxThreads (default 1). A law without MaxThreads runs on one thread, and a note says so.") { HelpName = "T" }.WholeNumber(max: 1024),
                new OptionSpec("--set", "NAME=VALUE, such as sigma_max=0", "Set a scalar param of the law (repeatable, or a comma list), as for 'ae run'; sigma_max=0 keeps AE-SGDm from drawing noise for every element.", OptionKind.Repeatable) { HelpName = "NAME=VALUE" },
                new OptionSpec("--format", "table or json", "A markdown table (default) or one JSON object whose 'results' have n, dtype, backend, threads, ns_per_step, gb_per_s, copy_gb_per_s, ratio and allocated_bytes.") { HelpName = "table|json" }.AsFormat(),
                // Not in the help: tests shorten the timing with it.
                new OptionSpec("--min-time-ms", "milliseconds of timed steps per size", "Milliseconds of timed steps per size (default about 500: five batches of 100 ms); less for a quick look, more for steadier figures.") { HelpName = "MS" }.WholeNumber(max: 600_000),
                .. CellBench.Options,
            ],
            Details = new[]
            {
                "Compiles a law in memory (the generator's C#, built with Roslyn), then for each",
                "size builds it with a fixed random gradient and start point and a slowly",
                "varying loss, warms it up, and times its step: 5 batches of equal step counts,",
                "about 0.5 s in all, the median reported. Per size it prints the time per step,",
                "the effective bandwidth (the vector elements the law's passes read and write per",
                "parameter, 4 bytes each in float32, 8 in float64, vector params and signals 8 in",
                "both: AE-SGDm's two passes read g and m, then read theta, g and m and write theta",
                "and m, 28 B), the copy bandwidth of",
                "this process (the best of several copies of an array larger than the caches,",
                "bytes read and written both counted, on the same threads), their ratio, and the",
                "bytes the whole process allocated in the timed batch that allocated least (0 for",
                "a generated law on the CPU; ILGPU's kernel launches allocate on the host,",
                "docs/ilgpu-backend.md).",
                "",
                "Run it on an idle machine: other work on the same cores changes the figures.",
                "",
                "A cell: ae bench <cell.ae> [--name CELL] [--batch B] [--time T] [--dtype f32|f64]",
                "                [--threads N] [--checkpoint K] [--min-time-ms MS] [--format table|json]",
                "  Compiles the cell's generated C# and times one forward plus backward of the",
                "  whole batch and sequence (every gradient; default batch 16, time 50, f32),",
                "  with PyTorch's default initialisation and random inputs and output gradients.",
                "  --threads N splits the batch into N parts run on N threads.",
                "  JSON fields: cell, batch, time, dtype, threads, checkpoint_every, ns_per_step (one",
                "  forward+backward, the median), ns_per_step_min, cpu_ns_per_step, allocated_bytes,",
                "  runs. --checkpoint K: steps between",
                "  stored states (default about the square root of the time).",
                "",
                "Exit codes: 0 figures printed; 2 bad input (a bad option or value, a law file",
                "that is missing or has errors, an unknown law or param, a backend that is not",
                "available); 3 internal error; 130 interrupted.",
            },
        };

        /// <summary>
        /// Bytes a step must move per parameter at the least: each vector element its passes read or write, 4 B in float32 and
        /// 8 B in float64. AE-SGDm's two passes: the first reads g and m (8 B in float32), the second reads theta, g and m and
        /// writes theta and m (20 B); its lagged variant (<c>= AeSgdm lagged</c>) makes the second pass only: 20 B.
        /// A vector of another length counts at its length: <c>real[w]</c> with <c>dim w = 7</c> adds 7 elements a step, not n.
        /// </summary>
        /// <param name="n">the parameters' length, which every run-time dim of an optimizer law is</param>
        /// <remarks>Vector params and vector signals are float64 in a float32 step too: 8 B an element.</remarks>
        public static double BytesPerParam(BenchDtype dtype, VectorTraffic traffic, long n) =>
            (double)traffic.Bytes(n, _ => n, ElementBytes(dtype)) / n;

        /// <summary>The bytes of one vector element: 4 in float32, 8 in float64.</summary>
        private static int ElementBytes(BenchDtype dtype) => dtype == BenchDtype.F32 ? 4 : 8;

        private static int Run(CommandInput parsed, CliContext context)
        {
            if (CellBench.Applies(parsed, context)) return CellBench.Run(parsed, context);
            var sizes = ParseSizes(parsed);
            var dtypes = ParseDtypes(parsed);
            int threads = (int)(parsed.Number("--threads") ?? 1);
            int minTimeMs = (int)(parsed.Number("--min-time-ms") ?? DefaultMinTimeMs);
            var format = parsed.Format();
            var settings = Experiment.ParseSettings(parsed.Values("--set"), Name);
            string backendName = parsed.Value("--backend") ?? "cpu";
            if (!BenchBackends.Names.Contains(backendName, StringComparer.Ordinal))
                throw CliException.BadUsage("invalid value '" + backendName + "' for '--backend'; expected " + BenchBackends.Expected, Name);

            IReadOnlyList<string> lawPaths = parsed.Positionals.Count > 0 ? parsed.Positionals : new[] { ReplayCommand.FindDefaultLaw(context.CurrentDirectory, "as the argument ('ae bench path/to/law.ae')") };
            var backend = BenchBackends.Create(backendName, new BenchRequest(lawPaths, parsed.Value("--name"), settings, threads, context, sizes.Min()));
            double copy = backend.CopyBandwidth();

            var results = new List<BenchResult>();
            foreach (var dtype in dtypes)
                foreach (int n in sizes)
                {
                    if (context.Cancellation.IsCancellationRequested)
                    {
                        context.Stderr.WriteLine("ae: interrupted");
                        return ExitCodes.Interrupted;
                    }
                    results.Add(Measure(backend, n, dtype, copy, TimeSpan.FromMilliseconds(minTimeMs)));
                }

            if (format == OutputFormat.Json) WriteJson(backend, settings, copy, results, context.Stdout);
            else WriteTable(backend, settings, copy, results, context.Stdout);
            return ExitCodes.Success;
        }

        /// <summary>
        /// Warms the law up while estimating a step's time, then times <see cref="Batches"/> batches of equal step
        /// counts that add up to about <paramref name="minTime"/>; allocation is counted over the timed batches only.
        /// </summary>
        internal static BenchResult Measure(IBenchBackend backend, int n, BenchDtype dtype, double copyGbPerS, TimeSpan minTime)
        {
            using var run = backend.Prepare(n, dtype);

            // Garbage of earlier work (the copy's arrays, a previous size's law) is collected and its finalizers
            // run now, not on another thread while the steps are timed, where they would count as allocation.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            // Warm-up: batches of 1, 2, 4, ... steps until one takes a fifth of a batch's time, never the first step
            // alone (it faults the law's fresh vectors in), and for at least WarmupSeconds: the runtime recompiles
            // the framework methods the step calls some 100 ms after their first calls, on a thread it starts
            // for that, and both its time and that thread's allocation belong before the timed batches.
            double batchSeconds = minTime.TotalSeconds / Batches;
            long warmStart = Stopwatch.GetTimestamp();
            int warm = 1, total = 0;
            double perStep;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                run.Step(warm);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                total += warm;
                perStep = seconds / warm;
                bool longEnough = seconds >= batchSeconds / 5 || warm >= 1 << 24;
                if (total >= 2 && longEnough && Stopwatch.GetElapsedTime(warmStart).TotalSeconds >= WarmupSeconds) break;
                if (!longEnough) warm *= 2;
            }

            int steps = (int)Math.Clamp(Math.Round(batchSeconds / Math.Max(perStep, 1e-9)), 1, int.MaxValue / 2);
            var times = new double[Batches];
            // The least any batch allocated: a step that allocates shows in every batch, a one-off allocation of another
            // thread of the process (the runtime's own, under load) in one only.
            long allocated = long.MaxValue;
            for (int b = 0; b < Batches; b++)
            {
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                long start = Stopwatch.GetTimestamp();
                run.Step(steps);
                times[b] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
            }

            Array.Sort(times);
            double ns = times[Batches / 2] / steps * 1e9;
            double bytes = BytesPerParam(dtype, backend.Traffic, n);
            double gb = bytes * n / ns;
            return new BenchResult(n, dtype, backend.Name, backend.Threads, ns, gb, copyGbPerS, allocated, steps, Batches, bytes);
        }

        private static List<int> ParseSizes(CommandInput parsed)
        {
            var items = Experiment.Items(parsed.Values("--n"), "--n", Name);
            if (items.Count == 0) return DefaultSizes.ToList();
            var sizes = new List<int>();
            foreach (var item in items)
            {
                // Whole numbers, in plain or scientific notation (1e6), from 1 to MaxN.
                if (!double.TryParse(item, NumberStyles.AllowExponent | NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out double v)
                    || v != Math.Floor(v) || v < 1 || v > MaxN)
                    throw CliException.BadUsage("invalid value '" + item + "' for '--n'; expected a whole number from 1 to 1e9, such as 1000 or 1e6", Name);
                if (!sizes.Contains((int)v)) sizes.Add((int)v);   // a size given twice is timed once
            }
            return sizes;
        }

        private static List<BenchDtype> ParseDtypes(CommandInput parsed)
        {
            var items = Experiment.Items(parsed.Values("--dtype"), "--dtype", Name);
            if (items.Count == 0) return new List<BenchDtype> { BenchDtype.F32 };
            var dtypes = new List<BenchDtype>();
            foreach (var item in items)
            {
                var dtype = item switch
                {
                    "f32" => BenchDtype.F32,
                    "f64" => BenchDtype.F64,
                    _ => throw CliException.BadUsage("invalid value '" + item + "' for '--dtype'; expected f32 or f64", Name),
                };
                if (!dtypes.Contains(dtype)) dtypes.Add(dtype);
            }
            return dtypes;
        }

        internal static string DtypeName(BenchDtype dtype) => dtype == BenchDtype.F32 ? "f32" : "f64";

        /// <summary>Two lines saying what was measured, then a markdown table, one row per dtype and size.</summary>
        private static void WriteTable(IBenchBackend backend, IReadOnlyList<ParamSetting> settings, double copy, IReadOnlyList<BenchResult> results, TextWriter stdout)
        {
            stdout.WriteLine(backend.LawName + " (" + backend.LawFile + ") on " + backend.Name + ", " + Int(backend.Threads) + " thread" + (backend.Threads == 1 ? "" : "s")
                + (settings.Count > 0 ? ", settings " + string.Join(", ", settings.Select(s => s.Name + "=" + s.Text)) : "")
                + "; copy bandwidth " + Bandwidth(copy, "0.0") + " GB/s (read + write)");
            var traffic = backend.Traffic;
            bool uniform = traffic.AllOneRunTimeDim;
            string moved = uniform
                ? Int(traffic.BytesPerParam(ElementBytes(BenchDtype.F32))) + " B/param (f32) or " + Int(traffic.BytesPerParam(ElementBytes(BenchDtype.F64))) + " B/param (f64) per step, "
                  + Int(traffic.Passes) + (traffic.Passes == 1 ? " pass" : " passes") + " over the vectors reading " + Int(traffic.Reads) + " and writing " + Int(traffic.Writes) + " elements per parameter"
                  + (traffic.WideAccesses == 0 ? "" : " (" + Int(traffic.WideAccesses) + " of them float64 in either: vector params and signals)")
                : "the bytes per step over n (B/param below: 4 B an element in f32, 8 B in f64"
                  + (traffic.WideAccesses == 0 ? "" : "; vector params and signals 8 B in either") + "), "
                  + Int(traffic.Passes) + (traffic.Passes == 1 ? " pass" : " passes") + " over the vectors reading " + Int(traffic.Reads) + " and writing " + Int(traffic.Writes) + " vectors, each at its length (not all n long)";
            stdout.WriteLine("GB/s: " + moved
                + (traffic.ConditionalPasses == 0 ? "" : " (and " + Int(traffic.ConditionalPasses) + " more when " + (traffic.ConditionalPasses == 1 ? "its condition holds" : "their conditions hold") + ", not counted)") + ";"
                + " ratio: GB/s over copy GB/s;"
                + " time: median of " + Int(Batches) + " batches");
            stdout.WriteLine();
            var header = new[] { "n", "dtype", "ns/step", "GB/s", "copy GB/s", "ratio", "allocated B" };
            var rows = results.Select(r => new[]
            {
                Int(r.N), DtypeName(r.Dtype), F(r.NsPerStep, r.NsPerStep >= 100 ? "0" : "0.0"), Bandwidth(r.GbPerS, "0.00"), Bandwidth(r.CopyGbPerS, "0.0"), F(r.Ratio, "0.00"), Int(r.AllocatedBytes),
            }).ToList();
            if (!uniform)
            {
                // The bytes per parameter change with n when a vector is not n long: each row says its own.
                header = header.Take(3).Append("B/param").Concat(header.Skip(3)).ToArray();
                for (int i = 0; i < rows.Count; i++) rows[i] = rows[i].Take(3).Append(F(results[i].BytesPerParam, "0.###")).Concat(rows[i].Skip(3)).ToArray();
            }
            // At least 3 wide, so that a right-aligned column's separator is '--:' (markdown needs a dash besides the colon).
            var widths = header.Select((h, i) => Math.Max(3, Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))).ToArray();
            stdout.WriteLine(Row(header, widths, rightAlign: false));
            stdout.WriteLine("|" + string.Join("|", widths.Select((w, i) => i == 1 ? " " + new string('-', w) + " " : " " + new string('-', w - 1) + ": ")) + "|");
            foreach (var row in rows) stdout.WriteLine(Row(row, widths, rightAlign: true));
        }

        /// <summary>
        /// A bandwidth in <paramref name="format"/>, or to three significant digits where that would round it to 0 (a simulator's
        /// figures: the ratio beside them showed 0.19 of "0.00 over 0.0").
        /// </summary>
        private static string Bandwidth(double gbPerS, string format) =>
            gbPerS > 0 && gbPerS < 1 && F(gbPerS, format).Trim('0', '.').Length == 0 ? F(gbPerS, "G3").Replace('E', 'e') : F(gbPerS, format);

        private static string Row(IReadOnlyList<string> cells, int[] widths, bool rightAlign)
        {
            var sb = new StringBuilder("|");
            for (int i = 0; i < cells.Count; i++)
                sb.Append(' ').Append(rightAlign && i != 1 ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i])).Append(" |");
            return sb.ToString();
        }


        /// <summary>
        /// <c>{"law", "law_file", "backend", "threads", "settings": {..}, "copy_gb_per_s", "results": [{"n", "dtype",
        /// "backend", "threads", "ns_per_step", "gb_per_s", "copy_gb_per_s", "ratio", "allocated_bytes",
        /// "bytes_per_param", "steps_per_batch", "batches"}]}</c>.
        /// </summary>
        private static void WriteJson(IBenchBackend backend, IReadOnlyList<ParamSetting> settings, double copy, IReadOnlyList<BenchResult> results, TextWriter stdout)
        {
            Json.WriteIndented(stdout, json =>
            {
                json.WriteStartObject();
                json.WriteString("law", backend.LawName);
                json.WriteString("law_file", backend.LawFile);
                json.WriteString("backend", backend.Name);
                json.WriteNumber("threads", backend.Threads);
                json.WritePropertyName("settings");
                json.WriteRawValue(LawOptions.SettingsJson(settings));
                Json.Number(json, "copy_gb_per_s", copy);
                json.WriteStartArray("results");
                foreach (var r in results)
                {
                    json.WriteStartObject();
                    json.WriteNumber("n", r.N);
                    json.WriteString("dtype", DtypeName(r.Dtype));
                    json.WriteString("backend", r.Backend);
                    json.WriteNumber("threads", r.Threads);
                    Json.Number(json, "ns_per_step", r.NsPerStep);
                    Json.Number(json, "gb_per_s", r.GbPerS);
                    Json.Number(json, "copy_gb_per_s", r.CopyGbPerS);
                    Json.Number(json, "ratio", r.Ratio);
                    json.WriteNumber("allocated_bytes", r.AllocatedBytes);
                    json.WriteNumber("bytes_per_param", r.BytesPerParam);
                    json.WriteNumber("steps_per_batch", r.StepsPerBatch);
                    json.WriteNumber("batches", r.Batches);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }

        private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

        private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
    }
}
