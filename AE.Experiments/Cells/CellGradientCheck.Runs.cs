using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Runtime.Cells;

namespace AE.Experiments.Cells
{
    public static partial class CellGradientCheck
    {
        /// <summary>
        /// One reference file's sequence run forward and backward, by the reference adjoint or by a generated cell:
        /// the loss, each reference output per sample and step (index b * time + t), and each parameter's gradient.
        /// </summary>
        private sealed class SequenceRun
        {
            private readonly CellHost _host;
            private readonly CellReference _reference;
            private readonly IrUnit _unit;
            private readonly int _batch, _time;
            private readonly Dictionary<string, double[]> _inputs, _weights, _overrides;
            private readonly Interpreter _lengths;

            public SequenceRun(CellHost host, CellReference reference, IrUnit unit, int batch, int time, Dictionary<string, double[]> inputs,
                Dictionary<string, double[]> weights, Dictionary<string, double[]> overrides, Interpreter lengths)
            {
                _host = host;
                _reference = reference;
                _unit = unit;
                _batch = batch;
                _time = time;
                _inputs = inputs;
                _weights = weights;
                _overrides = overrides;
                _lengths = lengths;
                Objective = unit.Signals.FirstOrDefault(s => s.IsObjective)?.Name;
            }

            private int Length(string name) => _inputs[name].Length / (_batch * _time);

            /// <summary>The cell's own objective (the first declared), which replaces the host's loss; null when it declares none.</summary>
            private string? Objective { get; }

            private double[] InitialState(string refName, string state, int b)
            {
                int n = _lengths.Get(state).Length;
                return _reference.Inputs[refName].Values.Skip(b * n).Take(n).ToArray();
            }

            /// <summary>Per sample, the reference adjoint over the sequence, all on one tape; the host's loss recorded on it, then backward.</summary>
            public (double Loss, Dictionary<string, double[][]> Outputs, Dictionary<string, double[]> Gradients) Reference()
            {
                var tape = new Tape();
                var parameters = AdjointParameters.Create(tape, _unit, null, _overrides, _weights);
                var recorded = _host.Outputs.ToDictionary(o => o.Key, o => new TapeValue[_batch * _time], StringComparer.Ordinal);
                var objective = new TapeValue[_batch * _time];
                for (int b = 0; b < _batch; b++)
                {
                    var initial = _host.InitialStates.ToDictionary(s => s.Value, s => InitialState(s.Key, s.Value, b), StringComparer.Ordinal);
                    var cell = new AdjointInterpreter(_unit, parameters, null, _overrides, initial);
                    for (int t = 0; t < _time; t++)
                    {
                        var step = _host.Inputs.ToDictionary(i => i.Value, i => Slice(_inputs[i.Key], _host.Layout, b, t, _batch, _time, Length(i.Key)), StringComparer.Ordinal);
                        cell.Step(step);
                        foreach (var (refName, signal) in _host.Outputs) recorded[refName][b * _time + t] = Filled(tape, cell.Get(signal), LengthOf(_unit, signal));
                        if (Objective != null) objective[b * _time + t] = cell.Get(Objective);
                    }
                }
                var outputs = recorded.ToDictionary(o => o.Key, o => o.Value.Select(v => v.Value).ToArray(), StringComparer.Ordinal);
                TapeValue total;
                double loss;
                if (Objective != null)
                {
                    // The cell's objective, averaged over the batch and the sequence.
                    loss = objective.Sum(v => v.Value[0]) / objective.Length;
                    total = tape.Record(new[] { loss }, r => { foreach (var v in objective) v.AddGrad(new[] { r.Grad![0] / objective.Length }); });
                }
                else
                {
                    var (hostLoss, grads) = LossAndGradients(_host, _reference, outputs, _batch, _time);
                    loss = hostLoss;
                    total = tape.Record(new[] { loss }, r =>
                    {
                        foreach (var (refName, values) in recorded)
                            for (int k = 0; k < values.Length; k++) values[k].AddGrad(grads[refName][k].Select(g => r.Grad![0] * g).ToArray());
                    });
                }
                tape.Backward(total);
                var gradients = new Dictionary<string, double[]>(StringComparer.Ordinal);
                foreach (var (name, leaf) in parameters.Weights) gradients[name] = leaf.GradOrZeros;
                foreach (var (name, leaf) in parameters.Params) gradients[name] = leaf.GradOrZeros;
                return (loss, outputs, gradients);
            }

            /// <summary>
            /// A signal's value at its declared length: the interpreter keeps a vector signal that a scalar fills (<c>y = 0.5</c>,
            /// or a scalar neutral where its rule is off) as that one number, which fills every element, and the element
            /// adjoints add up into it.
            /// </summary>
            private static TapeValue Filled(Tape tape, TapeValue value, int length) =>
                value.Value.Length == length || value.Value.Length != 1 ? value
                    : tape.Record(Enumerable.Repeat(value.Value[0], length).ToArray(), r => { if (r.Grad is { } g) value.AddGrad(new[] { g.Sum() }); });

            /// <summary>The generated cell: the file's weights, inputs and initial states into its buffers, forward, the host's loss, backward.</summary>
            public (double Loss, Dictionary<string, double[][]> Outputs, Dictionary<string, double[]> Gradients) Compiled(ICell<double> cell)
            {
                foreach (var (name, values) in _weights) values.CopyTo(cell.Parameter(name));
                Interpreter? defaults = null;
                foreach (var (name, values) in _overrides)
                {
                    var p = _unit.Params.First(x => x.Name == name);
                    if (p.Type.Scalar == ScalarType.Real) { values.CopyTo(cell.Parameter(name)); continue; }
                    // An int or bool param is a constant of the generated code: its declared value, which the file may only repeat.
                    var declared = (defaults ??= new Interpreter(_unit)).Get(name);
                    if (!values.SequenceEqual(declared))
                        throw new CellReferenceException($"the {(p.Type.Scalar == ScalarType.Int ? "int" : "bool")} param '{name}' of {_unit.Name} is compiled into the generated cell as its declared value {string.Join(", ", declared.Select(v => p.Type.Scalar == ScalarType.Bool ? (v != 0 ? "true" : "false") : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}; "
                            + "the reference file gives another: change the .ae file's value, or check it with --backend reference");
                }
                foreach (var (refName, cellName) in _host.Inputs)
                {
                    int n = Length(refName);
                    var buffer = cell.Input(cellName);
                    for (int t = 0; t < _time; t++)
                        for (int b = 0; b < _batch; b++)
                            Slice(_inputs[refName], _host.Layout, b, t, _batch, _time, n).CopyTo(buffer.Slice((t * _batch + b) * n, n));
                }
                foreach (var (refName, state) in _host.InitialStates)
                    for (int b = 0; b < _batch; b++)
                    {
                        var v = InitialState(refName, state, b);
                        v.CopyTo(cell.InitialState(state).Slice(b * v.Length, v.Length));
                    }
                cell.Forward();
                var outputs = new Dictionary<string, double[][]>(StringComparer.Ordinal);
                foreach (var (refName, signal) in _host.Outputs)
                {
                    var buffer = cell.Output(signal);
                    int n = buffer.Length / (_batch * _time);
                    var perStep = new double[_batch * _time][];
                    for (int b = 0; b < _batch; b++)
                        for (int t = 0; t < _time; t++) perStep[b * _time + t] = buffer.Slice((t * _batch + b) * n, n).ToArray();
                    outputs[refName] = perStep;
                }
                foreach (var o in cell.Outputs) cell.OutputGradient(o.Name).Clear();
                double loss;
                if (Objective != null)
                {
                    cell.Objective = Objective;
                    loss = cell.Loss;
                }
                else
                {
                    cell.Objective = null;
                    var (hostLoss, grads) = LossAndGradients(_host, _reference, outputs, _batch, _time);
                    loss = hostLoss;
                    foreach (var (refName, signal) in _host.Outputs)
                    {
                        var buffer = cell.OutputGradient(signal);
                        int n = buffer.Length / (_batch * _time);
                        for (int b = 0; b < _batch; b++)
                            for (int t = 0; t < _time; t++) grads[refName][b * _time + t].CopyTo(buffer.Slice((t * _batch + b) * n, n));
                    }
                }
                cell.ZeroGrad();
                cell.Backward();
                var gradients = cell.Parameters.ToDictionary(p => p.Name, p => cell.Gradient(p.Name).ToArray(), StringComparer.Ordinal);
                return (loss, outputs, gradients);
            }
        }
    }
}
