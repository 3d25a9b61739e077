using System;
using System.Collections.Generic;
using System.Linq;
using AE.Runtime;

namespace AE.Experiments.Machine
{
    /// <summary>
    /// What a run recorded per law step: the loss handed to the step and (unless switched off) every
    /// signal of the law after it. Row r (0-based) is step r + 1. Storage grows by doubling, so
    /// appending is amortised allocation-free.
    /// </summary>
    public sealed class RunLog
    {
        private readonly string[] _signalNames;
        private double[] _loss;
        private double[] _signals;   // rows × SignalCount (empty when signals are not recorded)

        public RunLog(IEnumerable<string> signalNames, bool recordSignals, int initialCapacity = 1024)
        {
            if (signalNames is null) throw new ArgumentNullException(nameof(signalNames));
            _signalNames = signalNames.ToArray();
            RecordsSignals = recordSignals;
            int capacity = Math.Max(16, initialCapacity);
            _loss = new double[capacity];
            _signals = recordSignals ? new double[checked(capacity * _signalNames.Length)] : Array.Empty<double>();
        }

        public IReadOnlyList<string> SignalNames => _signalNames;

        /// <summary>
        /// The step (or epoch) of the first row: 1, or the one after a checkpoint's when a resumed training logs only the
        /// epochs it runs itself, so that the run store numbers every row as the run counts it.
        /// </summary>
        public long FirstStep { get; internal set; } = 1;

        public int SignalCount => _signalNames.Length;

        public bool RecordsSignals { get; }

        /// <summary>Rows recorded (= law steps taken).</summary>
        public int Count { get; private set; }

        /// <summary>The index of a signal, or -1.</summary>
        public int SignalIndex(string name)
        {
            for (int i = 0; i < _signalNames.Length; i++)
                if (string.Equals(_signalNames[i], name, StringComparison.Ordinal)) return i;
            return -1;
        }

        /// <summary>The loss handed to step row + 1.</summary>
        public double Loss(int row) => _loss[Check(row)];

        /// <summary>Signal <paramref name="index"/> after step row + 1.</summary>
        public double Signal(int row, int index)
        {
            if (!RecordsSignals) throw new InvalidOperationException("this run did not record signals (MachineOptions.RecordSignals was false)");
            if ((uint)index >= (uint)_signalNames.Length) throw new ArgumentOutOfRangeException(nameof(index), index, "the log has " + _signalNames.Length + " signals");
            return _signals[Check(row) * _signalNames.Length + index];
        }

        /// <summary>A signal by name after step row + 1.</summary>
        /// <exception cref="ArgumentException">no such signal; the message lists them</exception>
        public double Signal(int row, string name) => Signal(row, IndexOrThrow(name));

        /// <summary>Every recorded loss, in order.</summary>
        public ReadOnlySpan<double> Losses => _loss.AsSpan(0, Count);

        /// <summary>One signal over every step (a copy).</summary>
        public double[] SignalColumn(string name)
        {
            int index = IndexOrThrow(name);
            if (!RecordsSignals) throw new InvalidOperationException("this run did not record signals (MachineOptions.RecordSignals was false)");
            var column = new double[Count];
            for (int r = 0; r < Count; r++) column[r] = _signals[r * _signalNames.Length + index];
            return column;
        }

        internal void Append(double loss, IOptimizerLaw law)
        {
            int row = Grow(loss);
            if (RecordsSignals)
                for (int i = 0; i < _signalNames.Length; i++) _signals[row + i] = law.ReadSignal(i);
            Count++;
        }

        /// <summary>A row of a loss at which no step was taken (a training epoch stopped before its step): its signals are NaN, not the last step's.</summary>
        internal void AppendWithoutStep(double loss)
        {
            int row = Grow(loss);
            if (RecordsSignals)
                for (int i = 0; i < _signalNames.Length; i++) _signals[row + i] = double.NaN;
            Count++;
        }

        /// <summary>A row of controller <paramref name="controller"/> of a population (its signals after the step).</summary>
        internal void Append(double loss, IOptimizerPopulation population, int controller)
        {
            int row = Grow(loss);
            if (RecordsSignals)
                for (int i = 0; i < _signalNames.Length; i++) _signals[row + i] = population.ReadSignal(controller, i);
            Count++;
        }

        /// <summary>Room for one more row, whose loss it writes; returns the row's first signal index.</summary>
        private int Grow(double loss)
        {
            if (Count == _loss.Length)
            {
                Array.Resize(ref _loss, _loss.Length * 2);
                if (RecordsSignals) Array.Resize(ref _signals, checked(_loss.Length * _signalNames.Length));
            }
            _loss[Count] = loss;
            return Count * _signalNames.Length;
        }

        /// <summary>Whether signals are recorded, the row and signal counts, then every row's loss and signals.</summary>
        internal void Write(System.IO.BinaryWriter writer)
        {
            writer.Write(RecordsSignals);
            writer.Write(Count);
            writer.Write(_signalNames.Length);
            for (int r = 0; r < Count; r++) writer.Write(_loss[r]);
            if (RecordsSignals)
                for (int i = 0; i < Count * _signalNames.Length; i++) writer.Write(_signals[i]);
        }

        /// <summary>A log written by <see cref="Write"/>, for a law with <paramref name="signalNames"/>.</summary>
        /// <exception cref="System.IO.InvalidDataException">recorded otherwise, or for another number of signals</exception>
        internal static RunLog Read(System.IO.BinaryReader reader, IEnumerable<string> signalNames, bool recordSignals)
        {
            bool records = reader.ReadBoolean();
            int count = reader.ReadInt32(), signals = reader.ReadInt32();
            var log = new RunLog(signalNames, recordSignals, Math.Max(count, 1));
            if (records != recordSignals || signals != log.SignalCount)
                throw new System.IO.InvalidDataException("the log holds " + (records ? signals + " signals" : "no signals") + ", this run records " + (recordSignals ? log.SignalCount + " signals" : "none"));
            long values = (long)count * (1 + (records ? signals : 0));
            if (count < 0 || values * 8 > reader.BaseStream.Length - reader.BaseStream.Position) throw new System.IO.EndOfStreamException();
            for (int r = 0; r < count; r++) log._loss[r] = reader.ReadDouble();
            if (records)
                for (int i = 0; i < count * signals; i++) log._signals[i] = reader.ReadDouble();
            log.Count = count;
            return log;
        }

        private int IndexOrThrow(string name)
        {
            int index = SignalIndex(name);
            if (index < 0) throw new ArgumentException("no signal '" + name + "'; the law's signals: " + string.Join(", ", _signalNames), nameof(name));
            return index;
        }

        private int Check(int row)
        {
            if ((uint)row >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(row), row, "the log has " + Count + " rows");
            return row;
        }
    }
}
