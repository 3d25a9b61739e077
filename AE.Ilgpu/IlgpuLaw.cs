using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using AE.Dsl.Emit.Ilgpu;
using AE.Dsl.Emit.OpenCl;
using AE.Dsl.IR;
using AE.Experiments.Compilation;
using AE.Kernels;
using AE.Runtime;
using ILGPU;
using ILGPU.Runtime;

namespace AE.Ilgpu
{
    /// <summary>How an <see cref="IlgpuLaw"/> is built.</summary>
    public sealed class IlgpuLawOptions : DeviceLawOptions
    {
        /// <summary>Float vectors on the device (else double); the Step overloads of that precision run.</summary>
        public bool Float { get; set; }

        /// <summary>The group size of the passes (a power of two); 0 chooses one for the accelerator and the vector length.</summary>
        public int GroupSize { get; set; }

        /// <summary>The accelerator to run on; null uses <see cref="IlgpuDevices.Default"/>.</summary>
        public Accelerator? Accelerator { get; set; }
    }

    /// <summary>
    /// A law stepped by ILGPU: the ILGPU backend's kernels for the unit (compiled in memory, then by ILGPU for
    /// the accelerator), its buffers, and the launches of one step. Theta's optimizer state (the law's own
    /// vectors, every scalar, the filters) lives in device memory from construction on.
    /// <see cref="Step(double, ArrayView1D{double, Stride1D.Dense}, ArrayView1D{double, Stride1D.Dense})"/> takes the
    /// gradient and theta as device views: it enqueues one launch that writes the loss into the scalar buffer and
    /// then the step's kernels, copies nothing and waits for nothing; the readable scalars come back only when one
    /// is read. The span overloads (<see cref="IOptimizerLaw"/>) copy the gradient and theta in and theta out.
    /// Instances are not thread-safe, and laws that share an accelerator must not step from several threads at
    /// once: on ILGPU's CPU accelerator, laws stepped from parallel test threads gave numbers other than the
    /// interpreter's, which they give bit for bit when stepped one after another.
    /// </summary>
    public sealed class IlgpuLaw : IOptimizerLaw, IDisposable
    {
        private readonly Accelerator _accelerator;
        private readonly Runner<double>? _f64;
        private readonly Runner<float>? _f32;
        // The host's copy of the scalar buffer: its host region (inputs and switches) and, after a read, the readable scalars.
        private readonly double[] _host;
        private readonly int _lossSlot;
        private readonly int _dimension;
        private bool _switchesChanged;
        private bool _readableStale;
        private bool _disposed;

        public IlgpuLaw(IrUnit unit, int n, IlgpuLawOptions? options = null)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            options ??= new IlgpuLawOptions();
            var dims = new Dictionary<string, int> { [DeviceLaw.RuntimeDim(unit)] = n };
            DeviceLaw.CheckUnit(unit, dims, nameof(IlgpuLaw));
            Program = IlgpuEmitter.Emit(unit, new IlgpuEmitOptions { Float = options.Float, Name = options.Name, Ablate = options.Ablate, Lagged = options.Lagged });
            var evaluator = new ConstantEvaluator(unit, dims, DeviceLaw.GivenParams(unit, options));
            _host = new double[Program.ScalarCount];
            DeviceLaw.InitialScalars(Program, unit, evaluator, _host);
            _dimension = n;
            _lossSlot = Program.Slot(OpenClSlotKind.Input, unit.Inputs[0].Name).Index;

            var type = LawCompiler.Compile(Program.Source, Program.TypeName, new[] { typeof(ArrayView<>).Assembly });
            _accelerator = options.Accelerator ?? IlgpuDevices.Default;
            GroupSize = ChooseGroupSize(options.GroupSize, evaluator);
            if (Program.IsFloat) _f32 = new Runner<float>(this, type, unit, evaluator, options.Seed);
            else _f64 = new Runner<double>(this, type, unit, evaluator, options.Seed);
        }

        /// <summary>The kernels this law runs: their C# source, layout and launch schedule.</summary>
        public IlgpuLawProgram Program { get; }

        public Accelerator Accelerator => _accelerator;

        /// <summary>The group size of the passes; the reductions' order (so their rounding) depends on it.</summary>
        public int GroupSize { get; }

        public string LawName => Program.Name;

        public int Dimension => _dimension;

        public long StepCount { get; private set; }

        public IReadOnlyList<string> SignalNames => Program.SignalNames;

        public IReadOnlyList<string> RuleIds => Program.RuleIds;

        public double ReadSignal(int index) => Readable()[DeviceLaw.ReadableSlot(Program, index)];

        /// <summary>A signal, coefficient, scalar state or accumulator after the last step (waits for it, and copies the readable scalars back once per step).</summary>
        public double ReadSignal(string name) => Readable()[DeviceLaw.ReadableSlot(Program, name)];

        /// <summary>Switches a rule on or off for the following steps.</summary>
        public void SetRule(string id, bool enabled)
        {
            ThrowIfDisposed();
            _host[DeviceLaw.RuleSlot(Program, id).Index] = enabled ? 1.0 : 0.0;
            _switchesChanged = true;
        }

        /// <summary>
        /// One step on device memory: <paramref name="grad"/> and <paramref name="theta"/> are views of
        /// <see cref="Accelerator"/>'s memory with <see cref="Dimension"/> elements; theta is updated in place.
        /// Enqueued on the accelerator's default stream without waiting; nothing crosses the bus but the loss,
        /// as a kernel argument.
        /// </summary>
        public void Step(double loss, ArrayView1D<double, Stride1D.Dense> grad, ArrayView1D<double, Stride1D.Dense> theta)
        {
            ThrowIfDisposed();
            var runner = _f64 ?? throw new InvalidOperationException($"this {LawName} was built for float vectors; make another instance for double");
            CheckLengths(grad.Length, theta.Length);
            Run(loss, runner, grad, theta);
        }

        /// <inheritdoc cref="Step(double, ArrayView1D{double, Stride1D.Dense}, ArrayView1D{double, Stride1D.Dense})"/>
        public void Step(float loss, ArrayView1D<float, Stride1D.Dense> grad, ArrayView1D<float, Stride1D.Dense> theta)
        {
            ThrowIfDisposed();
            var runner = _f32 ?? throw new InvalidOperationException($"this {LawName} was built for double vectors; make another instance for float");
            CheckLengths(grad.Length, theta.Length);
            Run(loss, runner, grad, theta);
        }

        /// <summary>One step on host memory: the gradient and theta are copied to the device, stepped there, and theta copied back.</summary>
        public void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta)
        {
            // Before the runner: a disposed law's span step would allocate its copies on the accelerator first.
            ThrowIfDisposed();
            var runner = _f64 ?? throw new InvalidOperationException($"this {LawName} was built for float vectors; make another instance for double");
            CheckLengths(grad.Length, theta.Length);
            runner.StepHost(loss, grad, theta);
        }

        /// <inheritdoc cref="Step(double, ReadOnlySpan{double}, Span{double})"/>
        public void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta)
        {
            ThrowIfDisposed();
            var runner = _f32 ?? throw new InvalidOperationException($"this {LawName} was built for double vectors; make another instance for float");
            CheckLengths(grad.Length, theta.Length);
            runner.StepHost(loss, grad, theta);
        }

        private void Run<T>(double loss, Runner<T> runner, ArrayView<T> grad, ArrayView<T> theta) where T : unmanaged
        {
            if (_switchesChanged)
            {
                runner.UploadHostRegion(_host);
                _switchesChanged = false;
            }
            runner.Launch(_lossSlot, loss, grad, theta);
            _readableStale = true;
            StepCount++;
        }

        /// <summary>The host's copy of the scalar buffer with the readable scalars of the last step.</summary>
        private double[] Readable()
        {
            ThrowIfDisposed();
            if (_readableStale)
            {
                if (_f64 != null) _f64.DownloadReadable(_host);
                else _f32!.DownloadReadable(_host);
                _readableStale = false;
            }
            return _host;
        }

        /// <summary>A vector the law owns (state or signal) after the last step, as doubles.</summary>
        public void ReadVector(string name, Span<double> destination)
        {
            ThrowIfDisposed();
            var owned = Program.StateVectors.Concat(Program.ExtraVectors.Where(v => v.Role == OpenClVectorRole.Signal)).ToList();
            var vec = owned.FirstOrDefault(v => v.Name == name)
                ?? throw new ArgumentException($"law {LawName} owns no vector '{name}'; valid: {string.Join(", ", owned.Select(v => v.Name))}", nameof(name));
            if (_f64 != null) _f64.ReadVector(vec, destination);
            else _f32!.ReadVector(vec, destination);
        }

        private void CheckLengths(long grad, long theta) => DeviceLaw.CheckLengths(grad, theta, _dimension);

        private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

        /// <summary>A power of two no larger than the accelerator and its shared memory allow, nor than the longest vector needs; 256 at most.</summary>
        private int ChooseGroupSize(int requested, ConstantEvaluator evaluator) =>
            DeviceLaw.ChooseGroupSize(requested, Math.Min(_accelerator.MaxNumThreadsPerGroup, _accelerator.MaxSharedMemoryPerGroup / (8L * Program.MaxAccumulators)),
                Program, evaluator, "group size", _accelerator.Name);

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _f64?.Dispose();
            _f32?.Dispose();
        }

        /// <summary>The kernels and buffers of one precision: <typeparamref name="T"/> is the vectors' element type.</summary>
        private sealed class Runner<T> : IDisposable where T : unmanaged
        {
            private readonly IlgpuLaw _law;
            private readonly AcceleratorStream _stream;
            private readonly Action<AcceleratorStream, KernelConfig, ArrayView<double>, ArrayView<double>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<double>, ulong, int, long>[] _kernels;
            private readonly Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, double> _set;
            private readonly KernelConfig[] _configs;
            private readonly MemoryBuffer1D<double, Stride1D.Dense> _scalars, _partials, _extras;
            private readonly MemoryBuffer1D<T, Stride1D.Dense> _states;
            // The span steps' copies of the gradient and theta: allocated by the first span step, so a law stepped on device views holds none.
            private MemoryBuffer1D<T, Stride1D.Dense>? _grad, _theta;
            private readonly long[] _stateOffsets, _extraOffsets;
            private readonly ulong _seed;

            public Runner(IlgpuLaw law, Type kernels, IrUnit unit, ConstantEvaluator evaluator, ulong seed)
            {
                _law = law;
                var program = law.Program;
                var accelerator = law._accelerator;
                _stream = accelerator.DefaultStream;
                _seed = seed;
                int group = law.GroupSize;
                _kernels = program.Launches.Select(l => accelerator.LoadKernel<Action<AcceleratorStream, KernelConfig, ArrayView<double>, ArrayView<double>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<double>, ulong, int, long>>(Method(kernels, l.Kernel))).ToArray();
                _set = accelerator.LoadKernel<Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, double>>(Method(kernels, "ae_set"));
                // A pass with reductions gets its tree's scratch as dynamic shared memory (a kernel that asks for none may be given none).
                _configs = program.Launches.Select(l => l.Kind != OpenClLaunchKind.Pass ? new KernelConfig(1, 1)
                    : l.Accumulators > 0 ? new KernelConfig((int)DeviceLaw.Groups(l, evaluator, group), group, SharedMemoryConfig.RequestDynamic<double>(group * program.MaxAccumulators))
                    : new KernelConfig((int)DeviceLaw.Groups(l, evaluator, group), group)).ToArray();

                var resources = new List<IDisposable>();
                try
                {
                    _scalars = Track(accelerator.Allocate1D(law._host), resources);
                    _partials = Track(accelerator.Allocate1D<double>(DeviceLaw.PartialsLength(program, evaluator, group)), resources);
                    _stateOffsets = Offsets(program.StateVectors, evaluator);
                    _extraOffsets = Offsets(program.ExtraVectors, evaluator);
                    var states = new T[Math.Max(1, _stateOffsets[^1])];
                    for (int v = 0; v < program.StateVectors.Count; v++)
                    {
                        var values = DeviceLaw.InitialVector(program.StateVectors[v], unit, evaluator)!;
                        for (int i = 0; i < values.Length; i++) states[_stateOffsets[v] + i] = FromDouble(values[i]);
                    }
                    _states = Track(accelerator.Allocate1D(states), resources);
                    var extras = new double[Math.Max(1, _extraOffsets[^1])];
                    for (int v = 0; v < program.ExtraVectors.Count; v++)
                        DeviceLaw.InitialVector(program.ExtraVectors[v], unit, evaluator)!.CopyTo(extras, _extraOffsets[v]);
                    _extras = Track(accelerator.Allocate1D(extras), resources);
                }
                catch
                {
                    foreach (var r in resources) r.Dispose();
                    throw;
                }
            }

            private static MethodInfo Method(Type kernels, string name) =>
                kernels.GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException($"internal: the kernels class {kernels.FullName} has no kernel {name}");

            private static TBuffer Track<TBuffer>(TBuffer buffer, List<IDisposable> resources) where TBuffer : IDisposable
            {
                resources.Add(buffer);
                return buffer;
            }

            private static long[] Offsets(IReadOnlyList<OpenClVectorBuffer> vectors, ConstantEvaluator evaluator)
            {
                var offsets = new long[vectors.Count + 1];
                for (int v = 0; v < vectors.Count; v++) offsets[v + 1] = offsets[v] + evaluator.Size(vectors[v].Length);
                return offsets;
            }

            private static T FromDouble(double x) => typeof(T) == typeof(float) ? (T)(object)(float)x : (T)(object)x;

            public void Launch(int lossSlot, double loss, ArrayView<T> grad, ArrayView<T> theta)
            {
                _set(_stream, new KernelConfig(1, 1), _scalars.View, lossSlot, loss);
                long n = _law._dimension;
                for (int k = 0; k < _kernels.Length; k++)
                    _kernels[k](_stream, _configs[k], _scalars.View, _partials.View, grad, theta, _states.View, _extras.View, _seed, _law.GroupSize, n);
            }

            // ILGPU's copies from and to host memory take a raw address ("must be pinned"): every span is pinned until its
            // copy is done. Unpinned, a garbage collection that moved the array mid-copy made the step read (or write back)
            // the wrong memory: a replay in a busy process left the tolerance at a random step, once in a few runs.
            public unsafe void StepHost(double loss, ReadOnlySpan<T> grad, Span<T> theta)
            {
                _grad ??= _law._accelerator.Allocate1D<T>(_law._dimension);
                _theta ??= _law._accelerator.Allocate1D<T>(_law._dimension);
                fixed (T* g = grad)
                fixed (T* t = theta)
                {
                    _grad.View.BaseView.CopyFromCPU(_stream, ref *g, grad.Length);
                    _theta.View.BaseView.CopyFromCPU(_stream, ref *t, theta.Length);
                    _law.Run(loss, this, _grad.View, _theta.View);
                    _theta.View.BaseView.CopyToCPU(_stream, ref *t, theta.Length);
                    // A copy on a stream is ordered after the step's kernels, not finished when it returns: the caller reads theta next.
                    _stream.Synchronize();
                }
            }

            public unsafe void UploadHostRegion(double[] host)
            {
                fixed (double* h = host)
                {
                    _scalars.View.BaseView.SubView(0, _law.Program.HostSlotCount).CopyFromCPU(_stream, ref *h, _law.Program.HostSlotCount);
                    _stream.Synchronize();
                }
            }

            public unsafe void DownloadReadable(double[] host)
            {
                int start = _law.Program.ReadableStart, count = _law.Program.SignalNames.Count;
                fixed (double* h = host)
                {
                    if (count > 0) _scalars.View.BaseView.SubView(start, count).CopyToCPU(_stream, ref h[start], count);
                    _stream.Synchronize();
                }
            }

            public unsafe void ReadVector(OpenClVectorBuffer vec, Span<double> destination)
            {
                var program = _law.Program;
                int s = program.StateVectors.ToList().IndexOf(vec);
                long offset = s >= 0 ? _stateOffsets[s] : _extraOffsets[program.ExtraVectors.ToList().IndexOf(vec)];
                long length = (s >= 0 ? _stateOffsets[s + 1] : _extraOffsets[program.ExtraVectors.ToList().IndexOf(vec) + 1]) - offset;
                if (destination.Length != length) throw new ArgumentException($"'{vec.Name}' has {length} elements, not {destination.Length}", nameof(destination));
                if (s >= 0)
                {
                    var values = new T[length];
                    fixed (T* v = values)
                    {
                        _states.View.BaseView.SubView(offset, length).CopyToCPU(_stream, ref *v, length);
                        _stream.Synchronize();
                    }
                    for (int i = 0; i < values.Length; i++) destination[i] = values[i] is float f ? f : (double)(object)values[i];
                }
                else
                {
                    fixed (double* d = destination)
                    {
                        _extras.View.BaseView.SubView(offset, length).CopyToCPU(_stream, ref *d, length);
                        _stream.Synchronize();
                    }
                }
            }

            public void Dispose()
            {
                _theta?.Dispose();
                _grad?.Dispose();
                _extras.Dispose();
                _states.Dispose();
                _partials.Dispose();
                _scalars.Dispose();
            }
        }
    }
}
