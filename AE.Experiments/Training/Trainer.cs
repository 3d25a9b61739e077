using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using AE.Experiments.Cells;
using AE.Experiments.Machine;
using AE.Runtime;
using AE.Runtime.Cells;

namespace AE.Experiments.Training
{
    /// <summary>
    /// Trains a cell on a task with an optimizer that steps the cell's <see cref="ICell{T}.ParameterVector"/> in place
    /// with its <see cref="ICell{T}.GradientVector"/> and the loss, as the seed's AEAgent steps a model: each epoch
    /// one forward pass over the batch and the sequence, the objective's mean as the loss, one backward pass, the
    /// frozen parameters' gradient zeroed, the gradient norm clipped when the task says so, one step.
    /// </summary>
    public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly List<double> _curve = new();
        private readonly List<(int Offset, int Length)> _frozen = new();
        // The parameters before the last step, what a stop on a value that is not finite goes back to: one buffer, so that a step allocates nothing.
        private readonly T[] _before;
        private int _beforeEpoch;   // the epoch (from 1) whose step _before precedes; 0 before this process's first step

        /// <summary>
        /// Initialises the cell's weights (PyTorch's default: uniform within 1/sqrt(fan-in)) and the task's data, both from
        /// <paramref name="seed"/> (<see cref="RandomSeed"/>).
        /// </summary>
        /// <exception cref="TrainingException">the cell does not fit the task, has no parameter to train, or the optimizer is of another dimension</exception>
        public Trainer(ICell<T> cell, TrainingTask task, IOptimizerLaw optimizer, long seed)
        {
            Cell = cell ?? throw new ArgumentNullException(nameof(cell));
            Task = task ?? throw new ArgumentNullException(nameof(task));
            Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
            if (task.Misfit(cell) is { } misfit) throw new TrainingException(misfit);
            if (NothingToTrain(cell) is { } nothing) throw new TrainingException(nothing);
            if (optimizer.Dimension != cell.ParameterVector.Length)
                throw new TrainingException("the optimizer " + optimizer.LawName + " steps " + optimizer.Dimension + " values, the cell " + cell.CellName + " has " + cell.ParameterVector.Length);
            int offset = 0;
            foreach (var p in cell.Parameters)
            {
                if (task.Frozen.Contains(p.Name)) _frozen.Add((offset, p.Size));
                offset += p.Size;
            }
            _before = new T[cell.ParameterVector.Length];
            Log = new RunLog(optimizer.SignalNames, recordSignals: true, initialCapacity: 64);
            int drawn = RandomSeed(seed);
            CellInitialization.PyTorchDefault(cell, new Random(drawn));
            // A declared value the cell's precision rounds out of its range (1e-50 in (0, 1] is 0 in float32) starts inside.
            cell.ProjectParameters();
            task.Prepare(cell, new Random(unchecked(drawn * 7919 + 17)));
            // The task's own loss seeds the backward pass through the output gradients alone.
            if (task.ScoresOutputs) cell.Objective = null;
        }

        /// <summary>
        /// Why <paramref name="cell"/> cannot be trained, or null when it can: it has no real parameter (int and bool params
        /// are not stepped), and no optimizer steps an empty vector.
        /// </summary>
        public static string? NothingToTrain(ICell<T> cell)
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            return cell.ParameterVector.Length == 0 ? "the cell " + cell.CellName + " has nothing to train: it declares no real param and no net" : null;
        }

        /// <summary>
        /// The seed of <see cref="Random"/>, which takes an int, for a run's 64-bit seed: a seed an int holds is itself (the
        /// runs of those seeds are what they were); another is mixed down to 31 bits (SplitMix64's finaliser), so it draws
        /// as some seed from 0 to 2^31 − 1 does. The optimizer (a law's noise) takes the whole seed.
        /// </summary>
        public static int RandomSeed(long seed)
        {
            if (seed >= int.MinValue && seed <= int.MaxValue) return (int)seed;
            ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return (int)((z ^ (z >> 31)) & int.MaxValue);
        }

        public ICell<T> Cell { get; }

        public TrainingTask Task { get; }

        public IOptimizerLaw Optimizer { get; }

        /// <summary>The loss of every epoch so far, before its step.</summary>
        public IReadOnlyList<double> Curve => _curve;

        public int EpochsDone => _curve.Count;

        /// <summary>Every epoch of the run, a checkpoint's restored ones included: each loss and the optimizer's signals after its step.</summary>
        public RunLog Log { get; private set; }

        /// <summary>
        /// Why the run stopped before its epochs were done (a loss, a gradient or a step's parameter that is not finite), or
        /// null while it can go on. Once set, <see cref="Epoch"/> trains no more.
        /// </summary>
        public TrainingStop? Stop { get; private set; }

        /// <summary>
        /// One epoch: forward, loss, backward, step, once per mini-batch of the task (<see cref="TrainingTask.StepsPerEpoch"/>,
        /// most tasks have one). Returns the loss before the step, the mean over the mini-batches. A value that is not finite
        /// ends the epoch and the run (<see cref="Stop"/>) and leaves finite parameters whose loss is finite, where there were
        /// any: a loss that is not finite puts back the parameters from before the last step (the epoch's loss is then that
        /// loss); a gradient that is not finite is caught before its step (the epoch's loss is the mean of the mini-batches
        /// run); a step that writes a value that is not finite is undone.
        /// </summary>
        public double Epoch()
        {
            if (Stop is not null) throw new InvalidOperationException("the run stopped at epoch " + Stop.Epoch + ": " + Stop.Text);
            var cell = Cell;
            int steps = Task.StepsPerEpoch, epoch = _curve.Count;
            double sum = 0;
            for (int s = 0; s < steps; s++)
            {
                if (steps > 1) Task.WriteBatch(cell, epoch, s);
                cell.Forward();
                double loss = LossOfLastForward();
                if (!double.IsFinite(loss))
                {
                    Stop = new TrainingStop(epoch + 1, TrainingStopKind.Loss, loss, null, null, GoBack());
                    return Finish(loss, stepped: s > 0);
                }
                cell.ZeroGrad();
                cell.Backward();
                var grad = cell.GradientVector;
                foreach (var (offset, length) in _frozen) grad.Slice(offset, length).Clear();
                // Before the clipping, which would turn one infinite component into NaN everywhere, and before the step,
                // which would carry it into the parameters and the optimizer's state.
                int bad = FirstNonFinite(grad);
                if (bad >= 0)
                {
                    var (name, index) = ParameterAt(bad);
                    Stop = new TrainingStop(epoch + 1, TrainingStopKind.Gradient, double.CreateTruncating(grad[bad]), name, index, epoch + 1);
                    return Finish((sum + loss) / (s + 1), stepped: s > 0);
                }
                if (Task.ClipNorm is double max) ClipNorm(grad, max);
                var theta = cell.ParameterVector;
                theta.CopyTo(_before);
                Step(Optimizer, loss, grad, theta);
                cell.ProjectParameters();
                _beforeEpoch = epoch + 1;
                bad = FirstNonFinite(theta);
                if (bad >= 0)
                {
                    var (name, index) = ParameterAt(bad);
                    double value = double.CreateTruncating(theta[bad]);
                    Stop = new TrainingStop(epoch + 1, TrainingStopKind.Step, value, name, index, GoBack());
                    return Finish((sum + loss) / (s + 1));
                }
                sum += loss;
            }
            return Finish(steps == 1 ? sum : sum / steps);

            // An epoch stopped before any step of it has no signals of its own: the row would repeat the last step's.
            double Finish(double epochLoss, bool stepped = true)
            {
                _curve.Add(epochLoss);
                if (stepped) Log.Append(epochLoss, Optimizer);
                else Log.AppendWithoutStep(epochLoss);
                return epochLoss;
            }
        }

        /// <summary>
        /// The loss of the parameters the run ends with (<see cref="Evaluate"/>). When it is not finite after a step of this
        /// process, the parameters from before that step are put back (their loss was finite), <see cref="Stop"/> says so, and
        /// the result is their loss.
        /// </summary>
        public double FinalLoss()
        {
            double loss = Evaluate();
            if (double.IsFinite(loss) || Stop is not null || _beforeEpoch == 0) return loss;
            Stop = new TrainingStop(_beforeEpoch, TrainingStopKind.FinalLoss, loss, null, null, GoBack());
            return Evaluate();
        }

        /// <summary>Puts back the parameters from before the last step of this process; the epoch of that step, or null when there was none (the parameters stay those the run started from).</summary>
        private int? GoBack()
        {
            if (_beforeEpoch == 0) return null;
            _before.CopyTo(Cell.ParameterVector);
            return _beforeEpoch;
        }

        private static int FirstNonFinite(ReadOnlySpan<T> values)
        {
            for (int i = 0; i < values.Length; i++)
                if (!T.IsFinite(values[i])) return i;
            return -1;
        }

        /// <summary>The parameter that element <paramref name="flat"/> of <see cref="ICell{T}.ParameterVector"/> belongs to, and its index within it (null for a scalar).</summary>
        private (string Name, int? Index) ParameterAt(int flat)
        {
            int offset = 0;
            foreach (var p in Cell.Parameters)
            {
                if (flat < offset + p.Size) return (p.Name, p.Size == 1 ? null : flat - offset);
                offset += p.Size;
            }
            throw new ArgumentOutOfRangeException(nameof(flat));
        }

        /// <summary>Continues from a checkpoint of a run that stopped (the checkpoint refuses to resume it; the stop is kept so that its file says so).</summary>
        internal void RestoreStop(TrainingStop? stop) => Stop = stop;

        /// <summary>The loss of the last forward pass: the task's own (its gradient then in the output gradients) or the cell's objective.</summary>
        private double LossOfLastForward() => Task.ScoresOutputs ? Task.HostLoss(Cell) : Cell.Loss;

        /// <summary>A forward pass with the current parameters (over every mini-batch of an epoch for a task of several); its loss, their mean.</summary>
        public double Evaluate()
        {
            int steps = Task.StepsPerEpoch;
            if (steps == 1)
            {
                Cell.Forward();
                return LossOfLastForward();
            }
            double sum = 0;
            for (int s = 0; s < steps; s++)
            {
                Task.WriteBatch(Cell, _curve.Count, s);
                Cell.Forward();
                sum += LossOfLastForward();
            }
            return sum / steps;
        }

        /// <summary>
        /// The run as the run store keeps law runs (<see cref="MachineRun"/>): the epochs of <see cref="Log"/> as its steps,
        /// no target (so a finished run is <see cref="StopReason.BudgetExhausted"/>), the first epoch's loss as the initial one.
        /// </summary>
        public MachineRun ToMachineRun(string taskName, ulong seed, long epochs, double finalLoss, bool cancelled)
        {
            var stop = cancelled ? StopReason.Cancelled : Stop is null && double.IsFinite(finalLoss) ? StopReason.BudgetExhausted : StopReason.NonFinite;
            var metrics = new RunMetrics(null, finalLoss, double.NaN, 0, Log.Count, stop, AcceptReason.None);
            var theta = new double[Cell.ParameterVector.Length];
            for (int i = 0; i < theta.Length; i++) theta[i] = double.CreateTruncating(Cell.ParameterVector[i]);
            return new MachineRun(Optimizer.LawName, taskName, seed, epochs, double.NaN, null, _curve.Count > 0 ? _curve[0] : double.NaN,
                metrics, Array.Empty<Incident>(), Log, theta, null);
        }

        /// <summary>
        /// Continues from a checkpoint: the curve and the log of the epochs it holds, one row an epoch, as
        /// <see cref="TrainingCheckpoint.Load{T}(string, CheckpointIdentity, Trainer{T}, out string)"/> checks (its parameters and
        /// the optimizer's state are restored by the caller).
        /// </summary>
        internal void RestoreCurve(IReadOnlyList<double> curve, RunLog log)
        {
            _curve.Clear();
            _curve.AddRange(curve);
            Log = log;
        }

        /// <summary>PyTorch's <c>clip_grad_norm_</c>: scales the gradient by max / (‖g‖ + 1e-6) when that is below 1.</summary>
        public static void ClipNorm(Span<T> grad, double max)
        {
            double sum = 0;
            foreach (var g in grad) { double d = double.CreateTruncating(g); sum += d * d; }
            double coef = max / (Math.Sqrt(sum) + 1e-6);
            if (coef >= 1) return;
            var c = T.CreateTruncating(coef);
            for (int i = 0; i < grad.Length; i++) grad[i] *= c;
        }

        /// <summary>One step of <paramref name="law"/> on the flat vector, in the cell's precision.</summary>
        public static void Step(IOptimizerLaw law, double loss, Span<T> grad, Span<T> theta)
        {
            if (law is null) throw new ArgumentNullException(nameof(law));
            if (typeof(T) == typeof(double))
                law.Step(loss, MemoryMarshal.Cast<T, double>(grad), MemoryMarshal.Cast<T, double>(theta));
            else if (typeof(T) == typeof(float))
                law.Step((float)loss, MemoryMarshal.Cast<T, float>(grad), MemoryMarshal.Cast<T, float>(theta));
            else throw new NotSupportedException("a law steps double or float values, not " + typeof(T).Name);
        }
    }
}
