using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using AE.Runtime.Cells;
using AE.Runtime.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AE.TorchSharp
{
    /// <summary>
    /// A generated cell (<see cref="ICell{T}"/>) as a TorchSharp module: its forward runs the cell's generated
    /// forward over a whole sequence, and autograd's backward runs the cell's generated adjoint (reverse mode
    /// through time), through one custom autograd function. The cell's parameters are the module's, under
    /// PyTorch's names (<c>f_net.0.weight</c>, nested modules as <c>nn.Sequential</c> would make them), so
    /// <c>state_dict</c> moves between PyTorch, TorchSharp and <see cref="AE.Runtime.Cells.CellParameters"/>.
    /// <para>
    /// <c>forward</c> takes the inputs by name, each <c>[time, batch, ...]</c> (a scalar input <c>[time, batch]</c>),
    /// and optionally initial states by name, each <c>[batch, ...]</c> (a state not given starts from the cell's
    /// initial value at construction). It returns every output by name, <c>[time, batch, ...]</c>, and every
    /// state's final value by the state's name, <c>[batch, ...]</c>. All of them are differentiable: the cell's
    /// <see cref="ICell{T}.Objective"/> is switched off, so the loss is whatever the caller computes from them
    /// (an objective output such as <c>mse</c> is an output like the others: <c>outputs["mse"].mean()</c> is the
    /// cell's own loss).
    /// </para>
    /// </summary>
    /// <typeparam name="T">double (the module's tensors are float64) or float (float32)</typeparam>
    public sealed class CellModule<T> : nn.Module<IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly Func<int, int, ICell<T>>? _factory;
        readonly Dictionary<(int Batch, int Time), CellBinding<T>> _cells = new();
        readonly CellTensor[] _params, _inputs, _outputs, _states;
        readonly T[][] _initialStates;           // per state, one sample's initial value
        readonly HashSet<string> _argumentNames = new(StringComparer.Ordinal);

        /// <summary>A module over one cell instance: its batch and time are fixed.</summary>
        /// <param name="cell">the cell; its current parameter values become the module's</param>
        public CellModule(ICell<T> cell) : this(null, cell)
        {
        }

        /// <summary>A module over cells of any batch and time: one cell is made (and kept) per batch and time the forward sees.</summary>
        /// <param name="factory">(batch, time) to a new cell, e.g. <c>(b, t) => new AmeLayer&lt;double&gt;(b, t)</c>; a cell of batch 1 and time 1 gives the parameters' initial values</param>
        public CellModule(Func<int, int, ICell<T>> factory) : this(factory, Probe(factory))
        {
        }

        /// <param name="factory">null: the module keeps to <paramref name="probe"/>'s batch and time</param>
        CellModule(Func<int, int, ICell<T>>? factory, ICell<T> probe) : base(NameOf(probe))
        {
            _factory = factory;
            (_params, _inputs, _outputs, _states, _initialStates) = Describe(probe);
            _cells[(probe.Batch, probe.Time)] = new CellBinding<T>(probe, _initialStates);
            Register(probe);
        }

        /// <summary>The dtype of the module's tensors.</summary>
        public static ScalarType DType => typeof(T) == typeof(double) ? ScalarType.Float64
            : typeof(T) == typeof(float) ? ScalarType.Float32
            : throw new NotSupportedException("a cell module of " + typeof(T).Name + " (double and float are)");

        /// <summary>The cell's parameters (names and shapes), in the cell's order.</summary>
        public IReadOnlyList<CellTensor> CellParameters => _params;

        /// <summary>The cell's inputs: <c>forward</c> needs every one.</summary>
        public IReadOnlyList<CellTensor> Inputs => _inputs;

        /// <summary>The cell's outputs, which <c>forward</c> returns by name.</summary>
        public IReadOnlyList<CellTensor> Outputs => _outputs;

        /// <summary>The cell's states: <c>forward</c> takes their initial values (optional) and returns their final values by name.</summary>
        public IReadOnlyList<CellTensor> States => _states;

        /// <summary>
        /// The cell that runs sequences of <paramref name="batch"/> samples over <paramref name="time"/> steps (made by the
        /// factory when new), to read: its buffers are the module's working memory, which each forward and backward rewrite.
        /// </summary>
        public ICell<T> Cell(int batch, int time) => Binding(batch, time).Cell;

        /// <summary>Runs the sequence: the inputs (and any initial states) by name to the outputs and final states by name.</summary>
        /// <exception cref="ArgumentException">a missing or unknown name, a shape, dtype or device that does not fit the cell</exception>
        public override IReadOnlyDictionary<string, Tensor> forward(IReadOnlyDictionary<string, Tensor> input)
        {
            ArgumentNullException.ThrowIfNull(input);
            foreach (var name in input.Keys)
                if (!_argumentNames.Contains(name))
                    throw new ArgumentException($"{ModuleName}: '{name}' is neither an input nor a state of the cell (inputs: {List(_inputs)}; states: {List(_states)})", nameof(input));
            int time = -1, batch = -1;
            var args = new object?[1 + _inputs.Length + _states.Length + _params.Length];
            for (int i = 0; i < _inputs.Length; i++)
            {
                var spec = _inputs[i];
                if (!input.TryGetValue(spec.Name, out var x) || x is null)
                    throw new ArgumentException($"{ModuleName}: the input '{spec.Name}' is missing (inputs: {List(_inputs)})", nameof(input));
                if (x.dim() < 2) throw new ArgumentException($"{ModuleName}: the input '{spec.Name}' has shape {ShapeText(x.shape)}; an input is [time, batch{Tail(spec.Shape)}]", nameof(input));
                if (time < 0) { time = (int)x.shape[0]; batch = (int)x.shape[1]; }
                Check(x, "the input", spec, new long[] { time, batch });
                args[1 + i] = x;
            }
            if (time < 0)
            {
                if (_factory is not null) throw new ArgumentException($"{ModuleName}: the cell has no inputs, so the batch and time cannot be read from them; build the module over one cell instance", nameof(input));
                (batch, time) = _cells.Keys.Single();
            }
            for (int s = 0; s < _states.Length; s++)
                if (input.TryGetValue(_states[s].Name, out var x0) && x0 is not null)
                {
                    Check(x0, "the initial state", _states[s], new long[] { batch });
                    args[1 + _inputs.Length + s] = x0;
                }
            for (int k = 0; k < _params.Length; k++)
            {
                args[1 + _inputs.Length + _states.Length + k] = Parameter(_params[k]);
            }
            var binding = Binding(batch, time);
            bool differentiable = is_grad_enabled() && args.Any(a => a is Tensor { requires_grad: true });
            args[0] = new CellCall<T>(binding, _params, _inputs, _outputs, _states, differentiable);
            var results = CellFunction.apply(args!);
            var named = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            for (int o = 0; o < _outputs.Length; o++) named[_outputs[o].Name] = results[o];
            for (int s = 0; s < _states.Length; s++) named[_states[s].Name] = results[_outputs.Length + s];
            return named;
        }

        /// <summary>
        /// Initialises every net layer as PyTorch's <c>nn.Linear</c> does: a weight <c>[out, in]</c> (a parameter named
        /// <c>....weight</c>) and the bias of the same layer uniform in ±1/√in. The cell's real params keep their values.
        /// (A new generated cell's nets are zeros, a poor start for training.)
        /// </summary>
        public void reset_parameters(Generator? generator = null)
        {
            using var _ = no_grad();
            foreach (var spec in _params)
            {
                if (!spec.Name.EndsWith(".weight", StringComparison.Ordinal) || spec.Shape.Length != 2) continue;
                double bound = 1.0 / Math.Sqrt(spec.Shape[1]);
                Parameter(spec).uniform_(-bound, bound, generator);
                string bias = spec.Name[..^".weight".Length] + ".bias";
                if (_params.Any(b => b.Name == bias)) Parameter(_params.First(b => b.Name == bias)).uniform_(-bound, bound, generator);
            }
        }

        /// <summary>
        /// Moves each real param with a declared range (<c>param k in (0, 1]</c>) back into it, each value to the nearest inside,
        /// as <c>ae train</c> does after every step: an optimizer's step can leave the range the checker relied on (<c>sqrt(1 - k)</c>),
        /// so call this after <c>optimizer.step()</c>. Weights and params without a range are left as they are.
        /// </summary>
        public void project_parameters()
        {
            using var _ = no_grad();
            foreach (var spec in _params)
                if (spec.Range is { } range)
                    foreach (ref var v in Elements(Parameter(spec))) v = range.Nearest(v);
        }

        /// <summary>
        /// Loads the parameters from a safetensors set (what PyTorch's <c>safetensors.torch.save_file(module.state_dict())</c>
        /// writes) by PyTorch's names, with <see cref="AE.Runtime.Cells.CellParameters"/>' checks: with <paramref name="strict"/>,
        /// a missing or extra name is an error; a shape that differs always is. The module's parameters change only when
        /// every check passed.
        /// </summary>
        /// <exception cref="CellParameterException">a name or a shape differs (the message names it and both shapes)</exception>
        public void load_safetensors(SafeTensorSet tensors, bool strict = true)
        {
            ArgumentNullException.ThrowIfNull(tensors);
            var cell = Scratch();
            ParametersInto(cell);
            AE.Runtime.Cells.CellParameters.Load(cell, tensors, strict);
            using var _ = no_grad();
            foreach (var spec in _params)
            {
                var p = Parameter(spec);
                using var values = NewTensor(Shape(Array.Empty<long>(), spec.Shape));
                cell.Parameter(spec.Name).CopyTo(Elements(values));
                p.copy_(values);
            }
        }

        /// <summary>Loads the parameters from a safetensors file (see <see cref="load_safetensors(SafeTensorSet, bool)"/>).</summary>
        /// <exception cref="SafeTensorsException">the file cannot be read or is malformed</exception>
        /// <exception cref="CellParameterException">a name or a shape differs (the message starts with the path)</exception>
        public void load_safetensors(string path, bool strict = true) =>
            AE.Runtime.Cells.CellParameters.LoadFile(path, set => load_safetensors(set, strict));

        /// <summary>The parameters as a safetensors set by PyTorch's names, in the module's precision (F64 or F32).</summary>
        public SafeTensorSet to_safetensors()
        {
            var cell = Scratch();
            ParametersInto(cell);
            return AE.Runtime.Cells.CellParameters.ToTensors(cell);
        }

        /// <summary>Writes the parameters to a safetensors file (PyTorch's <c>safetensors.torch.load_file</c> reads it).</summary>
        public void save_safetensors(string path) => SafeTensors.Write(path, to_safetensors());

        /// <summary>A cell whose parameter buffer may be written now (a call that ran on it keeps its values first).</summary>
        ICell<T> Scratch()
        {
            var binding = _cells.Values.First();
            lock (binding) binding.Release();
            return binding.Cell;
        }

        void ParametersInto(ICell<T> cell)
        {
            foreach (var spec in _params)
            {
                var p = Parameter(spec);
                using var c = p.detach().contiguous();
                Elements(c).CopyTo(cell.Parameter(spec.Name));
            }
        }

        Parameter Parameter(CellTensor spec)
        {
            var p = get_parameter(spec.Name) ?? throw new InvalidOperationException($"{ModuleName}: the parameter '{spec.Name}' is no longer registered");
            Check(p, "the parameter", spec, Array.Empty<long>());
            return p;
        }

        /// <summary>The same as <c>forward</c>, with the inputs and initial states given as (name, tensor) pairs.</summary>
        public IReadOnlyDictionary<string, Tensor> call(params (string Name, Tensor Value)[] inputs) =>
            call(inputs.ToDictionary(i => i.Name, i => i.Value, StringComparer.Ordinal));

        protected override void RegisterComponents()
        {
            // The parameters are registered explicitly at construction (under nested modules, by PyTorch's names).
        }

        CellBinding<T> Binding(int batch, int time)
        {
            if (_cells.TryGetValue((batch, time), out var b)) return b;
            if (_factory is null)
            {
                var (b0, t0) = _cells.Keys.Single();
                throw new ArgumentException($"{ModuleName}: the module runs one cell of batch {b0} and time {t0}; the sequence has batch {batch} and time {time} (build the module from a factory for other sizes)");
            }
            if (batch < 1 || time < 1) throw new ArgumentException($"{ModuleName}: a sequence of batch {batch} and time {time}; both must be at least 1");
            var cell = _factory(batch, time) ?? throw new InvalidOperationException($"{ModuleName}: the cell factory returned null");
            if (cell.Batch != batch || cell.Time != time)
                throw new InvalidOperationException($"{ModuleName}: the cell factory was asked for batch {batch} and time {time} and made a cell of batch {cell.Batch} and time {cell.Time}");
            if (!SameTensors(cell.Parameters, _params) || !SameTensors(cell.Inputs, _inputs) || !SameTensors(cell.Outputs, _outputs) || !SameTensors(cell.States, _states))
                throw new InvalidOperationException($"{ModuleName}: the cell factory made a {cell.CellName} whose tensors differ from those of the first cell it made");
            b = new CellBinding<T>(cell, _initialStates);
            _cells[(batch, time)] = b;
            return b;
        }

        string ModuleName => GetName();

        void Register(ICell<T> cell)
        {
            var nodes = new Dictionary<string, nn.Module>(StringComparer.Ordinal);
            using var _ = no_grad();
            foreach (var spec in _params)
            {
                var data = NewTensor(Shape(Array.Empty<long>(), spec.Shape));
                cell.Parameter(spec.Name).CopyTo(Elements(data));
                var parameter = new Parameter(data, requires_grad: true);
                var parts = spec.Name.Split('.');
                if (parts.Any(string.IsNullOrEmpty)) throw new ArgumentException($"{cell.CellName}: the parameter name '{spec.Name}' has an empty part");
                nn.Module owner = this;
                string path = "";
                for (int i = 0; i < parts.Length - 1; i++)
                {
                    path = path.Length == 0 ? parts[i] : path + "." + parts[i];
                    if (!nodes.TryGetValue(path, out var node))
                    {
                        node = new ParameterNode(parts[i]);
                        owner.register_module(parts[i], node);
                        nodes[path] = node;
                    }
                    owner = node;
                }
                owner.register_parameter(parts[^1], parameter);
            }
            foreach (var t in _inputs.Concat(_states))
                if (!_argumentNames.Add(t.Name)) throw new ArgumentException($"{cell.CellName}: '{t.Name}' names both an input and a state");
        }

        static ICell<T> Probe(Func<int, int, ICell<T>> factory)
        {
            ArgumentNullException.ThrowIfNull(factory);
            return factory(1, 1) ?? throw new ArgumentException("the cell factory returned null", nameof(factory));
        }

        static string NameOf(ICell<T> cell) => (cell ?? throw new ArgumentNullException(nameof(cell))).CellName;

        static (CellTensor[], CellTensor[], CellTensor[], CellTensor[], T[][]) Describe(ICell<T> cell)
        {
            _ = DType;
            var states = cell.States.ToArray();
            var initial = states.Select(s => cell.InitialState(s.Name)[..s.Size].ToArray()).ToArray();
            return (cell.Parameters.ToArray(), cell.Inputs.ToArray(), cell.Outputs.ToArray(), states, initial);
        }

        static bool SameTensors(IReadOnlyList<CellTensor> a, CellTensor[] b) =>
            a.Count == b.Length && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Shape.SequenceEqual(p.Second.Shape));

        void Check(Tensor x, string what, CellTensor spec, long[] lead)
        {
            var want = Shape(lead, spec.Shape);
            if (!x.shape.SequenceEqual(want))
                throw new ArgumentException($"{ModuleName}: {what} '{spec.Name}' has shape {ShapeText(x.shape)}, the cell needs {ShapeText(want)}");
            if (x.dtype != DType)
                throw new ArgumentException($"{ModuleName}: {what} '{spec.Name}' is {x.dtype}; the cell runs {DType}");
            if (x.device_type != DeviceType.CPU)
                throw new ArgumentException($"{ModuleName}: {what} '{spec.Name}' is on {x.device}; the cell runs on the CPU");
        }

        static string List(CellTensor[] ts) => ts.Length == 0 ? "none" : string.Join(", ", ts.Select(t => t.Name));

        static string Tail(int[] shape) => string.Concat(shape.Select(d => ", " + d));

        internal static string ShapeText(long[] shape) => "[" + string.Join(", ", shape) + "]";

        internal static long[] Shape(long[] lead, int[] shape) => lead.Concat(shape.Select(d => (long)d)).ToArray();

        internal static Tensor NewTensor(long[] shape) => empty(shape, DType);

        /// <summary>A contiguous CPU tensor of the module's dtype as a span of its elements.</summary>
        internal static Span<T> Elements(Tensor t) => MemoryMarshal.Cast<byte, T>(t.bytes);

        /// <summary>An empty module that holds parameters (and other nodes) under one part of a dotted name.</summary>
        sealed class ParameterNode : nn.Module
        {
            public ParameterNode(string name) : base(name) { }
        }
    }
}
