using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using AE.Runtime.Cells;

namespace AE.Experiments.Training
{
    /// <summary>
    /// What a task needs of a cell: an input or a state of a shape (one sample at one step), or a param; an optional one
    /// is written when the cell declares it (of that shape) and left out when it does not.
    /// </summary>
    /// <param name="Binary">
    /// whether the task writes only 0 and 1 there (a flag, a one-hot label, a bit), which a cell may declare real, int or
    /// bool; any other value the task writes or reads must be real in the cell
    /// </param>
    public sealed record CellRequirement(string Kind, string Name, int[] Shape, bool Optional = false, bool Binary = false)
    {
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    }

    /// <summary>
    /// A training task of a seed: the data a cell is fitted to (inputs, initial states), its default settings (the
    /// seed's), and what it reports and writes. The loss is the cell's own objective, unless the task
    /// <see cref="ScoresOutputs"/> itself.
    /// </summary>
    public abstract class TrainingTask
    {
        public abstract string Name { get; }

        /// <summary>The seed document the task comes from.</summary>
        public abstract string Seed { get; }

        public abstract string Description { get; }

        public abstract int DefaultEpochs { get; }

        public abstract int DefaultBatch { get; }

        /// <summary>The sequence length.</summary>
        public abstract int DefaultTime { get; }

        /// <summary>The baselines' learning rate (the seed's).</summary>
        public virtual double DefaultLearningRate => 1e-3;

        /// <summary>Gradient-norm clipping before each step (PyTorch's <c>clip_grad_norm_</c>), or null for none.</summary>
        public virtual double? ClipNorm => null;

        /// <summary>Parameters the optimizer leaves as they are (their gradient is zeroed before each step).</summary>
        public virtual IReadOnlyList<string> Frozen => Array.Empty<string>();

        /// <summary>Whether the task reads a data set, whose training split <see cref="Samples"/> can cut short.</summary>
        public virtual bool HasDataSet => false;

        /// <summary>The training samples used, the first of the data set's (set before <see cref="Prepare"/>); null for all of them.</summary>
        public int? Samples { get; set; }

        /// <summary>The task and its settings as a checkpoint records them.</summary>
        public string Identity => Name + (Samples is int n ? " samples=" + n : "") + Settings;

        /// <summary>
        /// What the data the task trains on are, beyond <see cref="Identity"/> (known once <see cref="Prepare"/> has run), so
        /// that a checkpoint is not resumed on other data: for a task over a data set, a digest of the training samples it
        /// loaded (files changed, or another folder of other files, give another). "" for the tasks whose data the run's seed,
        /// batch and time generate, which a checkpoint records already.
        /// </summary>
        public virtual string DataIdentity => "";

        /// <summary>The task's own settings as <see cref="Identity"/> and the run store's task name append them ("" at its defaults).</summary>
        public virtual string Settings => "";

        /// <summary>
        /// Optimizer steps in one epoch (valid after <see cref="Prepare"/>): 1 for a task whose data is the one batch that
        /// <see cref="Prepare"/> writes; a task over a data set steps once per mini-batch, each written by <see cref="WriteBatch"/>.
        /// </summary>
        public virtual int StepsPerEpoch => 1;

        /// <summary>Writes mini-batch <paramref name="step"/> of epoch <paramref name="epoch"/> (from 0) into the cell; for tasks of more than one step per epoch.</summary>
        public virtual void WriteBatch<T>(ICell<T> cell, int epoch, int step) where T : unmanaged, IFloatingPointIeee754<T> { }

        /// <summary>The inputs and states the task writes, with their shapes.</summary>
        public abstract IReadOnlyList<CellRequirement> Requirements { get; }

        /// <summary>Writes the task's inputs and initial states into <paramref name="cell"/>, drawing from <paramref name="random"/>.</summary>
        public abstract void Prepare<T>(ICell<T> cell, Random random) where T : unmanaged, IFloatingPointIeee754<T>;

        /// <summary>
        /// The name of the loss the task computes from the outputs itself (<see cref="HostLoss"/>), or null when the loss is
        /// the cell's objective. A cell need not declare an objective for a task with a loss of its own.
        /// </summary>
        public virtual string? OwnLoss => null;

        /// <summary>Whether the task scores the outputs itself (<see cref="OwnLoss"/>) rather than by the cell's objective.</summary>
        public bool ScoresOutputs => OwnLoss is not null;

        /// <summary>
        /// For a task that <see cref="ScoresOutputs"/>: the loss of the last forward pass, its gradient with respect to the
        /// outputs written into the cell's output gradients.
        /// </summary>
        public virtual double HostLoss<T>(ICell<T> cell) where T : unmanaged, IFloatingPointIeee754<T>
            => throw new NotSupportedException(Name + " scores by the cell's objective");

        /// <summary>Task metrics after the final forward pass.</summary>
        public virtual void Measure<T>(ICell<T> cell, IDictionary<string, double> metrics) where T : unmanaged, IFloatingPointIeee754<T> { }

        /// <summary>Series to plot against each other after the final forward pass (the synth's first samples beside its target), or null.</summary>
        public virtual TracePlot? Trace<T>(ICell<T> cell) where T : unmanaged, IFloatingPointIeee754<T> => null;

        /// <summary>
        /// The names of every file this task adds to a run's folder: those of <see cref="WriteOutputs"/> and the SVG and PNG of
        /// <see cref="Trace"/>. Known before the run, so that a run refuses a folder where it would replace a file that is not its own.
        /// </summary>
        public virtual IReadOnlyList<string> OutputNames => Array.Empty<string>();

        /// <summary>Files written into <paramref name="directory"/> after training (paths), from the final forward pass.</summary>
        public virtual IReadOnlyList<string> WriteOutputs<T>(ICell<T> cell, string directory) where T : unmanaged, IFloatingPointIeee754<T> => Array.Empty<string>();

        /// <summary>Why <paramref name="cell"/> does not fit the task (naming the shapes), or null when it does.</summary>
        public string? Misfit<T>(ICell<T> cell) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            string prefix = "the cell " + cell.CellName + " does not fit the task " + Name + ": ";
            if (!ScoresOutputs && cell.Objectives.Count == 0) return prefix + "it declares no objective (the task's loss)";
            foreach (var r in Requirements)
            {
                var have = r.Kind switch
                {
                    "input" => cell.Inputs,
                    "state" => cell.States,
                    "output" => cell.Outputs,
                    _ => cell.Parameters,
                };
                var found = have.FirstOrDefault(t => t.Name == r.Name);
                string list = string.Join(", ", have.Select(t => t.Name + " [" + string.Join(", ", t.Shape) + "]"));
                if (found is null && r.Optional) continue;
                if (found is null && DeclaredAs(cell, r.Name) is { } other)
                    return prefix + (r.Kind == "output"
                        ? "it reads signal '" + r.Name + "' " + r.ShapeText + " as the cell's output, and the cell's '" + r.Name + "' is " + other + " (outputs are signals)"
                        : "it needs " + r.Kind + " '" + r.Name + "' " + r.ShapeText + ", and the cell's '" + r.Name + "' is " + other
                            + " (declare '" + r.Kind + " " + r.Name + ": real" + (r.Shape.Length == 0 ? "" : r.ShapeText) + "')");
                if (found is null)
                    return prefix + "it needs " + r.Kind + " '" + r.Name + "' " + r.ShapeText + ", the cell has none (its " + r.Kind + "s: " + (list.Length == 0 ? "none" : list) + ")";
                if (!found.Shape.SequenceEqual(r.Shape))
                    return prefix + "it needs " + r.Kind + " '" + r.Name + "' " + r.ShapeText + ", the cell's is [" + string.Join(", ", found.Shape) + "]";
                if (!r.Binary && found.Scalar != CellScalar.Real)
                    return prefix + "it " + (r.Kind == "output" ? "reads" : "writes") + " real values " + (r.Kind == "output" ? "from" : "into") + " " + r.Kind + " '" + r.Name + "', the cell declares it "
                        + found.Scalar.ToString().ToLowerInvariant() + " (declare it real)";
            }
            // An input the task does not write would read 0 at every step, silently: a misspelt 'eps' trained without noise.
            var written = Requirements.Where(r => r.Kind == "input").ToList();
            if (cell.Inputs.FirstOrDefault(i => written.All(r => r.Name != i.Name)) is { } unfed)
                return prefix + "its input '" + unfed.Name + "' [" + string.Join(", ", unfed.Shape) + "] is written by no input of the task (it writes "
                    + string.Join(", ", written.Select(r => r.Name + " " + r.ShapeText + (r.Optional ? " if declared" : ""))) + "); remove it, or name it as one of those";
            return null;
        }

        /// <summary>What <paramref name="name"/> is in <paramref name="cell"/> ("a state", "an input", ...), or null when it declares no such tensor.</summary>
        private static string? DeclaredAs<T>(ICell<T> cell, string name) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (cell.Inputs.Any(t => t.Name == name)) return "an input";
            if (cell.States.Any(t => t.Name == name)) return "a state";
            if (cell.Objectives.Contains(name)) return "an objective";
            if (cell.Outputs.Any(t => t.Name == name)) return "a signal";
            if (cell.Parameters.Any(t => t.Name == name)) return "a param";
            return null;
        }

        /// <summary>Whether <paramref name="cell"/> declares the input <paramref name="name"/> (an optional requirement).</summary>
        protected static bool HasInput<T>(ICell<T> cell, string name) where T : unmanaged, IFloatingPointIeee754<T>
            => cell is null ? throw new ArgumentNullException(nameof(cell)) : cell.Inputs.Any(i => i.Name == name);

        /// <summary>The sum over every step, sample and element of (y - target)^2, from the cell's last forward pass.</summary>
        protected static double SquaredError<T>(ICell<T> cell, string output = "y", string target = "target") where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (cell is null) throw new ArgumentNullException(nameof(cell));
            var y = cell.Output(output);
            var want = cell.Input(target);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
            {
                double d = double.CreateTruncating(y[i]) - double.CreateTruncating(want[i]);
                sum += d * d;
            }
            return sum;
        }

        /// <summary>Values computed in double into a cell's buffer of <typeparamref name="T"/>.</summary>
        protected static void Copy<T>(double[] from, Span<T> to) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < from.Length; i++) to[i] = T.CreateTruncating(from[i]);
        }

        /// <summary>A standard-normal draw (Box-Muller).</summary>
        protected static double Normal(Random random)
        {
            if (random is null) throw new ArgumentNullException(nameof(random));
            return Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }
    }

    /// <summary>Series over one axis to draw in one panel: <paramref name="FileName"/> in the run's folder, samples from <paramref name="First"/> on.</summary>
    public sealed record TracePlot(string FileName, string Title, string Axis, int First, IReadOnlyList<TraceSeries> Series);

    /// <summary>One series of a <see cref="TracePlot"/>.</summary>
    public sealed record TraceSeries(string Name, double[] Values);
}
