using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Runtime.Cells;

namespace AE.Experiments.Cells
{
    /// <summary>How a reference file lays out a sequence: batch then time, time then batch, or one sample over time.</summary>
    public enum SequenceLayout { BatchTime, TimeBatch, Time }

    /// <summary>The host's training loss for a cell that declares no objective, computed from the cell's outputs.</summary>
    public abstract record HostLoss
    {
        /// <summary>mean((output - target)^2) over every element of every sample and step (F.mse_loss).</summary>
        public sealed record MeanSquaredError(string Output, string Target) : HostLoss;

        /// <summary>DynamicsModelResidual's loss: mean over (t, b) of sum(g^2) - 0.1 * mean over (t, b) of entropy(N), entropy(N) = -sum(N log(N + 1e-9)).</summary>
        public sealed record SquaredGMinusEntropy(string G, string N) : HostLoss;
    }

    /// <summary>
    /// How the host runs a seed's cell on a reference file: the layout of its sequences, which reference
    /// input feeds which cell input, which gives which state's initial value, which output is which cell
    /// signal, and the loss.
    /// </summary>
    public sealed record CellHost(string SeedCell, SequenceLayout Layout, IReadOnlyDictionary<string, string> Inputs,
        IReadOnlyDictionary<string, string> InitialStates, IReadOnlyDictionary<string, string> Outputs, HostLoss Loss)
    {
        private static Dictionary<string, string> Map(params string[] pairs)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < pairs.Length; i += 2) d[pairs[i]] = pairs[i + 1];
            return d;
        }

        /// <summary>The seeds' cells of the golden files, by the first word of their <c>cell</c> field.</summary>
        public static IReadOnlyList<CellHost> Known { get; } = new[]
        {
            new CellHost("AMELayer", SequenceLayout.BatchTime, Map("x", "x", "eps", "eps", "target", "target"), Map(), Map("y", "y"),
                new HostLoss.MeanSquaredError("y", "target")),
            new CellHost("AMEDSynth", SequenceLayout.Time, Map("eps", "eps", "target", "target"), Map(), Map("y", "y"),
                new HostLoss.MeanSquaredError("y", "target")),
            new CellHost("DynamicsModelResidual", SequenceLayout.TimeBatch, Map("ys", "y_t", "rs", "r_t"), Map("N0", "N", "g0", "g"),
                Map("N", "N_t", "g", "g_t"), new HostLoss.SquaredGMinusEntropy("g", "N")),
        };

        public static CellHost For(CellReference reference)
        {
            string seed = reference.Cell.Split(' ')[0];
            return Known.FirstOrDefault(h => h.SeedCell == seed)
                ?? throw new CellReferenceException(reference.DisplayPath + ": no host for seed cell '" + seed + "'; known: " + string.Join(", ", Known.Select(h => h.SeedCell)));
        }
    }

    /// <summary>One compared quantity: its largest absolute and relative deviations, where they are, and how many values are out of tolerance.</summary>
    /// <param name="MaxAbsIndex">where <paramref name="MaxAbs"/> is, one index per dimension (empty for a number)</param>
    /// <param name="MaxRelIndex">where <paramref name="MaxRel"/> is</param>
    /// <param name="SmallFailures">of <paramref name="Failures"/>, those off by at most <see cref="CellGradientCheck.SmallTolerance"/> of
    /// the quantity's largest reference magnitude: what rounding, or a reference computed with another tanh or exp, can do</param>
    public sealed record Deviation(string Name, int Count, double MaxAbs, int[] MaxAbsIndex, double MaxRel, int[] MaxRelIndex, int Failures, int SmallFailures = 0)
    {
        public bool Pass => Failures == 0;

        /// <summary>Where <see cref="MaxAbs"/> is, as the text writes it: <c>[3, 0]</c>, empty for a number.</summary>
        public string MaxAbsAt => PositionText(MaxAbsIndex);

        /// <summary>Where <see cref="MaxRel"/> is, as the text writes it.</summary>
        public string MaxRelAt => PositionText(MaxRelIndex);

        private static string PositionText(int[] index) => index.Length == 0 ? "" : "[" + string.Join(", ", index) + "]";

        /// <summary>Out of tolerance, but every failing value only by a hair of the quantity's largest value.</summary>
        public bool FailsOnlyByAHair => Failures > 0 && SmallFailures == Failures;
    }

    /// <summary>The result of <see cref="CellGradientCheck.Run"/>: every quantity compared, and the cell's own values.</summary>
    public sealed record CellGradientReport(string Cell, string Reference, int Batch, int Time, double Loss, IReadOnlyList<Deviation> Quantities,
        IReadOnlyDictionary<string, double[]> Gradients)
    {
        public bool Pass => Quantities.All(q => q.Pass);
    }

    /// <summary>
    /// Runs a cell on a reference file in float64 with the reference adjoint (<see cref="AdjointInterpreter"/>):
    /// forward over the batch and the sequence, the host's loss, backward through time, then compares the
    /// outputs, the loss and the gradient of every net parameter (and of each real param the file lists) with the file's, value by value: a value
    /// agrees when within <see cref="RelativeTolerance"/> relative or <see cref="AbsoluteTolerance"/> absolute.
    /// </summary>
    /// <remarks>
    /// A value out of tolerance by at most <see cref="SmallTolerance"/> of its quantity's largest magnitude still fails, but is
    /// counted apart (<see cref="Deviation.SmallFailures"/>): a net whose tanh saturates turns the last-bit difference
    /// between PyTorch's tanh and libm's into relative errors of 1e-8 on small elements (5e-14 of the largest value seen on
    /// AMELayer with weights 3x its init), and an element whose terms nearly cancel carries their rounding. No bound on the
    /// quantity's scale tells those from a wrong gradient (an element of 1e-7 beside one of 1e6, off by 100%, is 6e-13 of
    /// it), so the verdict stays strict and says which kind of failure it is.
    /// </remarks>
    public static partial class CellGradientCheck
    {
        public const double RelativeTolerance = 1e-9;
        public const double AbsoluteTolerance = 1e-12;
        public const double SmallTolerance = 1e-12;

        /// <param name="compiled">
        /// makes the generated cell for a batch and a time (the C# backend); null runs the reference adjoint
        /// (<see cref="AdjointInterpreter"/>) instead
        /// </param>
        public static CellGradientReport Run(IrUnit unit, CellReference reference, Func<int, int, ICell<double>>? compiled = null)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            if (reference is null) throw new ArgumentNullException(nameof(reference));
            string file = reference.DisplayPath;
            var host = CellHost.For(reference);
            // The sequence's batch and time come from the host's first input, fed to the cell or not (a cell may take none).
            string sequenceInput = host.Inputs.Keys.First();
            // A reference input the cell does not declare (the target of a cell whose loss the host computes) is not fed to it.
            host = host with { Inputs = host.Inputs.Where(i => unit.Inputs.Any(x => x.Name == i.Value)).ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal) };

            Interpreter lengths;
            try { lengths = new Interpreter(unit); }
            catch (ArgumentException ex) { throw new CellReferenceException(file + ": the cell " + unit.Name + " cannot run on it: " + ex.Message, ex); }

            // ---- parameters: every net's weight and bias, and any of the real params (what ae train trains), with their shapes
            var nets = new Dictionary<string, int[]>(StringComparer.Ordinal);
            foreach (var net in unit.Nets)
                foreach (var l in net.Layers)
                {
                    if (!l.In.IsConstant || !l.Out.IsConstant) throw new CellReferenceException(file + ": net '" + net.Name + "' of " + unit.Name + " has a layer of symbolic shape");
                    nets[l.WeightName] = new[] { (int)l.Out.Constant, (int)l.In.Constant };
                    nets[l.BiasName] = new[] { (int)l.Out.Constant };
                }
            // Shaped as the generated cell's parameters (and a PyTorch module's): a scalar is a number, a vector [n].
            var reals = unit.Params.Where(p => p.Type.Scalar == ScalarType.Real)
                .ToDictionary(p => p.Name, p => p.Type.IsScalar ? Array.Empty<int>() : new[] { lengths.Get(p.Name).Length }, StringComparer.Ordinal);
            CheckNames(file, "params", reference.Params, nets, reals, unit);
            CheckNames(file, "grads", reference.Grads, nets, reals, unit);
            // A real param's gradient is compared where the file gives it, which needs the value it was taken at.
            foreach (var name in reals.Keys)
                if (reference.Params.ContainsKey(name) != reference.Grads.ContainsKey(name))
                    throw new CellReferenceException($"{file}: the real param '{name}' of {unit.Name} is in '{(reference.Params.ContainsKey(name) ? "params" : "grads")}' but not in '{(reference.Params.ContainsKey(name) ? "grads" : "params")}'; "
                        + "list it in both (its value and its gradient) or in neither (its declared value is used, or the one given at the top level)");
            var weights = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var p in reference.Params.Where(p => nets.ContainsKey(p.Key))) weights[p.Key] = p.Value.Values;

            // ---- the cell's own params: real ones listed in 'params', any given at the top level (alpha): overrides
            var overrides = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var p in unit.Params)
            {
                bool listed = reference.Params.TryGetValue(p.Name, out var value);
                // A bool param takes true or false (or 1 or 0, as a safetensors file holds it).
                if (p.Type.Scalar == ScalarType.Bool && reference.Booleans.TryGetValue(p.Name, out bool flag))
                {
                    if (lengths.Get(p.Name).Length != 1) throw new CellReferenceException($"{file}: '{p.Name}' is one boolean, the cell's param {p.Name} has shape [{lengths.Get(p.Name).Length}]");
                    overrides[p.Name] = new[] { flag ? 1.0 : 0.0 };
                    continue;
                }
                if (reference.NotNumbers.TryGetValue(p.Name, out var kind))
                    throw new CellReferenceException(p.Type.Scalar == ScalarType.Bool
                        ? $"{file}: '{p.Name}' holds {kind}; the cell's param {p.Name} is a bool: true or false (1 or 0)"
                        : $"{file}: '{p.Name}' holds {kind}; the cell's param {p.Name} takes a number or an array of numbers");
                if (reference.Extra.TryGetValue(p.Name, out var given))
                {
                    if (listed) throw new CellReferenceException($"{file}: the param {p.Name} of {unit.Name} is given twice, as 'params.{p.Name}' and at the top level; give it once");
                    int n = lengths.Get(p.Name).Length;
                    if (given.Values.Length != n) throw new CellReferenceException($"{file}: '{p.Name}' has shape {given.ShapeText}, the cell's param {p.Name} has shape [{n}]");
                    if (p.Type.Scalar == ScalarType.Int && given.Values.Any(v => v != Math.Floor(v) || double.IsInfinity(v)))
                        throw new CellReferenceException($"{file}: '{p.Name}' is an int param of {unit.Name}; its value must be a whole number");
                    if (p.Type.Scalar == ScalarType.Bool && given.Values.Any(v => v != 0 && v != 1))
                        throw new CellReferenceException($"{file}: '{p.Name}' is a bool param of {unit.Name}; its value must be true or false (1 or 0)");
                    overrides[p.Name] = given.Values;
                }
                else if (listed) overrides[p.Name] = value!.Values;
            }
            // A value outside a param's declared range breaks what the checker proved from it (log(k) with k in (0, 2]), as in a
            // weights file (ae train --init) and a law's --set.
            foreach (var p in unit.Params)
            {
                if (p.Range is not { } range || !overrides.TryGetValue(p.Name, out var values)) continue;
                double lo = lengths.EvaluateConstant(range.Lo)[0], hi = lengths.EvaluateConstant(range.Hi)[0];
                var declared = new AE.Runtime.Cells.CellRange(lo, hi, range.LoOpen, range.HiOpen);
                for (int i = 0; i < values.Length; i++)
                    if (!declared.Contains(values[i]))
                        throw new CellReferenceException($"{file}: '{p.Name}' holds {AE.Runtime.NumberText.Of(values[i])}{(values.Length > 1 ? " at index " + i : "")}, outside its declared range {declared}");
            }
            var compared = weights.Keys.Concat(reals.Keys.Where(reference.Grads.ContainsKey)).ToList();

            // ---- sequences: batch and time from the first bound input
            foreach (var i in unit.Inputs)
                if (!host.Inputs.Values.Contains(i.Name))
                    throw new CellReferenceException($"{file}: the cell's input '{i.Name}' is fed by no reference input ("
                        + (host.Inputs.Count == 0 ? "the host feeds this cell none" : "the host feeds " + string.Join(", ", host.Inputs.Values)) + ")");
            // The host's loss reads the file's target only for a cell that declares no objective of its own.
            string? hostTarget = unit.Signals.Any(s => s.IsObjective) ? null : TargetOf(host.Loss);
            foreach (var name in host.Inputs.Keys.Append(sequenceInput).Append(hostTarget).Where(n => n != null).Distinct())
                if (!reference.Inputs.ContainsKey(name!)) throw new CellReferenceException($"{file}: 'inputs.{name}' is missing");
            var first = reference.Inputs[sequenceInput];
            string firstField = "inputs." + sequenceInput;
            int batch, time;
            switch (host.Layout)
            {
                case SequenceLayout.BatchTime: Need(file, firstField, first, 2); batch = first.Shape[0]; time = first.Shape[1]; break;
                case SequenceLayout.TimeBatch: Need(file, firstField, first, 2); time = first.Shape[0]; batch = first.Shape[1]; break;
                default: Need(file, firstField, first, 1); time = first.Shape[0]; batch = 1; break;
            }
            if (batch < 1 || time < 1)
                throw new CellReferenceException($"{file}: '{firstField}' has shape {first.ShapeText}: an empty sequence (batch {batch}, time {time}); a reference needs at least one sample and one step");
            var lead = host.Layout switch { SequenceLayout.BatchTime => new[] { batch, time }, SequenceLayout.TimeBatch => new[] { time, batch }, _ => new[] { time } };
            var inputs = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var (refName, cellName) in host.Inputs)
            {
                int n = LengthOf(unit, cellName);
                CheckSequence(file, "inputs." + refName, reference.Inputs[refName], lead, n, "the cell's input " + cellName, firstField);
                CheckKind(file, "inputs." + refName, reference.Inputs[refName].Values, unit.Inputs.First(i => i.Name == cellName).Type.Scalar, "the cell's input " + cellName);
                inputs[refName] = reference.Inputs[refName].Values;
            }
            foreach (var (refName, state) in host.InitialStates)
            {
                if (!reference.Inputs.TryGetValue(refName, out var t)) throw new CellReferenceException($"{file}: 'inputs.{refName}' is missing");
                int n = lengths.Get(state).Length;
                var want = host.Layout == SequenceLayout.Time ? new[] { n } : new[] { batch, n };
                if (t.Values.Length != want.Aggregate(1, (a, b) => a * b) || t.Shape.Length == 0 || (host.Layout != SequenceLayout.Time && t.Shape[0] != batch))
                    throw new CellReferenceException($"{file}: 'inputs.{refName}' has shape {t.ShapeText}, the cell's state {state} needs [{string.Join(", ", want)}]");
            }
            foreach (var (refName, signal) in host.Outputs)
            {
                if (!reference.Outputs.TryGetValue(refName, out var t)) throw new CellReferenceException($"{file}: 'outputs.{refName}' is missing");
                CheckSequence(file, "outputs." + refName, t, lead, LengthOf(unit, signal), "the cell's signal " + signal, firstField);
            }

            var run = new SequenceRun(host, reference, unit, batch, time, inputs, weights, overrides, lengths);
            var (loss, outputs, gradients) = compiled is null ? run.Reference() : run.Compiled(compiled(batch, time));

            // ---- compare
            var quantities = new List<Deviation>();
            foreach (var (refName, _) in host.Outputs)
            {
                var t = reference.Outputs[refName];
                var mine = new double[t.Values.Length];
                int n = mine.Length / (batch * time);
                for (int b = 0; b < batch; b++)
                    for (int s = 0; s < time; s++)
                        Unslice(mine, outputs[refName][b * time + s], host.Layout, b, s, batch, time, n);
                quantities.Add(Compare("output " + refName, mine, t));
            }
            quantities.Add(Compare("loss", new[] { loss }, new Tensor(new[] { reference.Loss }, Array.Empty<int>())));
            foreach (var name in compared)
                quantities.Add(Compare("grad " + name, gradients[name], reference.Grads[name]));
            return new CellGradientReport(unit.Name, file, batch, time, loss, quantities, gradients);
        }

        private static string? TargetOf(HostLoss loss) => loss is HostLoss.MeanSquaredError m ? m.Target : null;

        /// <summary>The length of a cell input or signal; a cell fixes every dim.</summary>
        private static int LengthOf(IrUnit unit, string name)
        {
            var input = unit.Inputs.FirstOrDefault(i => i.Name == name);
            var signal = unit.Signals.FirstOrDefault(s => s.Name == name);
            var type = input?.Type ?? signal?.Type ?? throw new CellReferenceException("the cell " + unit.Name + " has no input or signal '" + name + "'");
            if (type.IsScalar) return 1;
            var d = type.Shape[0];
            if (!d.IsConstant) throw new CellReferenceException("the cell " + unit.Name + "'s '" + name + "' has the run-time length " + d + "; a cell checked against a reference fixes every dim");
            return (int)d.Constant;
        }

        /// <summary>
        /// Values fed to an int or bool input must be ones the cell can hold: a bool is 0 or 1 (the cell would read 0.5 as
        /// true), an int a whole number within ±2^53 (the cell would compute with 2.5 as it is).
        /// </summary>
        private static void CheckKind(string file, string field, double[] values, ScalarType kind, string what)
        {
            if (kind == ScalarType.Real) return;
            for (int i = 0; i < values.Length; i++)
            {
                double v = values[i];
                bool fits = kind == ScalarType.Bool ? v == 0 || v == 1 : Math.Floor(v) == v && Math.Abs(v) <= Scalar.MaxExactInt;
                if (fits) continue;
                string want = kind == ScalarType.Bool ? "bool, so its values must be 0 or 1" : "int, so its values must be whole numbers within ±2^53";
                throw new CellReferenceException($"{file}: '{field}' holds {AE.Runtime.NumberText.Of(v)} at element {i}; {what} is {want}");
            }
        }

        private static void Need(string file, string field, Tensor t, int rank)
        {
            if (t.Shape.Length < rank) throw new CellReferenceException($"{file}: '{field}' has shape {t.ShapeText}, expected at least {rank} dimension{(rank == 1 ? "" : "s")} (the sequence)");
        }

        /// <summary>A sequence of the batch and time read from <paramref name="leadField"/> (the first input), <paramref name="n"/> values a step; the message says where the batch and time came from.</summary>
        private static void CheckSequence(string file, string field, Tensor t, int[] lead, int n, string what, string leadField)
        {
            bool ok = t.Shape.Length >= lead.Length && lead.Select((d, i) => t.Shape[i] == d).All(x => x)
                && t.Shape.Skip(lead.Length).Aggregate(1, (a, b) => a * b) == n;
            if (!ok)
            {
                // One value a step may be written without its trailing 1, and the shorter form is what the user most likely wrote.
                string want = n == 1
                    ? "[" + string.Join(", ", lead) + "] (or [" + string.Join(", ", lead.Append(n)) + "])"
                    : "[" + string.Join(", ", lead.Append(n)) + "]";
                string source = field == leadField ? "" : " (the batch and time of '" + leadField + "')";
                throw new CellReferenceException($"{file}: '{field}' has shape {t.ShapeText}, {what} needs {want}{source}");
            }
        }

        /// <summary>
        /// Every net weight and bias must be in <paramref name="section"/>; a real param may be; anything else is refused with
        /// what the section takes (an int or bool param, which has no gradient, with where its value goes instead).
        /// </summary>
        private static void CheckNames(string file, string section, IReadOnlyDictionary<string, Tensor> given, Dictionary<string, int[]> nets,
            Dictionary<string, int[]> reals, IrUnit unit)
        {
            foreach (var name in nets.Keys)
                if (!given.ContainsKey(name)) throw new CellReferenceException($"{file}: parameter '{name}' of {unit.Name} is missing from '{section}'");
            foreach (var (name, t) in given)
            {
                if (!nets.TryGetValue(name, out var shape) && !reals.TryGetValue(name, out shape))
                {
                    if (unit.Params.FirstOrDefault(p => p.Name == name) is { } fixedParam)
                        throw new CellReferenceException($"{file}: '{section}.{name}' is the {(fixedParam.Type.Scalar == ScalarType.Int ? "int" : "bool")} param {name} of {unit.Name}, which has no gradient; "
                            + $"give its value at the top level of the file (\"{name}\": {(fixedParam.Type.IsScalar ? "a number" : "an array")})");
                    throw new CellReferenceException($"{file}: '{section}.{name}' is not a parameter of {unit.Name} (its parameters: "
                        + (nets.Count == 0 ? "no nets" : "the nets' " + string.Join(", ", nets.Keys))
                        + (reals.Count == 0 ? "; no real params" : (reals.Count == 1 ? "; the real param " : "; the real params ") + string.Join(", ", reals.Keys) + ", which may be listed or left out") + ")");
                }
                if (!t.Shape.SequenceEqual(shape))
                    throw new CellReferenceException($"{file}: '{section}.{name}' has shape {t.ShapeText}, the cell's is [{string.Join(", ", shape)}]{(shape.Length == 0 ? " (a number)" : "")}");
            }
        }

        private static int Offset(SequenceLayout layout, int b, int t, int batch, int time, int n) => layout switch
        {
            SequenceLayout.BatchTime => (b * time + t) * n,
            SequenceLayout.TimeBatch => (t * batch + b) * n,
            _ => t * n,
        };

        private static double[] Slice(double[] all, SequenceLayout layout, int b, int t, int batch, int time, int n)
        {
            var r = new double[n];
            Array.Copy(all, Offset(layout, b, t, batch, time, n), r, 0, n);
            return r;
        }

        private static void Unslice(double[] all, double[] value, SequenceLayout layout, int b, int t, int batch, int time, int n)
            => Array.Copy(value, 0, all, Offset(layout, b, t, batch, time, n), n);

        /// <summary>The host's loss of the outputs (per reference output, one array per sample and step, index b * time + t) and its gradient with respect to each.</summary>
        internal static (double Loss, Dictionary<string, double[][]> Gradients) LossAndGradients(CellHost host, CellReference reference,
            IReadOnlyDictionary<string, double[][]> outputs, int batch, int time)
        {
            var grads = outputs.ToDictionary(o => o.Key, o => o.Value.Select(v => new double[v.Length]).ToArray(), StringComparer.Ordinal);
            switch (host.Loss)
            {
                case HostLoss.MeanSquaredError mse:
                {
                    var ys = outputs[mse.Output];
                    var target = reference.Inputs[mse.Target];
                    int n = ys[0].Length;
                    if (target.Values.Length != batch * time * n)
                        throw new CellReferenceException($"{reference.DisplayPath}: 'inputs.{mse.Target}' has shape {target.ShapeText}, the output {mse.Output} has {batch * time * n} values");
                    int count = batch * time * n;
                    double sum = 0;
                    for (int b = 0; b < batch; b++)
                        for (int t = 0; t < time; t++)
                        {
                            int o = Offset(host.Layout, b, t, batch, time, n);
                            var y = ys[b * time + t];
                            var g = grads[mse.Output][b * time + t];
                            for (int i = 0; i < n; i++)
                            {
                                double d = y[i] - target.Values[o + i];
                                sum += d * d;
                                g[i] = 2 * d / count;
                            }
                        }
                    return (sum / count, grads);
                }
                case HostLoss.SquaredGMinusEntropy ge:
                {
                    var gs = outputs[ge.G];
                    var ns = outputs[ge.N];
                    int count = batch * time;
                    double sq = 0, entropy = 0;
                    for (int k = 0; k < count; k++)
                    {
                        for (int i = 0; i < gs[k].Length; i++)
                        {
                            double x = gs[k][i];
                            sq += x * x;
                            grads[ge.G][k][i] += 2 * x / count;
                        }
                        for (int i = 0; i < ns[k].Length; i++)
                        {
                            double x = ns[k][i];
                            entropy -= x * Math.Log(x + 1e-9);
                            // d(-0.1 * mean(-sum N log(N + 1e-9)))/dN = 0.1 (log(N + 1e-9) + N/(N + 1e-9)) / count
                            grads[ge.N][k][i] += 0.1 * (Math.Log(x + 1e-9) + x / (x + 1e-9)) / count;
                        }
                    }
                    return (sq / count - 0.1 * (entropy / count), grads);
                }
                default: throw new InvalidOperationException("unknown loss " + host.Loss);
            }
        }


        /// <summary>Compares <paramref name="mine"/> with the reference value by value.</summary>
        public static Deviation Compare(string name, double[] mine, Tensor reference)
        {
            double maxAbs = 0, maxRel = 0;
            int absAt = 0, relAt = 0, failures = 0;
            double small = SmallTolerance * ScaleOf(reference.Values);
            int smallFailures = 0;
            for (int i = 0; i < mine.Length; i++)
            {
                double r = reference.Values[i], d = Math.Abs(mine[i] - r);
                double rel = d == 0 ? 0 : r == 0 ? double.PositiveInfinity : d / Math.Abs(r);
                bool ok = d <= AbsoluteTolerance || d <= RelativeTolerance * Math.Abs(r);
                if (!ok) failures++;
                if (!ok && d <= small) smallFailures++;
                if (double.IsNaN(d)) { d = double.PositiveInfinity; rel = double.PositiveInfinity; }
                if (d > maxAbs) { maxAbs = d; absAt = i; }
                if (rel > maxRel) { maxRel = rel; relAt = i; }
            }
            return new Deviation(name, mine.Length, maxAbs, reference.Index(absAt), maxRel, reference.Index(relAt), failures, smallFailures);
        }

        /// <summary>A quantity's scale: its largest finite reference magnitude (0 where it has none).</summary>
        public static double ScaleOf(double[] reference)
        {
            double scale = 0;
            foreach (double r in reference)
                if (double.IsFinite(r)) scale = Math.Max(scale, Math.Abs(r));
            return scale;
        }
    }
}
