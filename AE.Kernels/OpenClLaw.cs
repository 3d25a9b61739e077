using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using AE.Dsl.Emit;
using AE.Dsl.Emit.OpenCl;
using AE.Dsl.IR;
using AE.Kernels.OpenCl;
using AE.Runtime;

namespace AE.Kernels
{
    /// <summary>How an <see cref="OpenClLaw"/> is built.</summary>
    public sealed class OpenClLawOptions : DeviceLawOptions
    {
        /// <summary>Float or double vectors on the device (the Step overload of the same precision runs).</summary>
        public OpenClVectorType VectorType { get; set; } = OpenClVectorType.Double;

        /// <summary>The work-group size of the passes (a power of two); 0 chooses one for the device and the vector length.</summary>
        public int WorkGroupSize { get; set; }

        /// <summary>The context to run in; null uses one shared context on <see cref="OpenClPlatform.DefaultDevice"/>.</summary>
        public OpenClContext? Context { get; set; }
    }

    /// <summary>
    /// A law stepped on an OpenCL device: the OpenCL backend's program for the unit, its buffers, and
    /// the launches of one step. The host's part of a step is a few transfers (the scalar inputs and
    /// switches, the gradient and theta in; the readable scalars and theta out) and one launch per
    /// kernel; it allocates nothing. Instances are not thread-safe; several may share a context.
    /// </summary>
    public sealed class OpenClLaw : IOptimizerLaw, IDisposable
    {
        private static readonly Lazy<OpenClContext> DefaultContext = new(() => new OpenClContext(OpenClPlatform.DefaultDevice()));
        private static readonly ConcurrentDictionary<(OpenClContext, string), Lazy<OpenClProgram>> Programs = new();

        private readonly OpenClContext _context;
        private readonly OpenClCommandQueue _queue;
        private readonly OpenClBuffer _scalars;
        private readonly OpenClBuffer _partials;
        private readonly OpenClBuffer[] _vectorBuffers;
        private readonly OpenClKernel[] _kernels;
        private readonly long[] _globalSizes;
        private readonly long[] _localSizes;
        // The host's copy of the scalar buffer, pinned: non-blocking transfers read and write it while a step runs.
        private readonly double[] _host;
        private readonly int _gradBuffer = -1, _thetaBuffer = -1, _lossSlot = -1;
        private readonly int _dimension;
        // The buffers the kernels' gradient and theta arguments point at: the law's own, or a device-resident step's.
        private OpenClBuffer? _boundGrad, _boundTheta;
        private bool _readableStale;
        private bool _disposed;

        /// <summary>
        /// The build options of a law's program: no warnings, since the device's compiler (PoCL's clang) prints them to the
        /// process's stderr itself ("1 warning generated.") and a law's program is ae's own code, checked by its tests.
        /// </summary>
        private const string NoWarnings = "-w";

        public OpenClLaw(IrUnit unit, int n, OpenClLawOptions? options = null)
            : this(unit, new Dictionary<string, int> { [DeviceLaw.RuntimeDim(unit)] = n }, options) { }

        public OpenClLaw(IrUnit unit, IReadOnlyDictionary<string, int> dims, OpenClLawOptions? options = null)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            if (dims is null) throw new ArgumentNullException(nameof(dims));
            options ??= new OpenClLawOptions();
            DeviceLaw.CheckUnit(unit, dims, nameof(OpenClLaw));

            Program = OpenClEmitter.Emit(unit, new OpenClEmitOptions { VectorType = options.VectorType, Name = options.Name, Ablate = options.Ablate, Lagged = options.Lagged });
            var evaluator = new ConstantEvaluator(unit, dims, DeviceLaw.GivenParams(unit, options));
            _host = GC.AllocateArray<double>(Program.ScalarCount, pinned: true);
            DeviceLaw.InitialScalars(Program, unit, evaluator, _host);
            _dimension = dims[DeviceLaw.RuntimeDim(unit)];

            _context = options.Context ?? DefaultContext.Value;
            var program = Programs.GetOrAdd((_context, Program.Source), key => new Lazy<OpenClProgram>(() => key.Item1.BuildProgram(key.Item2, NoWarnings))).Value;
            _queue = _context.CreateQueue();
            var resources = new List<IDisposable> { _queue };
            try
            {
                _kernels = Program.Launches.Select(l => Track(program.CreateKernel(l.Kernel), resources)).ToArray();
                WorkGroupSize = ChooseWorkGroupSize(options.WorkGroupSize, evaluator);

                _scalars = Track(_context.CreateBuffer<double>(Program.ScalarCount), resources);
                _partials = Track(_context.CreateBuffer<double>(DeviceLaw.PartialsLength(Program, evaluator, WorkGroupSize)), resources);
                _vectorBuffers = new OpenClBuffer[Program.Vectors.Count];
                for (int v = 0; v < Program.Vectors.Count; v++)
                {
                    var vec = Program.Vectors[v];
                    long length = Math.Max(1, evaluator.Size(vec.Length));
                    _vectorBuffers[v] = Track(_context.CreateBuffer(length * vec.ElementSize,
                        vec.Role is OpenClVectorRole.Input or OpenClVectorRole.Param ? OpenClMemory.ReadOnly : OpenClMemory.ReadWrite), resources);
                    if (vec.Role == OpenClVectorRole.Input && vec.Name == unit.Inputs[1].Name) _gradBuffer = v;
                    if (vec.Role == OpenClVectorRole.HostState) _thetaBuffer = v;
                }
                _lossSlot = Program.Slot(OpenClSlotKind.Input, unit.Inputs[0].Name).Index;
                UploadInitialVectors(unit, evaluator);
                _queue.Write<double>(_scalars, _host);

                _globalSizes = new long[_kernels.Length];
                _localSizes = new long[_kernels.Length];
                for (int k = 0; k < _kernels.Length; k++)
                {
                    var launch = Program.Launches[k];
                    _localSizes[k] = launch.Kind == OpenClLaunchKind.Pass ? WorkGroupSize : 1;
                    _globalSizes[k] = launch.Kind == OpenClLaunchKind.Pass ? Groups(launch, evaluator) * WorkGroupSize : 1;
                    SetArguments(_kernels[k], dims, options.Seed);
                }
                _boundGrad = _vectorBuffers[_gradBuffer];
                _boundTheta = _vectorBuffers[_thetaBuffer];
            }
            catch
            {
                foreach (var r in resources) r.Dispose();
                throw;
            }
        }

        private static T Track<T>(T resource, List<IDisposable> resources) where T : IDisposable
        {
            resources.Add(resource);
            return resource;
        }

        /// <summary>The program this law runs: its source, layout and launch schedule.</summary>
        public OpenClLawProgram Program { get; }

        public OpenClDevice Device => _context.Device;

        /// <summary>The work-group size of the passes; the reductions' order (so their rounding) depends on it.</summary>
        public int WorkGroupSize { get; }

        public string LawName => Program.Name;

        public int Dimension => _dimension;

        public long StepCount { get; private set; }

        public IReadOnlyList<string> SignalNames => Program.SignalNames;

        public IReadOnlyList<string> RuleIds => Program.RuleIds;

        public double ReadSignal(int index) => Readable()[DeviceLaw.ReadableSlot(Program, index)];

        /// <summary>A signal, coefficient, scalar state or accumulator after the last step.</summary>
        public double ReadSignal(string name) => Readable()[DeviceLaw.ReadableSlot(Program, name)];

        /// <summary>The context this law's buffers live in: device-resident steps take buffers of it.</summary>
        public OpenClContext Context => _context;

        /// <summary>
        /// One step on device memory: <paramref name="grad"/> and <paramref name="theta"/> are buffers of <see cref="Context"/>
        /// holding <see cref="Dimension"/> elements of the law's precision (float or double, as it was built); theta is updated
        /// in place. No vector crosses the bus: the host writes its few slots (the loss and the rule switches) and enqueues
        /// the launches; the readable scalars are read back only when one is read.
        /// </summary>
        public unsafe void Step(double loss, OpenClBuffer grad, OpenClBuffer theta)
        {
            ThrowIfDisposed();
            CheckStepBuffer(grad, nameof(grad));
            CheckStepBuffer(theta, nameof(theta));
            Bind(grad, theta);
            _host[_lossSlot] = loss;
            fixed (double* host = _host)
            {
                // Blocking: the next step may change the host's slots before a non-blocking write had read them.
                _queue.WriteRaw(_scalars, 0, (long)Program.HostSlotCount * sizeof(double), host, blocking: true);
            }
            for (int k = 0; k < _kernels.Length; k++) _queue.Launch(_kernels[k], _globalSizes[k], _localSizes[k]);
            _readableStale = true;
            StepCount++;
        }

        /// <summary>
        /// A buffer a device-resident step may bind: live (a released buffer given to a kernel aborts the process in the
        /// driver, so this is checked at every step, also for the buffer bound before), of the law's element type when it
        /// was created with one (<c>CreateBuffer&lt;T&gt;</c>), and large enough for <see cref="Dimension"/> elements.
        /// </summary>
        private void CheckStepBuffer(OpenClBuffer buffer, string name)
        {
            if (buffer is null) throw new ArgumentNullException(name);
            if (buffer.IsDisposed) throw new ObjectDisposedException(name, $"'{name}' is a disposed OpenClBuffer; pass a live buffer of this law's context");
            var elementType = ElementType;
            if (buffer.ElementType is { } given && given != elementType)
                throw new ArgumentException($"'{name}' is a buffer of {given.Name}; this law steps {elementType.Name} vectors (OpenClLawOptions.VectorType)", name);
            long elementSize = Program.Vectors[_gradBuffer].ElementSize;
            long bytes = _dimension * elementSize;
            if (buffer.Bytes < bytes) throw new ArgumentException($"'{name}' holds {buffer.Bytes} bytes; this law steps {_dimension} elements of {elementSize} bytes", name);
        }

        /// <summary>The element type of the gradient and theta: float or double, as <see cref="OpenClLawOptions.VectorType"/> built it.</summary>
        private Type ElementType => Program.VectorType == OpenClVectorType.Float ? typeof(float) : typeof(double);

        /// <summary>Waits for the enqueued steps (device-resident steps return before they complete).</summary>
        public void Finish() => _queue.Finish();

        /// <summary>Points every kernel's gradient and theta arguments at these buffers (once per change of buffers).</summary>
        private void Bind(OpenClBuffer grad, OpenClBuffer theta)
        {
            if (!ReferenceEquals(grad, _boundGrad))
            {
                foreach (var kernel in _kernels) kernel.SetArgument(Program.Vectors[_gradBuffer].Argument, grad);
                _boundGrad = grad;
            }
            if (!ReferenceEquals(theta, _boundTheta))
            {
                foreach (var kernel in _kernels) kernel.SetArgument(Program.Vectors[_thetaBuffer].Argument, theta);
                _boundTheta = theta;
            }
        }

        /// <summary>The host's copy of the scalar buffer with the readable scalars of the last step.</summary>
        private unsafe double[] Readable()
        {
            ThrowIfDisposed();
            if (_readableStale)
            {
                fixed (double* host = _host)
                    _queue.ReadRaw(_scalars, (long)Program.ReadableStart * sizeof(double), (long)Program.SignalNames.Count * sizeof(double), host + Program.ReadableStart, blocking: true);
                _readableStale = false;
            }
            return _host;
        }

        /// <summary>Switches a rule on or off for the following steps.</summary>
        public void SetRule(string id, bool enabled)
        {
            ThrowIfDisposed();
            _host[DeviceLaw.RuleSlot(Program, id).Index] = enabled ? 1.0 : 0.0;
        }

        public void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta)
        {
            ThrowIfDisposed();
            if (Program.VectorType != OpenClVectorType.Double)
                throw new InvalidOperationException($"this {LawName} was built for float vectors; make another instance for double");
            CheckLengths(grad.Length, theta.Length);
            unsafe
            {
                fixed (double* g = grad)
                fixed (double* t = theta)
                    Run(loss, g, t, sizeof(double));
            }
        }

        public void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta)
        {
            ThrowIfDisposed();
            if (Program.VectorType != OpenClVectorType.Float)
                throw new InvalidOperationException($"this {LawName} was built for double vectors; make another instance for float");
            CheckLengths(grad.Length, theta.Length);
            unsafe
            {
                fixed (float* g = grad)
                fixed (float* t = theta)
                    Run(loss, g, t, sizeof(float));
            }
        }

        /// <summary>
        /// One step: everything is enqueued without waiting, and the last read blocks, so the step costs
        /// one round trip. <paramref name="grad"/> and <paramref name="theta"/> stay pinned by the caller until then.
        /// </summary>
        private unsafe void Run(double loss, void* grad, void* theta, int elementSize)
        {
            Bind(_vectorBuffers[_gradBuffer], _vectorBuffers[_thetaBuffer]);
            _host[_lossSlot] = loss;
            long bytes = (long)_dimension * elementSize;
            fixed (double* host = _host)
            {
                _queue.WriteRaw(_scalars, 0, (long)Program.HostSlotCount * sizeof(double), host, blocking: false);
                _queue.WriteRaw(_vectorBuffers[_gradBuffer], 0, bytes, grad, blocking: false);
                _queue.WriteRaw(_vectorBuffers[_thetaBuffer], 0, bytes, theta, blocking: false);
                for (int k = 0; k < _kernels.Length; k++) _queue.Launch(_kernels[k], _globalSizes[k], _localSizes[k]);
                long readable = (long)Program.ReadableStart * sizeof(double);
                _queue.ReadRaw(_scalars, readable, (long)Program.SignalNames.Count * sizeof(double), host + Program.ReadableStart, blocking: false);
                _queue.ReadRaw(_vectorBuffers[_thetaBuffer], 0, bytes, theta, blocking: true);
            }
            _readableStale = false;
            StepCount++;
        }

        /// <summary>A vector the law owns (state or signal) after the last step, as doubles.</summary>
        public void ReadVector(string name, Span<double> destination)
        {
            ThrowIfDisposed();
            int v = Program.Vectors.ToList().FindIndex(x => x.Name == name && x.Role is OpenClVectorRole.State or OpenClVectorRole.Signal);
            if (v < 0)
                throw new ArgumentException($"law {LawName} owns no vector '{name}'; valid: {string.Join(", ", Program.Vectors.Where(x => x.Role is OpenClVectorRole.State or OpenClVectorRole.Signal).Select(x => x.Name))}", nameof(name));
            var vec = Program.Vectors[v];
            long length = _vectorBuffers[v].Bytes / vec.ElementSize;
            if (destination.Length != length) throw new ArgumentException($"'{name}' has {length} elements, not {destination.Length}", nameof(destination));
            if (vec.IsFloat)
            {
                var floats = new float[length];
                _queue.Read<float>(_vectorBuffers[v], floats);
                for (int i = 0; i < floats.Length; i++) destination[i] = floats[i];
            }
            else _queue.Read(_vectorBuffers[v], destination);
        }

        private void CheckLengths(int grad, int theta) => DeviceLaw.CheckLengths(grad, theta, _dimension);

        private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

        // ------------------------------------------------------------ construction

        private void UploadInitialVectors(IrUnit unit, ConstantEvaluator evaluator)
        {
            for (int v = 0; v < Program.Vectors.Count; v++)
            {
                var vec = Program.Vectors[v];
                if (DeviceLaw.InitialVector(vec, unit, evaluator) is not { } values) continue;
                if (vec.IsFloat) _queue.Write<float>(_vectorBuffers[v], values.Select(x => (float)x).ToArray());
                else _queue.Write<double>(_vectorBuffers[v], values);
            }
        }

        private long Groups(OpenClLaunch launch, ConstantEvaluator evaluator) => DeviceLaw.Groups(launch, evaluator, WorkGroupSize);

        /// <summary>
        /// A power of two no larger than the device, every pass kernel and the local memory allow, nor
        /// than the longest vector needs; 256 at most, where a CPU device has stopped gaining.
        /// </summary>
        private int ChooseWorkGroupSize(int requested, ConstantEvaluator evaluator)
        {
            long limit = Math.Min(Device.MaxWorkGroupSize, Device.LocalMemorySize / (8L * Program.MaxAccumulators));
            for (int k = 0; k < _kernels.Length; k++)
                if (Program.Launches[k].Kind == OpenClLaunchKind.Pass) limit = Math.Min(limit, _kernels[k].MaxWorkGroupSize);
            return DeviceLaw.ChooseGroupSize(requested, limit, Program, evaluator, "work-group size", Device.Name);
        }

        private void SetArguments(OpenClKernel kernel, IReadOnlyDictionary<string, int> dims, ulong seed)
        {
            kernel.SetArgument(OpenClLawProgram.ScalarBufferArgument, _scalars);
            kernel.SetArgument(OpenClLawProgram.PartialsArgument, _partials);
            kernel.SetArgument(OpenClLawProgram.SeedArgument, seed);
            kernel.SetArgument(OpenClLawProgram.WorkGroupArgument, WorkGroupSize);
            for (int d = 0; d < Program.RuntimeDims.Count; d++) kernel.SetArgument(OpenClLawProgram.FirstDimArgument + d, (long)dims[Program.RuntimeDims[d]]);
            for (int v = 0; v < _vectorBuffers.Length; v++) kernel.SetArgument(Program.Vectors[v].Argument, _vectorBuffers[v]);
            kernel.SetLocalArgument(Program.ScratchArgument, (long)WorkGroupSize * Program.MaxAccumulators * sizeof(double));
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var k in _kernels) k.Dispose();
            foreach (var b in _vectorBuffers) b.Dispose();
            _partials.Dispose();
            _scalars.Dispose();
            _queue.Dispose();
        }
    }
}
