using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AE.Runtime.Cells
{
    /// <summary>A per-sample value of a step's frame that the host reads or writes: an input, an output (signal).</summary>
    /// <param name="Offset">where the value starts in a frame, per sample (the frame holds Offset * batch onwards)</param>
    /// <param name="Scalar">the kind the cell declares</param>
    public sealed record CellSlot(string Name, int[] Shape, int Offset, CellScalar Scalar = CellScalar.Real)
    {
        public int Size { get; } = CellTensor.SizeOf(Shape);
    }

    /// <summary>A state: its value at the start of a step (<paramref name="Leaf"/>) and its value for the next step (<paramref name="Next"/>), as frame offsets.</summary>
    /// <param name="Scalar">the kind the cell declares</param>
    public sealed record CellStateSlot(string Name, int[] Shape, int Leaf, int Next, CellScalar Scalar = CellScalar.Real)
    {
        public int Size { get; } = CellTensor.SizeOf(Shape);
    }

    /// <summary>What a generated cell tells its host loop: its tensors and where its step keeps each value.</summary>
    /// <param name="FrameLength">the values of one step, per sample</param>
    /// <param name="Objectives">the outputs that are objectives (declared <c>objective</c>), in declaration order</param>
    public sealed record CellLayout(string Name, int FrameLength, CellTensor[] Parameters, CellSlot[] Inputs, CellStateSlot[] States, CellSlot[] Outputs, string[] Objectives);

    /// <summary>
    /// The host loop every generated cell shares: buffers by name, the sequence forward, and reverse mode
    /// through time with checkpoints. A generated cell supplies one step forward (<see cref="Step"/>) and
    /// its adjoint (<see cref="StepBackward"/>) over a frame that holds every value of the step for the
    /// whole batch, element-major and batch-minor (element i of sample b at (offset + i) * batch + b).
    /// <para>
    /// Checkpointing: <see cref="Forward"/> keeps the states at the start of every segment of
    /// <see cref="CheckpointEvery"/> steps and the frames of the last segment; <see cref="Backward"/> runs the
    /// segments from the last, recomputing each earlier segment's frames from its checkpoint, so memory is
    /// O(T/k + k) frames' worth and the forward work at most doubles. The segments are counted from the end (the
    /// first is the short one when k does not divide T), so the frames the forward leaves are a whole segment's and
    /// T - k steps are recomputed (T = 50, k = 8: 42, where segments from the start would recompute 48). Nothing is
    /// allocated after construction.
    /// </para>
    /// </summary>
    public abstract class CellBase<T> : CellMath<T>, ICell<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly CellLayout _layout;
        private readonly int _frame;             // FrameLength * Batch
        private readonly int _stateSize;         // all states' elements, per sample
        private readonly int[] _stateAt;         // where each state starts in the carried vectors, per sample
        private readonly T[] _theta, _grad;      // every parameter, in layout order, as one vector; and its gradient
        private readonly int[] _paramOffset;
        private readonly T[][] _inputs, _outputs, _outputGrads, _inputGrads;
        private readonly T[][] _initial, _final, _finalGrads, _initialGrads;
        private readonly T[] _frames;            // CheckpointEvery frames: the steps of one segment, from _framesAt
        private readonly T[] _adjoint;           // one frame of adjoints, from _adjointAt
        private readonly int _framesAt, _adjointAt;
        private readonly int _shift;             // steps the segments are moved so that the last is whole (see the class comment)
        private readonly T _objectiveShare;      // 1 / (Batch Time): each value's share of the loss
        private readonly T[] _checkpoints;       // the states at the start of each segment, [segment][state elements][batch]
        private readonly T[] _carry, _carryGrad; // the states between steps, [state elements][batch]
        private readonly Dictionary<string, int> _paramIndex = new(StringComparer.Ordinal), _inputIndex = new(StringComparer.Ordinal),
            _outputIndex = new(StringComparer.Ordinal), _stateIndex = new(StringComparer.Ordinal);
        private bool _haveOutputs;               // a Forward filled the outputs (Loss reads them)
        private bool _framesReady;               // the frames Backward reads are those of the last Forward
        private int _objective;                  // the output whose mean is the loss; -1: none

        protected CellBase(CellLayout layout, int batch, int time, int checkpointEvery)
        {
            if (layout is null) throw new ArgumentNullException(nameof(layout));
            if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "the batch must hold at least one sample");
            if (time < 1) throw new ArgumentOutOfRangeException(nameof(time), time, "the sequence must have at least one step");
            if (checkpointEvery < 0) throw new ArgumentOutOfRangeException(nameof(checkpointEvery), checkpointEvery, "0 (the default, about the square root of the time) or a number of steps");
            _layout = layout;
            Batch = batch;
            Time = time;
            CheckpointEvery = CheckpointInterval(time, checkpointEvery);
            _frame = checked(layout.FrameLength * batch);
            _shift = (CheckpointEvery - time % CheckpointEvery) % CheckpointEvery;
            _stateAt = new int[layout.States.Length];
            for (int s = 0; s < layout.States.Length; s++) { _stateAt[s] = _stateSize; _stateSize = checked(_stateSize + layout.States[s].Size); }

            _paramOffset = new int[layout.Parameters.Length];
            int total = 0;
            for (int k = 0; k < layout.Parameters.Length; k++) { _paramOffset[k] = total; total = checked(total + layout.Parameters[k].Size); }
            _theta = new T[total];
            _grad = new T[total];
            _inputs = Array.ConvertAll(layout.Inputs, i => new T[checked(time * batch * i.Size)]);
            _inputGrads = Array.ConvertAll(layout.Inputs, i => new T[checked(time * batch * i.Size)]);
            _outputs = Array.ConvertAll(layout.Outputs, o => new T[checked(time * batch * o.Size)]);
            _outputGrads = Array.ConvertAll(layout.Outputs, o => new T[checked(time * batch * o.Size)]);
            _initial = Array.ConvertAll(layout.States, s => new T[checked(batch * s.Size)]);
            _final = Array.ConvertAll(layout.States, s => new T[batch * s.Size]);
            _finalGrads = Array.ConvertAll(layout.States, s => new T[batch * s.Size]);
            _initialGrads = Array.ConvertAll(layout.States, s => new T[batch * s.Size]);
            _frames = Aligned(checked(CheckpointEvery * _frame), out _framesAt);
            _adjoint = Aligned(_frame, out _adjointAt);
            _objectiveShare = T.One / T.CreateTruncating((double)batch * time);
            int segments = (time + CheckpointEvery - 1) / CheckpointEvery;
            _checkpoints = new T[checked(segments * _stateSize * batch)];
            _carry = new T[_stateSize * batch];
            _carryGrad = new T[_stateSize * batch];

            Index(_paramIndex, layout.Parameters, p => p.Name);
            Index(_inputIndex, layout.Inputs, i => i.Name);
            Index(_outputIndex, layout.Outputs, o => o.Name);
            Index(_stateIndex, layout.States, s => s.Name);
            Parameters = layout.Parameters;
            Inputs = Array.ConvertAll(layout.Inputs, i => new CellTensor(i.Name, i.Shape, i.Scalar));
            Outputs = Array.ConvertAll(layout.Outputs, o => new CellTensor(o.Name, o.Shape, o.Scalar));
            States = Array.ConvertAll(layout.States, s => new CellTensor(s.Name, s.Shape, s.Scalar));
            Objectives = layout.Objectives;
            _objective = layout.Objectives.Length > 0 ? _outputIndex[layout.Objectives[0]] : -1;
        }

        /// <summary>Steps between stored states: <paramref name="checkpointEvery"/>, or about the square root of the time when 0; at most the time.</summary>
        private static int CheckpointInterval(int time, int checkpointEvery)
            => Math.Min(time, checkpointEvery > 0 ? checkpointEvery : Math.Max(1, (int)Math.Ceiling(Math.Sqrt(time))));

        /// <summary>What the constructor allocates for <paramref name="layout"/> at this size, before it runs (the arrays above, one by one).</summary>
        public static CellFootprint Footprint(CellLayout layout, int batch, int time, int checkpointEvery)
        {
            if (layout is null) throw new ArgumentNullException(nameof(layout));
            if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "the batch must hold at least one sample");
            if (time < 1) throw new ArgumentOutOfRangeException(nameof(time), time, "the sequence must have at least one step");
            double b = batch, t = time, every = CheckpointInterval(time, checkpointEvery);
            double parameters = CellFootprint.Sum(layout.Parameters, p => p.Size);
            double states = CellFootprint.Sum(layout.States, s => s.Size);
            double frame = (double)layout.FrameLength * b;
            double pad = 64 / Unsafe.SizeOf<T>();
            double segments = Math.Ceiling(t / every);
            double values = every * frame + pad + frame + pad  // _frames, _adjoint
                + segments * states * b                        // _checkpoints
                + 2 * states * b;                              // _carry, _carryGrad
            double longest = Math.Max(Math.Max(parameters, every * frame + pad), segments * states * b);
            return CellFootprint.NamedBuffers<T>(layout, b, t).Plus(new CellFootprint(values * Unsafe.SizeOf<T>(), longest));
        }

        private static void Index<TItem>(Dictionary<string, int> index, TItem[] items, Func<TItem, string> name)
        {
            for (int i = 0; i < items.Length; i++) index[name(items[i])] = i;
        }

        public string CellName => _layout.Name;
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
            get => _objective < 0 ? null : _layout.Outputs[_objective].Name;
            set
            {
                if (value is null) { _objective = -1; return; }
                if (Array.IndexOf(_layout.Objectives, value) < 0)
                    throw new ArgumentException($"{_layout.Name} has no objective '{value}'" + (_layout.Objectives.Length == 0 ? "" : "; it has " + string.Join(", ", _layout.Objectives)), nameof(value));
                _objective = _outputIndex[value];
            }
        }

        public double Loss
        {
            get
            {
                if (_objective < 0 || !_haveOutputs) return double.NaN;
                double sum = 0;
                foreach (var v in _outputs[_objective]) sum += double.CreateTruncating(v);
                return sum / _outputs[_objective].Length;
            }
        }

        public Span<T> Parameter(string name) => Slice(_theta, Find(_paramIndex, name, "parameter"));
        public Span<T> Gradient(string name) => Slice(_grad, Find(_paramIndex, name, "parameter"));
        public Span<T> ParameterVector => _theta;

        public void ProjectParameters() => CellRange.Project<T>(_layout.Parameters, _theta);
        public Span<T> GradientVector => _grad;

        private Span<T> Slice(T[] vector, int k) => vector.AsSpan(_paramOffset[k], _layout.Parameters[k].Size);
        public Span<T> Input(string name) => _inputs[Find(_inputIndex, name, "input")];
        public Span<T> InputGradient(string name) => _inputGrads[Find(_inputIndex, name, "input")];
        public Span<T> Output(string name) => _outputs[Find(_outputIndex, name, "output")];
        public Span<T> OutputGradient(string name) => _outputGrads[Find(_outputIndex, name, "output")];
        public Span<T> InitialState(string name) => _initial[Find(_stateIndex, name, "state")];
        public Span<T> FinalState(string name) => _final[Find(_stateIndex, name, "state")];
        public Span<T> FinalStateGradient(string name) => _finalGrads[Find(_stateIndex, name, "state")];
        public Span<T> InitialStateGradient(string name) => _initialGrads[Find(_stateIndex, name, "state")];

        private int Find(Dictionary<string, int> index, string name, string what) =>
            index.TryGetValue(name ?? throw new ArgumentNullException(nameof(name)), out int i) ? i
            : throw new ArgumentException($"{_layout.Name} has no {what} '{name}'; it has {string.Join(", ", index.Keys)}", nameof(name));

        /// <summary>A parameter's slice of the parameter (or gradient) vector.</summary>
        protected static Span<T> Part(T[] vector, int offset, int length) => vector.AsSpan(offset, length);

        /// <summary>Every parameter as one array (layout order, each at the offset the generated step was printed with).</summary>
        protected T[] ParameterStore => _theta;

        /// <summary>The gradient of <see cref="ParameterStore"/>.</summary>
        protected T[] GradientStore => _grad;

        /// <summary>A net's layer over the batch (<see cref="CellKernels{T}.Linear"/>).</summary>
        protected static void Linear(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, ReadOnlySpan<T> x, Span<T> y, int rows, int cols, int batch) =>
            CellKernels<T>.Linear(w, bias, x, y, rows, cols, batch);

        /// <summary>The adjoint of a net's layer (<see cref="CellKernels{T}.LinearBackward"/>).</summary>
        protected static void LinearBackward(ReadOnlySpan<T> w, ReadOnlySpan<T> x, ReadOnlySpan<T> gy, Span<T> gx, Span<T> gw, Span<T> gbias, int rows, int cols, int batch) =>
            CellKernels<T>.LinearBackward(w, x, gy, gx, gw, gbias, rows, cols, batch);

        /// <summary>One step forward for the batch: computes every value of <paramref name="frame"/> from its leaves (inputs and states, written by the host loop).</summary>
        protected abstract void Step(Span<T> frame, long step);

        /// <summary>
        /// The adjoint of <see cref="Step"/>: given the step's forward values and the adjoints seeded by the host loop (outputs,
        /// next states), adds every value's share to its operands' adjoints and to the parameter gradients, down to the leaves.
        /// </summary>
        protected abstract void StepBackward(ReadOnlySpan<T> frame, Span<T> adjoint, long step);

        public void ZeroGrad()
        {
            Array.Clear(_grad);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Forward()
        {
            for (int s = 0; s < _layout.States.Length; s++)
            {
                var st = _layout.States[s];
                ToElementMajor(_initial[s], Carried(_carry, s), st.Size);
            }
            for (int t = 0; t < Time; t++)
            {
                var frame = FrameOf(t);
                if (t == 0 || (t + _shift) % CheckpointEvery == 0) _carry.AsSpan().CopyTo(_checkpoints.AsSpan((t + _shift) / CheckpointEvery * _carry.Length));
                RunStep(frame, t);
                for (int o = 0; o < _layout.Outputs.Length; o++)
                {
                    var slot = _layout.Outputs[o];
                    ToSampleMajor(frame.Slice(slot.Offset * Batch, slot.Size * Batch), _outputs[o].AsSpan(t * Batch * slot.Size, Batch * slot.Size), slot.Size);
                }
            }
            for (int s = 0; s < _layout.States.Length; s++)
            {
                var st = _layout.States[s];
                ToSampleMajor(Carried(_carry, s), _final[s], st.Size);
            }
            _haveOutputs = _framesReady = true;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Backward()
        {
            if (!_framesReady) throw new InvalidOperationException($"{_layout.Name}: Backward needs a Forward first");
            for (int s = 0; s < _layout.States.Length; s++)
            {
                var st = _layout.States[s];
                ToElementMajor(_finalGrads[s], Carried(_carryGrad, s), st.Size);
            }
            int last = (Time - 1 + _shift) / CheckpointEvery;
            for (int seg = last; seg >= 0; seg--)
            {
                int start = Math.Max(0, seg * CheckpointEvery - _shift), end = Math.Min(Time, (seg + 1) * CheckpointEvery - _shift);
                if (seg != last)
                {
                    // Recompute the segment's frames from the states stored at its start.
                    _checkpoints.AsSpan(seg * _carry.Length, _carry.Length).CopyTo(_carry);
                    for (int t = start; t < end; t++) RunStep(FrameOf(t), t);
                }
                for (int t = end - 1; t >= start; t--) BackwardStep(FrameOf(t), t);
            }
            for (int s = 0; s < _layout.States.Length; s++)
            {
                var st = _layout.States[s];
                ToSampleMajor(Carried(_carryGrad, s), _initialGrads[s], st.Size);
            }
            // The frames of the last segment were overwritten by the recomputation: a second Backward needs a new Forward
            // (the outputs, and so Loss, are still the Forward's).
            _framesReady = last == 0;
        }

        /// <summary>State s's part of a carried vector (<c>_carry</c>, <c>_carryGrad</c>): its elements over the batch.</summary>
        private Span<T> Carried(T[] carried, int s) => carried.AsSpan(_stateAt[s] * Batch, _layout.States[s].Size * Batch);

        private Span<T> FrameOf(int t) => _frames.AsSpan(_framesAt + (t + _shift) % CheckpointEvery * _frame, _frame);

        /// <summary>
        /// A pinned array with room for <paramref name="length"/> elements from <paramref name="start"/>, where the address is a
        /// multiple of 64 bytes: the frames' rows are whole vectors of samples, and a 512-bit load or store that straddles two
        /// cache lines costs two (measured: AMELayer's forward and backward took 1.55 or 2.1 ms from one process to the next,
        /// as the frames happened to fall).
        /// </summary>
        private static T[] Aligned(int length, out int start)
        {
            var array = GC.AllocateArray<T>(checked(length + 64 / Unsafe.SizeOf<T>()), pinned: true);
            start = CellKernels<T>.ToCacheLine(ref MemoryMarshal.GetArrayDataReference(array));
            return array;
        }

        /// <summary>Writes the step's leaves (the carried states, the inputs at t), runs the step, and carries the next states.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunStep(Span<T> frame, int t)
        {
            for (int s = 0; s < _layout.States.Length; s++)
            {
                var st = _layout.States[s];
                Carried(_carry, s).CopyTo(frame.Slice(st.Leaf * Batch));
            }
            for (int i = 0; i < _layout.Inputs.Length; i++)
            {
                var slot = _layout.Inputs[i];
                ToElementMajor(_inputs[i].AsSpan(t * Batch * slot.Size, Batch * slot.Size), frame.Slice(slot.Offset * Batch, slot.Size * Batch), slot.Size);
            }
            Step(frame, t + 1);
            for (int s = 0; s < _layout.States.Length; s++)
            {
                var st = _layout.States[s];
                frame.Slice(st.Next * Batch, st.Size * Batch).CopyTo(Carried(_carry, s));
            }
        }

        /// <summary>Seeds the adjoints of step t (its outputs' gradients, the carried next-state adjoints), runs the adjoint, and carries the states' adjoints back.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void BackwardStep(ReadOnlySpan<T> frame, int t)
        {
            var a = _adjoint.AsSpan(_adjointAt, _frame);
            a.Clear();
            if (_objective >= 0)
            {
                // The loss is the objective's mean over the batch and the sequence: each value's share is 1 / (batch time).
                var slot = _layout.Outputs[_objective];
                a.Slice(slot.Offset * Batch, Batch).Fill(_objectiveShare);
            }
            for (int o = 0; o < _layout.Outputs.Length; o++)
            {
                var slot = _layout.Outputs[o];
                var given = _outputGrads[o].AsSpan(t * Batch * slot.Size, Batch * slot.Size);
                // Most outputs carry no gradient of their own (the objective's share is seeded above): a vector scan for a
                // value other than zero costs less than the transposing add, and adding zeros would change nothing but the
                // sign of a zero adjoint.
                if (given.IndexOfAnyExcept(T.Zero) >= 0) AddElementMajor(given, a.Slice(slot.Offset * Batch, slot.Size * Batch), slot.Size);
            }
            for (int s = 0; s < _layout.States.Length; s++)
            {
                var st = _layout.States[s];
                var next = a.Slice(st.Next * Batch, st.Size * Batch);
                var carried = Carried(_carryGrad, s);
                CellKernels<T>.Axpy(T.One, carried, next);   // next += carried (1 x is x exactly)
            }
            StepBackward(frame, a, t + 1);
            for (int s = 0; s < _layout.States.Length; s++)
            {
                var st = _layout.States[s];
                a.Slice(st.Leaf * Batch, st.Size * Batch).CopyTo(Carried(_carryGrad, s));
            }
            for (int i = 0; i < _layout.Inputs.Length; i++)
            {
                var slot = _layout.Inputs[i];
                ToSampleMajor(a.Slice(slot.Offset * Batch, slot.Size * Batch), _inputGrads[i].AsSpan(t * Batch * slot.Size, Batch * slot.Size), slot.Size);
            }
        }

        /// <summary>[batch, n] to [n, batch].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ToElementMajor(ReadOnlySpan<T> sampleMajor, Span<T> elementMajor, int n)
        {
            if (sampleMajor.Length < n * Batch || elementMajor.Length < n * Batch) throw new ArgumentException("a span is shorter than the batch");
            ref T src = ref MemoryMarshal.GetReference(sampleMajor);
            ref T dst = ref MemoryMarshal.GetReference(elementMajor);
            for (int i = 0; i < n; i++)
                for (int b = 0; b < Batch; b++) Unsafe.Add(ref dst, i * Batch + b) = Unsafe.Add(ref src, b * n + i);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AddElementMajor(ReadOnlySpan<T> sampleMajor, Span<T> elementMajor, int n)
        {
            if (sampleMajor.Length < n * Batch || elementMajor.Length < n * Batch) throw new ArgumentException("a span is shorter than the batch");
            ref T src = ref MemoryMarshal.GetReference(sampleMajor);
            ref T dst = ref MemoryMarshal.GetReference(elementMajor);
            for (int i = 0; i < n; i++)
                for (int b = 0; b < Batch; b++) Unsafe.Add(ref dst, i * Batch + b) += Unsafe.Add(ref src, b * n + i);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ToSampleMajor(ReadOnlySpan<T> elementMajor, Span<T> sampleMajor, int n)
        {
            if (sampleMajor.Length < n * Batch || elementMajor.Length < n * Batch) throw new ArgumentException("a span is shorter than the batch");
            ref T src = ref MemoryMarshal.GetReference(elementMajor);
            ref T dst = ref MemoryMarshal.GetReference(sampleMajor);
            for (int b = 0; b < Batch; b++)
                for (int i = 0; i < n; i++) Unsafe.Add(ref dst, b * n + i) = Unsafe.Add(ref src, i * Batch + b);
        }
    }
}
