using System;
using System.Collections.Generic;

namespace AE.Dsl.Eval
{
    /// <summary>
    /// A value recorded on a <see cref="Tape"/>: a vector (a scalar has length 1), the gradient of the
    /// objective with respect to it once <see cref="Tape.Backward"/> has run (null: none reached it),
    /// and how to pass its gradient on to the values it was computed from.
    /// </summary>
    public sealed class TapeValue
    {
        internal TapeValue(double[] value, Action<TapeValue>? back, bool constant = false)
        {
            Value = value;
            Back = back;
            IsConstant = constant;
        }

        /// <summary>A literal, a draw, a comparison: carries no gradient.</summary>
        public bool IsConstant { get; }

        public double[] Value { get; }
        public int Length => Value.Length;

        /// <summary>d objective / d value, after <see cref="Tape.Backward"/>; null when the objective does not depend on it.</summary>
        public double[]? Grad { get; private set; }

        internal Action<TapeValue>? Back { get; }

        /// <summary>The gradient, zeros when none reached this value.</summary>
        public double[] GradOrZeros => Grad ?? new double[Value.Length];

        /// <summary>Adds <paramref name="g"/> to element <paramref name="i"/>'s gradient; a length-1 value broadcast to many elements sums them.</summary>
        internal void AddGrad(int i, double g)
        {
            if (IsConstant) return;
            Grad ??= new double[Value.Length];
            Grad[Value.Length == 1 ? 0 : i] += g;
        }

        /// <summary>Adds <paramref name="g"/> (one per element) to the gradient: the backward step of a host's own operation (a loss).</summary>
        public void AddGrad(double[] g)
        {
            if (g is null) throw new ArgumentNullException(nameof(g));
            if (g.Length != Value.Length) throw new ArgumentException($"{g.Length} gradient values for {Value.Length} values", nameof(g));
            for (int i = 0; i < g.Length; i++) AddGrad(i, g[i]);
        }

        internal void ClearGrad() => Grad = null;
    }

    /// <summary>
    /// A Wengert list of vector operations in the order they were computed: reverse mode replays it
    /// backwards. Plain and exact: every intermediate value of every step is kept (no checkpointing).
    /// </summary>
    public sealed class Tape
    {
        private readonly List<TapeValue> _values = new();

        /// <summary>An independent value (a param, a weight, an input, an initial state) whose gradient is wanted.</summary>
        public TapeValue Leaf(double[] value) => Record(value, null);

        /// <summary>A value computed from others; <paramref name="back"/> adds its gradient's share to theirs.</summary>
        public TapeValue Record(double[] value, Action<TapeValue>? back)
        {
            var v = new TapeValue(value, back);
            _values.Add(v);
            return v;
        }

        /// <summary>A value that carries no gradient (a literal, the step number, a draw, a comparison): not recorded.</summary>
        public static TapeValue Constant(double[] value) => new(value, null, constant: true);

        public int Count => _values.Count;

        /// <summary>Runs reverse mode from the scalar <paramref name="objective"/>: afterwards every value's Grad is d objective / d value.</summary>
        public void Backward(TapeValue objective)
        {
            if (objective.Length != 1) throw new ArgumentException("the objective must be a scalar", nameof(objective));
            foreach (var v in _values) v.ClearGrad();
            objective.AddGrad(0, 1.0);
            for (int i = _values.Count - 1; i >= 0; i--)
            {
                var v = _values[i];
                if (v.Grad != null && v.Back != null) v.Back(v);
            }
        }
    }
}
