using System;
using System.Globalization;
using System.IO;
using System.Text;
using AE.Experiments.Machine;

namespace AE.Cli
{
    /// <summary>
    /// The table <c>ae run --out DIR</c> writes: <c>run-ID.csv</c> (step, loss and every signal, one row per law step);
    /// its plots, <c>run-ID.svg</c> and <c>run-ID.png</c>, are <see cref="Plots.RunFigure"/>'s.
    /// </summary>
    internal static class RunFiles
    {
        /// <summary>
        /// <c>step,loss,SIGNAL...</c>: step k = 1, 2, ... is the k-th law step, loss the loss handed to it (at theta
        /// before the step), each signal its value after the step; numbers round-trip, non-finite ones are
        /// <c>nan</c>, <c>inf</c>, <c>-inf</c>. A signal named <c>loss</c> (a law whose loss input has another name) is the
        /// column <c>signal loss</c>: two columns of one name read as one by a reader that keys on the header.
        /// </summary>
        public static void WriteCsv(MachineRun run, TextWriter writer)
        {
            var log = run.Log;
            writer.Write("step,loss");
            if (log.RecordsSignals) foreach (var name in log.SignalNames) writer.Write("," + ColumnOf(name));
            writer.Write('\n');
            var sb = new StringBuilder();
            for (int row = 0; row < log.Count; row++)
            {
                sb.Clear();
                sb.Append((row + 1).ToString(CultureInfo.InvariantCulture)).Append(',').Append(ReplayOutput.Num(log.Loss(row)));
                if (log.RecordsSignals)
                    for (int i = 0; i < log.SignalCount; i++) sb.Append(',').Append(ReplayOutput.Num(log.Signal(row, i)));
                sb.Append('\n');
                writer.Write(sb.ToString());
            }
        }

        /// <summary>A signal's column: its name, or <c>signal NAME</c> where the name is one of the columns before it.</summary>
        public static string ColumnOf(string signal) => signal is "step" or "loss" ? "signal " + signal : signal;
    }
}
