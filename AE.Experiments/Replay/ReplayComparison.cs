using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AE.Experiments.Replay
{
    /// <summary>Where a golden column's values come from in a recorded trajectory.</summary>
    public enum ColumnSourceKind
    {
        /// <summary>The law's signal (<c>loss</c> reads the signal <c>L</c>).</summary>
        Signal,

        /// <summary>An element of theta (<c>theta3</c>).</summary>
        Theta,
    }

    /// <summary>How one compared column maps onto a trajectory.</summary>
    public readonly record struct ColumnSource(ColumnSourceKind Kind, int Index, string Name)
    {
        public double Read(Trajectory trajectory, int row) => Kind == ColumnSourceKind.Theta ? trajectory.Theta(row, Index) : trajectory.Signal(row, Index);
    }

    /// <summary>The largest deviations of one column from its reference, and whether every value was within tolerance.</summary>
    /// <param name="Column">the golden column</param>
    /// <param name="Source">what it was compared with: <c>signal L</c>, <c>theta[0]</c></param>
    /// <param name="MaxAbs">the largest |actual − expected|</param>
    /// <param name="MaxAbsStep">the (1-based) step where it occurred first</param>
    /// <param name="MaxRel">the largest |actual − expected| / |expected| (+∞ where expected is 0 and actual is not)</param>
    /// <param name="MaxRelStep">the step where it occurred first</param>
    /// <param name="Failures">how many steps were out of tolerance</param>
    /// <param name="FirstFailureStep">the first such step, 0 when none</param>
    /// <param name="FirstFailureExpected">the reference value there (NaN when none)</param>
    /// <param name="FirstFailureActual">the recorded value there (NaN when none)</param>
    public sealed record ColumnDeviation(
        string Column,
        string Source,
        double MaxAbs,
        int MaxAbsStep,
        double MaxRel,
        int MaxRelStep,
        int Failures,
        int FirstFailureStep,
        double FirstFailureExpected,
        double FirstFailureActual)
    {
        public bool Within => Failures == 0;
    }

    /// <summary>A trajectory compared with a golden case, column by column.</summary>
    public sealed record ReplayReport(string CaseName, int Steps, Tolerance Tolerance, IReadOnlyList<ColumnDeviation> Columns)
    {
        /// <summary>Every value of every column at every step within tolerance.</summary>
        public bool Within => Columns.All(c => c.Within);

        public IReadOnlyList<ColumnDeviation> Failed => Columns.Where(c => !c.Within).ToList();

        /// <summary>The earliest out-of-tolerance value (ties: the first column), or null.</summary>
        public ColumnDeviation? FirstFailure => Columns.Where(c => !c.Within).OrderBy(c => c.FirstFailureStep).FirstOrDefault();

        public ColumnDeviation Column(string name) => Columns.FirstOrDefault(c => c.Column == name)
            ?? throw new ArgumentException("no column '" + name + "' in the report", nameof(name));
    }

    /// <summary>
    /// Compares a recorded trajectory with a golden case's reference columns. <c>step</c> is the row
    /// number and is not compared; <c>loss</c> maps to the law's signal <c>L</c> (the loss as the law
    /// saw it: sanitised and clamped, as the seed returns it); <c>theta0</c>..<c>thetaK</c> to theta;
    /// every other column to the law's signal of the same name. A value is within tolerance when
    /// |actual − expected| ≤ abs or ≤ rel·|expected|.
    /// </summary>
    public static class ReplayComparison
    {
        /// <summary>The signal the column <c>loss</c> reads.</summary>
        public const string LossSignal = "L";

        /// <summary>Compares every column of <paramref name="golden"/> but <c>step</c> over its <see cref="GoldenCase.Steps"/> rows.</summary>
        /// <exception cref="ReplayException">a column the trajectory cannot supply, or a trajectory shorter than the case</exception>
        public static ReplayReport Compare(GoldenCase golden, Trajectory trajectory)
        {
            if (golden is null) throw new ArgumentNullException(nameof(golden));
            if (trajectory is null) throw new ArgumentNullException(nameof(trajectory));
            var sources = Resolve(golden.Columns, trajectory);
            if (trajectory.Count < golden.Steps)
                throw new ReplayException("the trajectory has " + trajectory.Count + " steps, the case " + golden.Name + " has " + golden.Steps);

            var columns = new List<ColumnDeviation>();
            for (int c = 0; c < golden.Columns.Count; c++)
            {
                if (sources[c] is not ColumnSource source) continue;
                columns.Add(CompareColumn(golden.Columns[c], source, golden.Steps, golden.Tolerance,
                    row => golden.Value(row, c), row => source.Read(trajectory, row)));
            }
            return new ReplayReport(golden.Name, golden.Steps, golden.Tolerance, columns);
        }

        /// <summary>The source of each column (null for <c>step</c>).</summary>
        /// <exception cref="ReplayException">a column the trajectory has no value for</exception>
        public static IReadOnlyList<ColumnSource?> Resolve(IReadOnlyList<string> columns, Trajectory trajectory)
        {
            if (columns is null) throw new ArgumentNullException(nameof(columns));
            if (trajectory is null) throw new ArgumentNullException(nameof(trajectory));
            var result = new ColumnSource?[columns.Count];
            for (int c = 0; c < columns.Count; c++)
            {
                string column = columns[c];
                if (column == "step") continue;
                if (TryThetaIndex(column, out int index))
                {
                    if (index >= trajectory.Dimension)
                        throw new ReplayException("the column '" + column + "' needs theta[" + index + "], but theta has " + trajectory.Dimension + " values");
                    result[c] = new ColumnSource(ColumnSourceKind.Theta, index, "theta[" + index.ToString(CultureInfo.InvariantCulture) + "]");
                    continue;
                }
                string signal = column == "loss" ? LossSignal : column;
                int i = trajectory.SignalIndex(signal);
                if (i < 0)
                    throw new ReplayException("the column '" + column + "' needs the signal '" + signal + "', which the law does not have; "
                        + (trajectory.SignalCount == 0 ? "it has no signals" : "its signals: " + string.Join(", ", trajectory.SignalNames)));
                result[c] = new ColumnSource(ColumnSourceKind.Signal, i, "signal " + signal);
            }
            return result;
        }

        /// <summary>Compares <paramref name="steps"/> values of one column.</summary>
        public static ColumnDeviation CompareColumn(string column, ColumnSource source, int steps, Tolerance tolerance, Func<int, double> expected, Func<int, double> actual)
        {
            if (expected is null) throw new ArgumentNullException(nameof(expected));
            if (actual is null) throw new ArgumentNullException(nameof(actual));
            double maxAbs = -1, maxRel = -1;
            int maxAbsStep = 0, maxRelStep = 0, failures = 0, firstFailure = 0;
            double failExpected = double.NaN, failActual = double.NaN;
            for (int row = 0; row < steps; row++)
            {
                double want = expected(row), got = actual(row);
                double abs = Deviation.Absolute(got, want);
                double rel = Deviation.Relative(got, want);
                if (abs > maxAbs) { maxAbs = abs; maxAbsStep = row + 1; }
                if (rel > maxRel) { maxRel = rel; maxRelStep = row + 1; }
                if (!tolerance.Accepts(got, want))
                {
                    if (failures == 0) { firstFailure = row + 1; failExpected = want; failActual = got; }
                    failures++;
                }
            }
            return new ColumnDeviation(column, source.Name, Math.Max(maxAbs, 0), maxAbsStep, Math.Max(maxRel, 0), maxRelStep,
                failures, firstFailure, failExpected, failActual);
        }

        /// <summary><c>theta12</c> → 12.</summary>
        public static bool TryThetaIndex(string column, out int index)
        {
            index = -1;
            if (column is null || !column.StartsWith("theta", StringComparison.Ordinal) || column.Length == 5) return false;
            string digits = column.Substring(5);
            if (digits.Length > 1 && digits[0] == '0') return false;
            foreach (char ch in digits) if (ch < '0' || ch > '9') return false;
            return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out index);
        }
    }
}
