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
            ctx.save_for_backward(new List<Tensor>(tensors!));
            return call.Forward(tensors);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
        {
            var call = (ICellCall)ctx.get_data(CallKey);
            var grads = call.Backward(ctx.get_saved_variables(), grad_outputs);
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
        /// each argument (null where it needs none). <paramref name="saved"/> are the forward's arguments: when the cell ran
        /// another forward since (or a backward), this one is run again from them first.
        /// </summary>
        List<Tensor?> Backward(List<Tensor> saved, List<Tensor> gradOutputs);
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

        /// <summary>The call whose forward the cell's buffers hold (its frames and checkpoints); null after a backward.</summary>
        public object? Current { get; set; }
    }

    internal sealed class CellCall<T> : ICellCall where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly CellBinding<T> _binding;
        readonly CellTensor[] _parameters, _inputs, _outputs, _states;
        bool[] _needsGrad = Array.Empty<bool>();

        public CellCall(CellBinding<T> binding, CellTensor[] parameters, CellTensor[] inputs, CellTensor[] outputs, CellTensor[] states)
        {
            _binding = binding;
            _parameters = parameters;
            _inputs = inputs;
            _outputs = outputs;
            _states = states;
        }

        ICell<T> Cell => _binding.Cell;

        public List<Tensor> Forward(Tensor?[] arguments)
        {
            _needsGrad = Array.ConvertAll(arguments, a => a is not null && a.requires_grad);
            lock (_binding)
            {
                Load(arguments);
                var results = new List<Tensor>(_outputs.Length + _states.Length);
                long[] lead = { Cell.Time, Cell.Batch };
                foreach (var o in _outputs) results.Add(Read(Cell.Output(o.Name), CellModule<T>.Shape(lead, o.Shape)));
                long[] batch = { Cell.Batch };
                foreach (var s in _states) results.Add(Read(Cell.FinalState(s.Name), CellModule<T>.Shape(batch, s.Shape)));
                return results;
            }
        }

        public List<Tensor?> Backward(List<Tensor> saved, List<Tensor> gradOutputs)
        {
            if (gradOutputs.Count != _outputs.Length + _states.Length)
                throw new InvalidOperationException($"{Cell.CellName}: {gradOutputs.Count} gradients for {_outputs.Length + _states.Length} results");
            lock (_binding)
            {
                if (!ReferenceEquals(_binding.Current, this))
                {
                    var arguments = new Tensor?[saved.Count];
                    for (int i = 0; i < saved.Count; i++) arguments[i] = saved[i] is { IsInvalid: false } t ? t : null;
                    Load(arguments);
                }
                for (int o = 0; o < _outputs.Length; o++) Write(gradOutputs[o], Cell.OutputGradient(_outputs[o].Name));
                for (int s = 0; s < _states.Length; s++) Write(gradOutputs[_outputs.Length + s], Cell.FinalStateGradient(_states[s].Name));
                Cell.ZeroGrad();
                Cell.Backward();
                _binding.Current = null;

                var grads = new List<Tensor?>(_needsGrad.Length);
                long[] lead = { Cell.Time, Cell.Batch };
                int at = 0;
                foreach (var i in _inputs) grads.Add(_needsGrad[at++] ? Read(Cell.InputGradient(i.Name), CellModule<T>.Shape(lead, i.Shape)) : null);
                long[] batch = { Cell.Batch };
                foreach (var s in _states) grads.Add(_needsGrad[at++] ? Read(Cell.InitialStateGradient(s.Name), CellModule<T>.Shape(batch, s.Shape)) : null);
                foreach (var p in _parameters) grads.Add(_needsGrad[at++] ? Read(Cell.Gradient(p.Name), CellModule<T>.Shape(Array.Empty<long>(), p.Shape)) : null);
                return grads;
            }
        }

        /// <summary>The arguments into the cell's buffers, and its forward.</summary>
        void Load(Tensor?[] arguments)
        {
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
            Cell.Forward();
            _binding.Current = this;
        }

        /// <summary>A tensor's values into a cell buffer (row-major, as the cell lays it out).</summary>
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
