using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Runtime;

namespace AE.Experiments.Swarm
{
    /// <summary>A law's scalar coefficient as the swarm sees it: its name, whether it lives in log space, and its bounds where they are constants or params.</summary>
    public sealed record SwarmCoefficient(string Name, bool LogSpace, IrExpr? Lo, IrExpr? Hi);

    /// <summary>
    /// One controller's whole state in a generated population (<c>{Law}Population</c>): its lane of every
    /// per-controller field (params, coefficients, state vectors, signals, filter slots, rule switches), read and
    /// written by reflection, as <c>AE.Runtime</c>'s <c>LawState</c> reads a law. The generated population holds
    /// controller j of every quantity at flat index e · lanes + j of the field (lanes = the controller count rounded
    /// up to the SIMD block of <see cref="AeLanes.Lanes"/>; e = 0 for a scalar, the element for a vector), and a
    /// coefficient c in the field <c>__st_</c> + <see cref="Names.Stem"/>(c): what lets the swarm freeze a member
    /// whose round budget is spent, copy one member onto another and nudge coefficients, which the population's
    /// public surface does not offer. The population's step counter is shared by every controller and is not part
    /// of a lane.
    /// </summary>
    public sealed class PopulationLanes
    {
        private readonly IOptimizerPopulation _population;
        private readonly FieldInfo[] _fields;
        private readonly Dictionary<string, FieldInfo> _byName;
        private readonly int _lanes;

        public PopulationLanes(IOptimizerPopulation population, IrUnit unit)
        {
            _population = population ?? throw new ArgumentNullException(nameof(population));
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            _lanes = (population.Count + AeLanes.Lanes - 1) / AeLanes.Lanes * AeLanes.Lanes;
            var all = population.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            _byName = all.ToDictionary(f => f.Name, StringComparer.Ordinal);
            _fields = all.Where(f => f.FieldType.IsArray).OrderBy(f => f.Name, StringComparer.Ordinal).ToArray();
            foreach (var f in _fields)
            {
                var element = f.FieldType.GetElementType();
                if (element != typeof(Vector256<double>) && element != typeof(double) && element != typeof(long) && element != typeof(float))
                    throw new NotSupportedException(population.GetType().Name + "." + f.Name + ": a field of type " + f.FieldType.Name + " is not a lane the swarm can move");
            }
            Coefficients = unit.States.Where(s => s.Kind == SymbolKind.Coeff && s.Type.IsScalar)
                .Select(s => new SwarmCoefficient(s.Name, s.LogSpace, s.Bounds?.Lo, s.Bounds?.Hi)).ToList();
            foreach (var c in Coefficients) Field(StateField(c.Name));
        }

        /// <summary>The law's scalar coefficients, in declaration order.</summary>
        public IReadOnlyList<SwarmCoefficient> Coefficients { get; }

        /// <summary>The controllers.</summary>
        public int Count => _population.Count;

        /// <summary>The field that holds coefficient or state <paramref name="name"/>.</summary>
        public static string StateField(string name) => "__st_" + Names.Stem(name);

        private static string ParamField(string name) => "__p_" + Names.Stem(name);

        /// <summary>A copy of controller <paramref name="controller"/>'s lane of every field.</summary>
        public double[][] Save(int controller)
        {
            Check(controller);
            var saved = new double[_fields.Length][];
            for (int f = 0; f < _fields.Length; f++)
            {
                var array = (Array?)_fields[f].GetValue(_population);
                if (array is null) { saved[f] = Array.Empty<double>(); continue; }
                int elements = Elements(array, f);
                var lane = new double[elements];
                for (int e = 0; e < elements; e++) lane[e] = Get(array, e * _lanes + controller);
                saved[f] = lane;
            }
            return saved;
        }

        /// <summary>Writes a lane saved by <see cref="Save"/> (of this controller or another) into controller <paramref name="controller"/>.</summary>
        public void Restore(int controller, double[][] saved)
        {
            Check(controller);
            if (saved is null) throw new ArgumentNullException(nameof(saved));
            if (saved.Length != _fields.Length) throw new ArgumentException("a lane of " + saved.Length + " fields for a population of " + _fields.Length, nameof(saved));
            for (int f = 0; f < _fields.Length; f++)
            {
                var array = (Array?)_fields[f].GetValue(_population);
                if (array is null) continue;
                int elements = Elements(array, f);
                if (saved[f].Length != elements) throw new ArgumentException(_fields[f].Name + ": " + saved[f].Length + " saved values for " + elements, nameof(saved));
                for (int e = 0; e < elements; e++) Set(array, e * _lanes + controller, saved[f][e]);
            }
        }

        /// <summary>Controller <paramref name="from"/>'s whole state copied onto controller <paramref name="to"/>.</summary>
        public void Copy(int from, int to) => Restore(to, Save(from));

        /// <summary>Controller <paramref name="controller"/>'s value of coefficient <paramref name="name"/>.</summary>
        public double ReadCoefficient(int controller, string name)
        {
            Check(controller);
            return Get((Array)Field(StateField(name)).GetValue(_population)!, controller);
        }

        /// <summary>
        /// Sets controller <paramref name="controller"/>'s coefficient, projected onto its declared bounds where they
        /// are constants or params (a bound written as another expression is left to the population, which projects
        /// every coefficient at the end of each step); returns the value written.
        /// </summary>
        public double WriteCoefficient(int controller, SwarmCoefficient coefficient, double value)
        {
            if (coefficient is null) throw new ArgumentNullException(nameof(coefficient));
            Check(controller);
            if (Bound(coefficient.Lo, controller) is double lo && value < lo) value = lo;
            if (Bound(coefficient.Hi, controller) is double hi && value > hi) value = hi;
            Set((Array)Field(StateField(coefficient.Name)).GetValue(_population)!, controller, value);
            return value;
        }

        private double? Bound(IrExpr? bound, int controller) => bound switch
        {
            IrConst c => c.Value,
            IrRef { Kind: SymbolKind.Param } p when _byName.ContainsKey(ParamField(p.Name)) => Get((Array)_byName[ParamField(p.Name)].GetValue(_population)!, controller),
            _ => null,
        };

        private int Elements(Array array, int field)
        {
            int flat = array is Vector256<double>[] v ? v.Length * AeLanes.Lanes : array.Length;
            if (flat % _lanes != 0)
                throw new NotSupportedException(_population.GetType().Name + "." + _fields[field].Name + " holds " + flat + " values, not a whole number of lanes (" + _lanes + ")");
            return flat / _lanes;
        }

        private static double Get(Array array, int index) => array switch
        {
            Vector256<double>[] v => MemoryMarshal.Cast<Vector256<double>, double>(v.AsSpan())[index],
            double[] d => d[index],
            long[] l => BitConverter.Int64BitsToDouble(l[index]),
            float[] f => f[index],
            _ => throw new NotSupportedException(array.GetType().Name),
        };

        private static void Set(Array array, int index, double value)
        {
            switch (array)
            {
                case Vector256<double>[] v: MemoryMarshal.Cast<Vector256<double>, double>(v.AsSpan())[index] = value; break;
                case double[] d: d[index] = value; break;
                case long[] l: l[index] = BitConverter.DoubleToInt64Bits(value); break;
                case float[] f: f[index] = (float)value; break;
                default: throw new NotSupportedException(array.GetType().Name);
            }
        }

        private FieldInfo Field(string name) => _byName.TryGetValue(name, out var f) && f.FieldType == typeof(Vector256<double>[])
            ? f
            : throw new NotSupportedException(_population.GetType().Name + " has no lane field " + name + " (the population's layout is not the one this swarm knows)");

        private void Check(int controller)
        {
            if ((uint)controller >= (uint)_population.Count)
                throw new ArgumentOutOfRangeException(nameof(controller), controller, "controllers are numbered from 0 to " + (_population.Count - 1));
        }
    }
}
