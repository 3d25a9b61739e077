using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.Emit.Kernels;
using AE.Dsl.Emit.OpenCl;
using AE.Dsl.IR;
using AE.Runtime;

namespace AE.Kernels
{
    /// <summary>What every device law (OpenClLaw, IlgpuLaw) is built with, beside its device's own settings.</summary>
    public abstract class DeviceLawOptions
    {
        /// <summary>Scalar params replacing their defaults (a bool is 0 or 1, an int a whole number).</summary>
        public IReadOnlyDictionary<string, double>? Params { get; set; }

        /// <summary>Vector params replacing their defaults.</summary>
        public IReadOnlyDictionary<string, double[]>? VectorParams { get; set; }

        /// <summary>Seed of the noise() draws: the C# law and the interpreter with this seed draw the same numbers.</summary>
        public ulong Seed { get; set; }

        /// <summary>Rules removed at compile time (a variant); <see cref="Name"/> names it.</summary>
        public IReadOnlyCollection<string> Ablate { get; set; } = Array.Empty<string>();

        /// <summary>A lagged variant: refused for now (the device backends run the current step's reductions only).</summary>
        public bool Lagged { get; set; }

        /// <summary>The law's name as the host reports it (a variant's name); the unit's when null.</summary>
        public string? Name { get; set; }
    }

    /// <summary>
    /// What every host of a device backend's program does the same way (OpenClLaw, AE.Ilgpu's IlgpuLaw): the
    /// checks of the unit and its dims, the params given, the scalar buffer and the vectors before the first
    /// step (as the C# law's constructor sets its fields), and the rule switches.
    /// </summary>
    internal static class DeviceLaw
    {
        /// <summary>The optimizer shape and a value of at least 1 for every run-time dim, or an ArgumentException naming <paramref name="host"/>.</summary>
        public static void CheckUnit(IrUnit unit, IReadOnlyDictionary<string, int> dims, string host)
        {
            if (!CSharpEmitter.IsOptimizerShape(unit))
                throw new ArgumentException($"'{unit.Name}' does not have the optimizer shape (input loss: real; input grad: real[n]; state theta: real[n]) that {host} steps", nameof(unit));
            try
            {
                DimValues.Resolve(unit, dims);
            }
            catch (DimValueException ex)
            {
                // The C# law's constructor throws this for the same dims, in the same words: the law does not run at that size.
                throw new DimOutOfRangeException(ex.Dim, ex.Value, ex.Text);
            }
        }

        public static string RuntimeDim(IrUnit unit) =>
            unit.Dims.FirstOrDefault(d => d.IsRuntime)?.Name ?? throw new ArgumentException($"'{unit.Name}' has no run-time dim", nameof(unit));

        /// <summary>The params given, by name, each checked against its declaration.</summary>
        public static Dictionary<string, double[]> GivenParams(IrUnit unit, DeviceLawOptions options)
        {
            IReadOnlyDictionary<string, double>? scalars = options.Params;
            IReadOnlyDictionary<string, double[]>? vectors = options.VectorParams;
            var given = new Dictionary<string, double[]>(StringComparer.Ordinal);
            string valid = unit.Params.Count == 0 ? "none" : string.Join(", ", unit.Params.Select(p => p.Name));
            foreach (var kv in scalars ?? new Dictionary<string, double>())
            {
                var p = unit.Params.FirstOrDefault(x => x.Name == kv.Key) ?? throw new ArgumentException($"'{kv.Key}' is not a param of {unit.Name}; its params: {valid}", "options");
                if (!p.Type.IsScalar) throw new ArgumentException($"param '{p.Name}' is a vector; give it in VectorParams", "options");
                double v = kv.Value;
                // Infinity passes Math.Floor(v) == v, but no int holds it.
                if (p.Type.Scalar == ScalarType.Int && (!double.IsFinite(v) || Math.Floor(v) != v))
                    throw new ArgumentException($"param '{p.Name}' is an int; {ParamOutOfRangeException.Number(v)} is not a whole number", "options");
                if (p.Type.Scalar == ScalarType.Bool) v = v != 0 ? 1 : 0;
                given[p.Name] = new[] { v };
            }
            foreach (var kv in vectors ?? new Dictionary<string, double[]>())
            {
                var p = unit.Params.FirstOrDefault(x => x.Name == kv.Key) ?? throw new ArgumentException($"'{kv.Key}' is not a param of {unit.Name}; its params: {valid}", "options");
                if (p.Type.IsScalar) throw new ArgumentException($"param '{p.Name}' is a scalar; give it in Params", "options");
                given[p.Name] = kv.Value ?? throw new ArgumentNullException("options", $"param '{p.Name}' is null");
            }
            return given;
        }

        /// <summary>Every slot's value before the first step, as the C# law's constructor sets its fields.</summary>
        public static void InitialScalars(KernelLawProgram program, IrUnit unit, ConstantEvaluator evaluator, double[] host)
        {
            CheckGiven(unit, evaluator);
            foreach (var slot in program.Slots)
            {
                host[slot.Index] = slot.Kind switch
                {
                    OpenClSlotKind.RuleSwitch => 1.0,
                    OpenClSlotKind.Param => evaluator.Param(slot.Name)[0],
                    OpenClSlotKind.State or OpenClSlotKind.Coefficient => unit.States.First(s => s.Name == slot.Name).Init is IrExpr init ? Scalar(evaluator.Eval(init), slot.Type) : 0.0,
                    OpenClSlotKind.Signal => unit.Signals.First(s => s.Name == slot.Name).Neutral is IrExpr neutral && IrFacts.IsConstant(neutral) ? Scalar(evaluator.Eval(neutral), slot.Type) : 0.0,
                    _ => 0.0,
                };
            }
        }

        /// <summary>Every check the C# law's constructor makes with the values it was given: each param's declared range, then <see cref="CheckValues"/>.</summary>
        public static void CheckGiven(IrUnit unit, ConstantEvaluator evaluator)
        {
            foreach (var p in unit.Params) evaluator.Param(p.Name); // ranges are checked in dependency order, as the C# constructor does
            CheckValues(unit, evaluator);
        }

        /// <summary>
        /// The checks the C# law's constructor makes again with the values it was given (<see cref="ValueChecks"/>, csharp-backend.md),
        /// in its order and words, as <see cref="ParamOutOfRangeException"/>s.
        /// </summary>
        public static void CheckValues(IrUnit unit, ConstantEvaluator evaluator)
        {
            if (ValueChecks.FirstFailure(unit, evaluator.Eval) is not { } failure) return;
            string interval = failure.HasInterval ? ParamOutOfRangeException.Interval(failure.Lo, failure.Hi, failure.LoOpen, failure.HiOpen) : "true";
            throw Refusal(unit, evaluator, failure.Reads, interval, failure.Value, failure.HasInterval ? failure.Message + interval : failure.Message);
        }

        /// <summary>
        /// What a failed check throws, as the C# law's constructor does: a param's error naming every name the check reads,
        /// or, when it reads only dims, the error of the run-time dim they come from, with its value.
        /// </summary>
        private static ArgumentException Refusal(IrUnit unit, ConstantEvaluator evaluator, IReadOnlyList<string> reads, string interval, double value, string message)
        {
            if (ValueChecks.RunTimeDimOf(unit, reads) is string dim)
                return new DimOutOfRangeException(dim, evaluator.Size(DimExpr.Symbol(dim)), message);
            return new ParamOutOfRangeException(string.Join(", ", reads), interval, value, message);
        }

        private static double Scalar(double[] value, ScalarType type) =>
            type == ScalarType.Bool ? (value[0] != 0 ? 1 : 0) : type == ScalarType.Int ? Math.Truncate(value[0]) : value[0];

        /// <summary>A vector's values before the first step: params, the law's own state, signals; null for the host's (gradient, theta).</summary>
        public static double[]? InitialVector(OpenClVectorBuffer vec, IrUnit unit, ConstantEvaluator evaluator)
        {
            int length = evaluator.Size(vec.Length);
            return vec.Role switch
            {
                OpenClVectorRole.Param => evaluator.Param(vec.Name),
                OpenClVectorRole.State => unit.States.First(s => s.Name == vec.Name).Init is IrExpr init ? ConstantEvaluator.Broadcast(evaluator.Eval(init), length) : new double[length],
                OpenClVectorRole.Signal => new double[length],
                _ => null,
            };
        }

        /// <summary>How many work-groups of <paramref name="groupSize"/> a launch needs (1 at least).</summary>
        public static long Groups(OpenClLaunch launch, ConstantEvaluator evaluator, int groupSize)
        {
            long longest = launch.Lengths.Select(evaluator.Size).DefaultIfEmpty(1).Max();
            return Math.Max(1, (longest + groupSize - 1) / groupSize);
        }

        /// <summary>How many reduction partials a step writes at most: the most groups any pass launches, times the accumulators a group keeps.</summary>
        public static long PartialsLength(KernelLawProgram program, ConstantEvaluator evaluator, int groupSize)
        {
            long groups = 1;
            foreach (var l in program.Launches.Where(l => l.Kind == OpenClLaunchKind.Pass)) groups = Math.Max(groups, Groups(l, evaluator, groupSize));
            return groups * program.MaxAccumulators;
        }

        /// <summary>The longest vector any pass runs over.</summary>
        public static long LongestPass(KernelLawProgram program, ConstantEvaluator evaluator) =>
            program.Launches.Where(l => l.Kind == OpenClLaunchKind.Pass).SelectMany(l => l.Lengths).Select(evaluator.Size).DefaultIfEmpty(1).Max();

        /// <summary>
        /// The group size of the passes: <paramref name="requested"/> when it is a power of two within <paramref name="limit"/>
        /// (what the device, its kernels and its local memory allow); for 0, the largest power of two within the limit,
        /// 256 (where a CPU device has stopped gaining) and the longest vector a pass runs over. A negative size is refused.
        /// </summary>
        /// <param name="what">the setting's name in a message ("group size", "work-group size")</param>
        public static int ChooseGroupSize(int requested, long limit, KernelLawProgram program, ConstantEvaluator evaluator, string what, string device)
        {
            if (requested < 0) throw new ArgumentOutOfRangeException("options", requested, $"the {what} must be a power of two, or 0 to choose one, not {requested}");
            if (requested > 0)
            {
                if ((requested & (requested - 1)) != 0) throw new ArgumentException($"the {what} must be a power of two, not {requested}", "options");
                if (requested > limit) throw new ArgumentException($"the {what} {requested} exceeds what {device} allows for this program ({limit})", "options");
                return requested;
            }
            long longest = LongestPass(program, evaluator);
            int size = 1;
            while (size * 2L <= Math.Min(256, limit) && size < longest) size *= 2;
            return size;
        }

        /// <summary>The C# law's ArgumentException when the gradient or theta is not <paramref name="dimension"/> long.</summary>
        public static void CheckLengths(long grad, long theta, int dimension)
        {
            if (grad != dimension) throw new ArgumentException($"'grad' has {grad} elements; this law was built for {dimension}", "grad");
            if (theta != dimension) throw new ArgumentException($"'theta' has {theta} elements; this law was built for {dimension}", "theta");
        }

        /// <summary>The slot of a rule's switch, or the C# law's ArgumentException.</summary>
        public static OpenClScalarSlot RuleSlot(KernelLawProgram program, string id)
        {
            if (id is null) throw new ArgumentNullException(nameof(id));
            // A loop, not a LINQ search: SetRule runs between steps and allocates nothing, as the C# law's does.
            var slots = program.Slots;
            for (int i = 0; i < slots.Count; i++)
                if (slots[i].Kind == OpenClSlotKind.RuleSwitch && slots[i].Name == id) return slots[i];
            throw new ArgumentException(program.RuleIds.Count == 0
                ? $"law {program.Name} has no rule '{id}' that can be switched off"
                : $"law {program.Name} has no rule '{id}' that can be switched off; valid: {string.Join(", ", program.RuleIds)}", nameof(id));
        }

        /// <summary>The slot of a readable scalar by name, or the C# law's ArgumentException.</summary>
        public static int ReadableSlot(KernelLawProgram program, string name)
        {
            if (name is null) throw new ArgumentNullException(nameof(name));
            int index = -1;
            for (int i = 0; i < program.SignalNames.Count && index < 0; i++) if (program.SignalNames[i] == name) index = i;
            return index >= 0 ? program.ReadableStart + index : throw new ArgumentException($"law {program.Name} has no readable scalar '{name}'; valid: {string.Join(", ", program.SignalNames)}", nameof(name));
        }

        /// <summary>The slot of a readable scalar by its index in SignalNames, or the C# law's ArgumentOutOfRangeException.</summary>
        public static int ReadableSlot(KernelLawProgram program, int index) =>
            (uint)index < (uint)program.SignalNames.Count
                ? program.ReadableStart + index
                : throw new ArgumentOutOfRangeException(nameof(index), index, "no signal with this index; see SignalNames");
    }
}
