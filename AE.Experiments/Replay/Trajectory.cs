using System;
using System.Collections.Generic;
using System.Linq;
using AE.Runtime;

namespace AE.Experiments.Replay
{
    /// <summary>
    /// What a run recorded, one row per step, in buffers allocated once: the loss handed to the law,
    /// every signal the law exposes (<see cref="IOptimizerLaw.SignalNames"/>) and theta after the step.
    /// Row r (0-based) holds the values after step r + 1.
    /// </summary>
    public sealed class Trajectory
    {
        private readonly string[] _signalNames;
        private readonly double[] _loss;
        private readonly double[] _signals; // Capacity × SignalCount
        private readonly double[] _theta;   // Capacity × Dimension

        public Trajectory(int capacity, int dimension, IEnumerable<string> signalNames)
        {
            if (capacity < 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be >= 0");
            if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be >= 1");
            if (signalNames is null) throw new ArgumentNullException(nameof(signalNames));
            _signalNames = signalNames.ToArray();
            if (_signalNames.Any(n => n is null)) throw new ArgumentException("a signal name is null", nameof(signalNames));
            Capacity = capacity;
            Dimension = dimension;
            _loss = new double[capacity];
            _signals = new double[checked(capacity * _signalNames.Length)];
            _theta = new double[checked(capacity * dimension)];
        }

        /// <summary>The most rows it can hold.</summary>
        public int Capacity { get; }

        /// <summary>Rows recorded so far.</summary>
        public int Count { get; private set; }

        /// <summary>The length of theta.</summary>
        public int Dimension { get; }

        public IReadOnlyList<string> SignalNames => _signalNames;

        public int SignalCount => _signalNames.Length;

        /// <summary>The index of a signal in <see cref="SignalNames"/>, or -1.</summary>
        public int SignalIndex(string name)
        {
            for (int i = 0; i < _signalNames.Length; i++)
                if (string.Equals(_signalNames[i], name, StringComparison.Ordinal)) return i;
            return -1;
        }

        /// <summary>The loss the problem returned before step row + 1 (the law's input).</summary>
        public double Loss(int row) => _loss[Check(row)];

        /// <summary>Signal <paramref name="index"/> after step row + 1.</summary>
        public double Signal(int row, int index)
        {
            if ((uint)index >= (uint)_signalNames.Length) throw new ArgumentOutOfRangeException(nameof(index), index, "the trajectory has " + _signalNames.Length + " signals");
            return _signals[Check(row) * _signalNames.Length + index];
        }

        /// <summary>Signal <paramref name="name"/> after step row + 1.</summary>
        public double Signal(int row, string name)
        {
            int index = SignalIndex(name);
            if (index < 0) throw new ArgumentException("no signal '" + name + "'; signals: " + string.Join(", ", _signalNames), nameof(name));
            return Signal(row, index);
        }

        /// <summary>theta[i] after step row + 1.</summary>
        public double Theta(int row, int i)
        {
            if ((uint)i >= (uint)Dimension) throw new ArgumentOutOfRangeException(nameof(i), i, "theta has " + Dimension + " values");
            return _theta[Check(row) * Dimension + i];
        }

        /// <summary>theta after step row + 1.</summary>
        public ReadOnlySpan<double> ThetaRow(int row) => new(_theta, Check(row) * Dimension, Dimension);

        /// <summary>Every signal after step row + 1, in <see cref="SignalNames"/> order.</summary>
        public ReadOnlySpan<double> SignalRow(int row) => new(_signals, Check(row) * _signalNames.Length, _signalNames.Length);

        /// <summary>Forgets every row; the buffers stay.</summary>
        public void Clear() => Count = 0;

        /// <summary>Appends a row (used by <see cref="LawRunner"/>, and by tests to build a trajectory by hand).</summary>
        public void Append(double loss, ReadOnlySpan<double> signals, ReadOnlySpan<double> theta)
        {
            if (signals.Length != _signalNames.Length) throw new ArgumentException("expected " + _signalNames.Length + " signals, got " + signals.Length, nameof(signals));
            if (theta.Length != Dimension) throw new ArgumentException("expected " + Dimension + " theta values, got " + theta.Length, nameof(theta));
            int row = NextRow();
            _loss[row] = loss;
            signals.CopyTo(new Span<double>(_signals, row * _signalNames.Length, _signalNames.Length));
            theta.CopyTo(new Span<double>(_theta, row * Dimension, Dimension));
            Count = row + 1;
        }

        /// <summary>Appends a row read straight from a law after its step: no copy through a temporary.</summary>
        internal void Append(double loss, IOptimizerLaw law, ReadOnlySpan<double> theta)
        {
            int row = NextRow();
            _loss[row] = loss;
            int offset = row * _signalNames.Length;
            for (int i = 0; i < _signalNames.Length; i++) _signals[offset + i] = law.ReadSignal(i);
            theta.CopyTo(new Span<double>(_theta, row * Dimension, Dimension));
            Count = row + 1;
        }

        private int NextRow()
        {
            if (Count >= Capacity) throw new InvalidOperationException("the trajectory is full (" + Capacity + " rows)");
            return Count;
        }

        private int Check(int row)
        {
            if ((uint)row >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(row), row, "the trajectory has " + Count + " rows");
            return row;
        }
    }
}
