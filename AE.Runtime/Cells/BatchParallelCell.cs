using System;
using System.Collections.Generic;
using System.Numerics;
using AE.Runtime.Simd;

namespace AE.Runtime.Cells
{
    /// <summary>
    /// A cell whose batch is split into parts that run on several threads: one generated cell per part (samples are
    /// independent, so forward values are the one-cell values bit for bit), the parameters copied into each part before
    /// a forward, the parts' parameter gradients added in part order after a backward (so the result does not depend on
    /// which thread ran which part; it differs from one cell's in the order of the batch's sum). The objective's share
    /// of each value is 1 / (batch time) of the whole batch. Allocation-free after construction, as the parts are.
    /// </summary>
    public sealed class BatchParallelCell<T> : ICell<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ICell<T>[] _parts;
        private readonly int[] _first;         // the first sample of each part
        private readonly int _threads;
        private readonly T[] _theta, _grad;
        private readonly int[] _paramOffset;
        private readonly Dictionary<string, int> _paramIndex = new(StringComparer.Ordinal);
        private readonly Dictionary<string, T[]> _inputs = new(StringComparer.Ordinal), _inputGrads = new(StringComparer.Ordinal),
            _outputs = new(StringComparer.Ordinal), _outputGrads = new(StringComparer.Ordinal), _initial = new(StringComparer.Ordinal),
            _final = new(StringComparer.Ordinal), _finalGrads = new(StringComparer.Ordinal), _initialGrads = new(StringComparer.Ordinal);
        private readonly Job _job;
        // Arrays, not the interfaces' lists: a foreach over an IReadOnlyList allocates its enumerator.
        private readonly CellTensor[] _in, _out, _st;
        private string? _objective;
        private double _loss = double.NaN;

        /// <param name="make">a cell of the given number of samples (the same cell, time and checkpoint interval each time)</param>
        /// <param name="batch">samples in all</param>
        /// <param name="threads">threads, at most one per sample; the batch is split into that many parts</param>
        public BatchParallelCell(Func<int, ICell<T>> make, int batch, int threads)
        {
            if (make is null) throw new ArgumentNullException(nameof(make));
            if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "the batch must hold at least one sample");
            if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");
            int parts = Math.Min(threads, batch);
            _threads = parts;
            _parts = new ICell<T>[parts];
            _first = new int[parts + 1];
            for (int k = 0; k < parts; k++)
            {
                _first[k] = batch * k / parts;
                _first[k + 1] = batch * (k + 1) / parts;
            }
            for (int k = 0; k < parts; k++)
            {
                _parts[k] = make(_first[k + 1] - _first[k]);
                if (_parts[k].Batch != _first[k + 1] - _first[k]) throw new ArgumentException("the factory made a cell of another batch size", nameof(make));
            }
            var p0 = _parts[0];
            Batch = batch;
            Time = p0.Time;
            CheckpointEvery = p0.CheckpointEvery;
            CellName = p0.CellName;
            Parameters = p0.Parameters;
            Inputs = p0.Inputs;
            Outputs = p0.Outputs;
            States = p0.States;
            Objectives = p0.Objectives;
            _objective = p0.Objective;
            _in = new CellTensor[Inputs.Count]; for (int k = 0; k < _in.Length; k++) _in[k] = Inputs[k];
            _out = new CellTensor[Outputs.Count]; for (int k = 0; k < _out.Length; k++) _out[k] = Outputs[k];
            _st = new CellTensor[States.Count]; for (int k = 0; k < _st.Length; k++) _st[k] = States[k];
            _theta = p0.ParameterVector.ToArray();
            _grad = new T[_theta.Length];
            _paramOffset = new int[Parameters.Count];
            for (int k = 0, at = 0; k < Parameters.Count; k++) { _paramIndex[Parameters[k].Name] = k; _paramOffset[k] = at; at += Parameters[k].Size; }
            foreach (var i in Inputs) { _inputs[i.Name] = new T[checked(Time * batch * i.Size)]; _inputGrads[i.Name] = new T[checked(Time * batch * i.Size)]; }
            foreach (var o in Outputs) { _outputs[o.Name] = new T[checked(Time * batch * o.Size)]; _outputGrads[o.Name] = new T[checked(Time * batch * o.Size)]; }
            foreach (var s in States)
            {
                _initial[s.Name] = new T[checked(batch * s.Size)];
                _final[s.Name] = new T[checked(batch * s.Size)];
                _finalGrads[s.Name] = new T[checked(batch * s.Size)];
                _initialGrads[s.Name] = new T[checked(batch * s.Size)];
                // Every part starts from the declared initial value: the whole batch's is the parts' side by side.
                for (int k = 0; k < parts; k++) _parts[k].InitialState(s.Name).CopyTo(_initial[s.Name].AsSpan(_first[k] * s.Size));
            }
            foreach (var part in _parts) part.Objective = null; // the objective's share is seeded here, over the whole batch
            _job = new Job(this);
        }

        /// <summary>
        /// What the constructor allocates for cells of <paramref name="layout"/> (made with <paramref name="time"/> and
        /// <paramref name="checkpointEvery"/>): its parts' buffers and its own whole-batch ones.
        /// </summary>
        public static CellFootprint Footprint(CellLayout layout, int batch, int threads, int time, int checkpointEvery)
        {
            if (layout is null) throw new ArgumentNullException(nameof(layout));
            if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "the batch must hold at least one sample");
            if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");
            int parts = Math.Min(threads, batch);
            var footprint = new CellFootprint(0, 0);
            for (int k = 0; k < parts; k++)
                footprint = footprint.Plus(CellBase<T>.Footprint(layout, (int)((long)batch * (k + 1) / parts - (long)batch * k / parts), time, checkpointEvery));
            return footprint.Plus(CellFootprint.NamedBuffers<T>(layout, batch, time));
        }

        public string CellName { get; }
        public int Batch { get; }
        public int Time { get; }
        public int CheckpointEvery { get; }
        public IReadOnlyList<CellTensor> Parameters { get; }
        public IReadOnlyList<CellTensor> Inputs { get; }
        public IReadOnlyList<CellTensor> Outputs { get; }
        public IReadOnlyList<CellTensor> States { get; }
        public IReadOnlyList<string> Objectives { get; }

        public string? Objective
        {
            get => _objective;
            set
            {
                if (value != null && !Contains(Objectives, value))
                    throw new ArgumentException($"{CellName} has no objective '{value}'" + (Objectives.Count == 0 ? "" : "; it has " + string.Join(", ", Objectives)), nameof(value));
                _objective = value;
            }
        }

        public double Loss => _objective is null ? double.NaN : _loss;

        public Span<T> ParameterVector => _theta;
        public void ProjectParameters() => CellRange.Project<T>(Parameters, _theta);
        public Span<T> GradientVector => _grad;
        public Span<T> Parameter(string name) => Slice(_theta, Find(_paramIndex, name));
        public Span<T> Gradient(string name) => Slice(_grad, Find(_paramIndex, name));

        private Span<T> Slice(T[] vector, int k) => vector.AsSpan(_paramOffset[k], Parameters[k].Size);
        public Span<T> Input(string name) => Get(_inputs, name, "input");
        public Span<T> InputGradient(string name) => Get(_inputGrads, name, "input");
        public Span<T> Output(string name) => Get(_outputs, name, "output");
        public Span<T> OutputGradient(string name) => Get(_outputGrads, name, "output");
        public Span<T> InitialState(string name) => Get(_initial, name, "state");
        public Span<T> FinalState(string name) => Get(_final, name, "state");
        public Span<T> FinalStateGradient(string name) => Get(_finalGrads, name, "state");
        public Span<T> InitialStateGradient(string name) => Get(_initialGrads, name, "state");

        private static bool Contains(IReadOnlyList<string> names, string name)
        {
            foreach (var n in names) if (n == name) return true;
            return false;
        }

        private int Find(Dictionary<string, int> index, string name) =>
            index.TryGetValue(name ?? throw new ArgumentNullException(nameof(name)), out int k) ? k : throw new ArgumentException($"{CellName} has no parameter '{name}'", nameof(name));

        private T[] Get(Dictionary<string, T[]> buffers, string name, string what) =>
            buffers.TryGetValue(name ?? throw new ArgumentNullException(nameof(name)), out var b) ? b : throw new ArgumentException($"{CellName} has no {what} '{name}'", nameof(name));

        public void ZeroGrad() => Array.Clear(_grad);

        public void Forward()
        {
            for (int k = 0; k < _parts.Length; k++)
            {
                var part = _parts[k];
                _theta.AsSpan().CopyTo(part.ParameterVector);
                foreach (var i in _in) Scatter(_inputs[i.Name], part.Input(i.Name), k, i.Size, Time);
                foreach (var s in _st) Scatter(_initial[s.Name], part.InitialState(s.Name), k, s.Size, 1);
            }
            _job.Backward = false;
            AeWorkers.Run(_job, _parts.Length, _threads);
            double sum = 0;
            for (int k = 0; k < _parts.Length; k++)
            {
                var part = _parts[k];
                foreach (var o in _out) Gather(part.Output(o.Name), _outputs[o.Name], k, o.Size, Time);
                foreach (var s in _st) Gather(part.FinalState(s.Name), _final[s.Name], k, s.Size, 1);
            }
            if (_objective != null)
            {
                foreach (var v in _outputs[_objective]) sum += double.CreateTruncating(v);
                _loss = sum / _outputs[_objective].Length;
            }
        }

        public void Backward()
        {
            T share = T.One / T.CreateTruncating((double)Batch * Time);
            for (int k = 0; k < _parts.Length; k++)
            {
                var part = _parts[k];
                foreach (var o in _out)
                {
                    var g = part.OutputGradient(o.Name);
                    Scatter(_outputGrads[o.Name], g, k, o.Size, Time);
                    if (o.Name == _objective) for (int j = 0; j < g.Length; j++) g[j] += share;
                }
                foreach (var s in _st) Scatter(_finalGrads[s.Name], part.FinalStateGradient(s.Name), k, s.Size, 1);
            }
            _job.Backward = true;
            AeWorkers.Run(_job, _parts.Length, _threads);
            for (int k = 0; k < _parts.Length; k++)
            {
                var part = _parts[k];
                var g = part.GradientVector;
                CellKernels<T>.Axpy(T.One, g, _grad);   // _grad += g (1 x is x exactly)
                foreach (var i in _in) Gather(part.InputGradient(i.Name), _inputGrads[i.Name], k, i.Size, Time);
                foreach (var s in _st) Gather(part.InitialStateGradient(s.Name), _initialGrads[s.Name], k, s.Size, 1);
            }
        }

        /// <summary>Part k's samples of a [steps, batch, size] buffer into the part's [steps, part, size] buffer.</summary>
        private void Scatter(ReadOnlySpan<T> whole, Span<T> part, int k, int size, int steps)
        {
            int n = _first[k + 1] - _first[k];
            for (int t = 0; t < steps; t++)
                whole.Slice((t * Batch + _first[k]) * size, n * size).CopyTo(part.Slice(t * n * size, n * size));
        }

        private void Gather(ReadOnlySpan<T> part, Span<T> whole, int k, int size, int steps)
        {
            int n = _first[k + 1] - _first[k];
            for (int t = 0; t < steps; t++)
                part.Slice(t * n * size, n * size).CopyTo(whole.Slice((t * Batch + _first[k]) * size, n * size));
        }

        /// <summary>One part's forward or backward: a chunk of the workers' pass.</summary>
        private sealed class Job : IAeChunkJob
        {
            private readonly BatchParallelCell<T> _cell;
            public bool Backward;

            public Job(BatchParallelCell<T> cell) { _cell = cell; }

            public void RunChunk(int chunk)
            {
                var part = _cell._parts[chunk];
                if (!Backward) { part.Forward(); return; }
                part.ZeroGrad();
                part.Backward();
            }
        }
    }
}
