using System;
using System.Collections.Generic;
using System.Numerics;

namespace AE.Runtime.Cells
{
    /// <summary>
    /// The scalar kind a cell declares for a value. Every buffer holds <c>T</c>; the kind says what the cell makes of
    /// it: an int is used as the number it holds, a bool is true where the value is not 0.
    /// </summary>
    public enum CellScalar
    {
        Real,
        Int,
        Bool,
    }

    /// <summary>A param's declared range, its ends as numbers (<c>param k in (0, 1]</c>).</summary>
    public sealed record CellRange(double Lo, double Hi, bool LoOpen, bool HiOpen)
    {
        /// <summary>Whether <paramref name="value"/> lies in the range (a NaN does not).</summary>
        public bool Contains(double value) => (LoOpen ? value > Lo : value >= Lo) && (HiOpen ? value < Hi : value <= Hi);

        /// <summary>The value of <typeparamref name="T"/> in the range nearest to <paramref name="value"/>: the value itself when it lies in it, an end
        /// (or, for an open one, its nearest neighbour inside) otherwise; a NaN stays NaN.</summary>
        public T Nearest<T>(T value) where T : unmanaged, IFloatingPointIeee754<T>
        {
            double v = double.CreateTruncating(value);
            if (Contains(v) || double.IsNaN(v)) return value;
            bool below = LoOpen ? v <= Lo : v < Lo;
            T end = T.CreateTruncating(below ? Lo : Hi);
            // The end rounded to T, or an open end itself, may lie outside: a step or two inside (a range narrower than T's
            // spacing has no value of T inside; its end is then the nearest there is).
            for (int k = 0; k < 4 && !Contains(double.CreateTruncating(end)); k++) end = below ? T.BitIncrement(end) : T.BitDecrement(end);
            return end;
        }

        /// <summary>Moves each value of a ranged parameter in <paramref name="theta"/> (the parameters one after another, as a cell's vector) to the nearest in its range.</summary>
        public static void Project<T>(IReadOnlyList<CellTensor> parameters, Span<T> theta) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (parameters is null) throw new ArgumentNullException(nameof(parameters));
            int at = 0;
            for (int k = 0; k < parameters.Count; k++)
            {
                var p = parameters[k];
                if (p.Range is { } range) foreach (ref var v in theta.Slice(at, p.Size)) v = range.Nearest(v);
                at += p.Size;
            }
        }

        public override string ToString() => (LoOpen ? "(" : "[") + End(Lo) + ", " + End(Hi) + (HiOpen ? ")" : "]");

        private static string End(double v) => double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A named tensor of a cell: a parameter (a net's weight or bias, a real param), an input, an output or a state.</summary>
    /// <param name="Name">PyTorch's name for a net's weight or bias (<c>f_net.0.weight</c>), the .ae name otherwise</param>
    /// <param name="Shape">the shape of one parameter, or of one sample at one step for inputs, outputs and states</param>
    /// <param name="Scalar">the kind the cell declares (a parameter is always real)</param>
    /// <param name="Range">a real param's declared range, which training keeps it in (<see cref="ICell{T}.ProjectParameters"/>); null for the others</param>
    public sealed record CellTensor(string Name, int[] Shape, CellScalar Scalar = CellScalar.Real, CellRange? Range = null)
    {
        /// <summary>The number of values of <see cref="Shape"/>.</summary>
        public int Size { get; } = SizeOf(Shape);

        /// <summary>The number of values of a shape (1 for a number).</summary>
        public static int SizeOf(int[] shape)
        {
            if (shape is null) throw new ArgumentNullException(nameof(shape));
            int n = 1;
            foreach (var d in shape) n = checked(n * d);
            return n;
        }
    }

    /// <summary>
    /// A generated cell: runs a batch of samples over a sequence (forward) and back (reverse mode through
    /// time, with checkpoints), allocation-free after construction. Every buffer belongs to the cell and is
    /// reached by name. Sequences are laid out time-major: <c>[time, batch, ...]</c>; initial states
    /// <c>[batch, ...]</c>; parameters as PyTorch lays them out (a weight is <c>[out, in]</c>).
    /// </summary>
    public interface ICell<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The cell's name in the .ae file (a variant's name for a variant).</summary>
        string CellName { get; }

        int Batch { get; }
        int Time { get; }

        /// <summary>Steps between stored states in <see cref="Backward"/> (the others are recomputed).</summary>
        int CheckpointEvery { get; }

        /// <summary>Every differentiable parameter: the nets' weights and biases, then the real params.</summary>
        IReadOnlyList<CellTensor> Parameters { get; }
        IReadOnlyList<CellTensor> Inputs { get; }
        IReadOnlyList<CellTensor> Outputs { get; }
        IReadOnlyList<CellTensor> States { get; }

        /// <summary>The outputs declared <c>objective</c>: real numbers per step and sample whose mean over the batch and the sequence is a training loss.</summary>
        IReadOnlyList<string> Objectives { get; }

        /// <summary>The objective <see cref="Backward"/> differentiates (besides the output gradients the host writes): the first declared by default; null for none.</summary>
        string? Objective { get; set; }

        /// <summary>The mean of <see cref="Objective"/> over the batch and the sequence after <see cref="Forward"/>; NaN without one.</summary>
        double Loss { get; }

        /// <summary>A parameter's values (read and write).</summary>
        Span<T> Parameter(string name);

        /// <summary>d objective / d parameter, accumulated by <see cref="Backward"/> until <see cref="ZeroGrad"/>.</summary>
        Span<T> Gradient(string name);

        /// <summary>
        /// Every parameter as one vector, in <see cref="Parameters"/> order (each parameter's values are a slice of it):
        /// what an optimizer steps, in place.
        /// </summary>
        Span<T> ParameterVector { get; }

        /// <summary>
        /// Moves every real param with a declared range back into it (each value to the nearest in the range): an optimizer
        /// step can leave a range that the checker relied on (<c>sqrt(1 - k)</c> with <c>k in (0, 1]</c>), so a trainer calls
        /// this after each step. Allocation-free; weights and params without a range are left as they are.
        /// </summary>
        void ProjectParameters();

        /// <summary>The gradient of <see cref="ParameterVector"/>, element for element.</summary>
        Span<T> GradientVector { get; }

        /// <summary>An input sequence, <c>[time, batch, ...]</c>, written by the host before <see cref="Forward"/>; a bool is 1 or 0.</summary>
        Span<T> Input(string name);

        /// <summary>An output (signal) sequence, <c>[time, batch, ...]</c>, written by <see cref="Forward"/>.</summary>
        Span<T> Output(string name);

        /// <summary>A state's value before the first step, <c>[batch, ...]</c>: the declared initial value unless the host writes it.</summary>
        Span<T> InitialState(string name);

        /// <summary>A state's value after the last step of <see cref="Forward"/>, <c>[batch, ...]</c>.</summary>
        Span<T> FinalState(string name);

        /// <summary>d objective / d output, <c>[time, batch, ...]</c>, written by the host before <see cref="Backward"/>.</summary>
        Span<T> OutputGradient(string name);

        /// <summary>d objective / d final state, <c>[batch, ...]</c>, written by the host before <see cref="Backward"/> (zeros unless it is).</summary>
        Span<T> FinalStateGradient(string name);

        /// <summary>d objective / d input, <c>[time, batch, ...]</c>, written by <see cref="Backward"/>.</summary>
        Span<T> InputGradient(string name);

        /// <summary>d objective / d initial state, <c>[batch, ...]</c>, written by <see cref="Backward"/>.</summary>
        Span<T> InitialStateGradient(string name);

        /// <summary>Runs the sequence from the initial states; writes the outputs and the final states.</summary>
        void Forward();

        /// <summary>
        /// Reverse mode through the sequence of the last <see cref="Forward"/>: from <see cref="Loss"/> (when an objective is
        /// selected) plus the output and final-state gradients the host wrote, adds each parameter's gradient and writes the
        /// input and initial-state gradients.
        /// </summary>
        void Backward();

        /// <summary>Sets every parameter gradient to zero.</summary>
        void ZeroGrad();
    }
}
