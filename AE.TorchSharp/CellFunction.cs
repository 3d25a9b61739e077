using System;
using System.Collections.Generic;
using System.Numerics;
using AE.Runtime.Cells;
using TorchSharp;
using static TorchSharp.torch;

namespace AE.TorchSharp
{
    /// <summary>
    /// The custom autograd function of <see cref="CellModule{T}"/>. Its arguments: a <see cref="ICellCall"/> (the
    /// cell and its tensors' layout), then the input sequences, the initial states (null: the cell's initial value)
    /// and the parameters. Its results: the output sequences, then the final states.
    /// </summary>
    internal sealed class CellFunction : autograd.MultiTensorFunction<CellFunction>
    {
        const string CallKey = "cell";

        public override string Name => "AeCellFunction";

        public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var call = vars.Length > 0 ? vars[0] as ICellCall : null;
            if (call is null) throw new ArgumentException("the first argument of the cell function is the cell call");
            var tensors = new Tensor?[vars.Length - 1];
            for (int i = 1; i < vars.Length; i++) tensors[i - 1] = vars[i] as Tensor;
            ctx.save_data(CallKey, call);
            return call.Forward(tensors);
        }

        // TorchSharp runs this from libtorch's engine through a native callback, where an exception cannot reach the
        // caller of backward() (it ends the process): nothing here throws in use.
        public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
        {
            var call = (ICellCall)ctx.get_data(CallKey);
            var grads = call.Backward(grad_outputs);
            var result = new List<Tensor> { null! };
            result.AddRange(grads!);
            return result;
        }
    }

    /// <summary>One forward of a cell module: runs it, and runs its adjoint.</summary>
    internal interface ICellCall
    {
        /// <summary>The arguments (inputs, initial states or null, parameters) into the cell, the cell forward, the outputs and final states out.</summary>
        List<Tensor> Forward(Tensor?[] arguments);

        /// <summary>
        /// The incoming gradients into the cell's output and final-state gradients, the cell's adjoint, and the gradient of
        /// each argument (null where it needs none). When the cell ran another forward since (or a backward), this one is
        /// run again first, from the values it ran with.
        /// </summary>
        List<Tensor?> Backward(List<Tensor> gradOutputs);

        /// <summary>Keeps a copy of the values this call ran with (still in the cell's buffers), before another use overwrites them.</summary>
        void Keep();
    }

    /// <summary>A cell a module runs, and which forward its buffers hold now.</summary>
    internal sealed class CellBinding<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public CellBinding(ICell<T> cell, T[][] initialStates)
        {
            Cell = cell;
            InitialStates = initialStates;
            cell.Objective = null;
        }

        public ICell<T> Cell { get; }

        /// <summary>Per state, one sample's initial value (what a state not given starts from).</summary>
        public T[][] InitialStates { get; }

        /// <summary>The call whose arguments the cell's input, initial-state and parameter buffers hold (null: none that may run backward).</summary>
        public ICellCall? Current { get; set; }

        /// <summary>Whether the cell's frames and checkpoints are those of <see cref="Current"/>'s forward (not after a backward).</summary>
        public bool HaveForward { get; set; }

        /// <summary>Before the cell's buffers are overwritten: the call that holds them keeps a copy.</summary>
        public void Release(ICellCall? by = null)
        {
            if (Current is { } holder && !ReferenceEquals(holder, by)) holder.Keep();
            Current = null;
        }
    }

    /// <summary>
    /// One forward of a cell module. Its arguments are copied into the cell; when another call is about to overwrite
    /// them before this one's backward, this one first keeps a copy of the values it ran with (<see cref="Keep"/>), so
    /// its backward can run its forward again exactly, whatever happened to the argument tensors since.
    /// </summary>
    internal sealed class CellCall<T> : ICellCall where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly CellBinding<T> _binding;
        readonly CellTensor[] _parameters, _inputs, _outputs, _states;
        readonly bool _differentiable;
        bool[] _needsGrad = Array.Empty<bool>();
        T[][]? _kept;                            // the inputs, the initial states, then the parameter vector, as run

        /// <param name="differentiable">whether autograd records the call (grad enabled, an argument requiring grad): else no backward can come</param>
        public CellCall(CellBinding<T> binding, CellTensor[] parameters, CellTensor[] inputs, CellTensor[] outputs, CellTensor[] states, bool differentiable)
        {
            _binding = binding;
            _parameters = parameters;
            _inputs = inputs;
            _outputs = outputs;
            _states = states;
            _differentiable = differentiable;
        }

        ICell<T> Cell => _binding.Cell;

        public List<Tensor> Forward(Tensor?[] arguments)
        {
            _needsGrad = Array.ConvertAll(arguments, a => a is not null && a.requires_grad);
            lock (_binding)
            {
                Vacate();
                int at = 0;
                foreach (var i in _inputs) Write(arguments[at++]!, Cell.Input(i.Name));
                for (int s = 0; s < _states.Length; s++)
                {
                    var x0 = arguments[at++];
                    var target = Cell.InitialState(_states[s].Name);
                    if (x0 is not null) Write(x0, target);
                    else
                        for (int b = 0, n = _states[s].Size; b < Cell.Batch; b++) _binding.InitialStates[s].CopyTo(target.Slice(b * n, n));
                }
                foreach (var p in _parameters) Write(arguments[at++]!, Cell.Parameter(p.Name));
                RunForward();

                var results = new List<Tensor>(_outputs.Length + _states.Length);
                long[] lead = { Cell.Time, Cell.Batch };
                foreach (var o in _outputs) results.Add(Read(Cell.Output(o.Name), CellModule<T>.Shape(lead, o.Shape)));
                long[] batch = { Cell.Batch };
                foreach (var s in _states) results.Add(Read(Cell.FinalState(s.Name), CellModule<T>.Shape(batch, s.Shape)));
                return results;
            }
        }

        public List<Tensor?> Backward(List<Tensor> gradOutputs)
        {
            lock (_binding)
            {
                if (!ReferenceEquals(_binding.Current, this))
                {
                    // Another call's arguments are in the cell: this call's kept values go back in.
                    Vacate();
                    var kept = _kept!;
                    int at = 0;
                    foreach (var i in _inputs) kept[at++].CopyTo(Cell.Input(i.Name));
                    foreach (var s in _states) kept[at++].CopyTo(Cell.InitialState(s.Name));
                    kept[at].CopyTo(Cell.ParameterVector);
                    RunForward();
                }
                else if (!_binding.HaveForward) RunForward();
                for (int o = 0; o < _outputs.Length; o++) Write(gradOutputs[o], Cell.OutputGradient(_outputs[o].Name));
                for (int s = 0; s < _states.Length; s++) Write(gradOutputs[_outputs.Length + s], Cell.FinalStateGradient(_states[s].Name));
                Cell.ZeroGrad();
                Cell.Backward();
                _binding.HaveForward = false;

                var grads = new List<Tensor?>(_needsGrad.Length);
                long[] lead = { Cell.Time, Cell.Batch };
                int k = 0;
                foreach (var i in _inputs) grads.Add(_needsGrad[k++] ? Read(Cell.InputGradient(i.Name), CellModule<T>.Shape(lead, i.Shape)) : null);
                long[] batch = { Cell.Batch };
                foreach (var s in _states) grads.Add(_needsGrad[k++] ? Read(Cell.InitialStateGradient(s.Name), CellModule<T>.Shape(batch, s.Shape)) : null);
                foreach (var p in _parameters) grads.Add(_needsGrad[k++] ? Read(Cell.Gradient(p.Name), CellModule<T>.Shape(Array.Empty<long>(), p.Shape)) : null);
                return grads;
            }
        }

        void RunForward()
        {
            Cell.Forward();
            _binding.Current = _differentiable ? this : null;
            _binding.HaveForward = true;
        }

        /// <summary>Before this call overwrites the cell's arguments: the call that holds them keeps a copy (it may still run backward).</summary>
        void Vacate() => _binding.Release(this);

        /// <summary>A copy of the values this call ran with (still in the cell's buffers): its inputs, initial states and parameters.</summary>
        public void Keep()
        {
            if (_kept is not null) return;
            var kept = new List<T[]>();
            foreach (var i in _inputs) kept.Add(Cell.Input(i.Name).ToArray());
            foreach (var s in _states) kept.Add(Cell.InitialState(s.Name).ToArray());
            kept.Add(Cell.ParameterVector.ToArray());
            _kept = kept.ToArray();
        }

        /// <summary>A tensor's values into a cell buffer (row-major, as the cell lays it out); the caller checked the shape.</summary>
        static void Write(Tensor source, Span<T> target)
        {
            using var c = source.contiguous();
            var values = CellModule<T>.Elements(c);
            if (values.Length != target.Length)
                throw new ArgumentException($"a tensor of {values.Length} values for a cell buffer of {target.Length}");
            values.CopyTo(target);
        }

        /// <summary>A new tensor holding a cell buffer's values.</summary>
        static Tensor Read(ReadOnlySpan<T> source, long[] shape)
        {
            var t = CellModule<T>.NewTensor(shape);
            source.CopyTo(CellModule<T>.Elements(t));
            return t;
        }
    }
}
