using System;
using System.Collections.Generic;
using System.IO;

namespace AE.Experiments.Machine
{
    /// <summary>
    /// A <see cref="MachineRun"/> as bytes and back, exactly (every number as its 8 bytes): how a run crosses from
    /// a cluster's worker to the process that stores it and prints its table.
    /// </summary>
    public static class MachineRunBytes
    {
        /// <summary>
        /// The run as bytes: names, figures, metrics, incidents, the log (losses and, when recorded, signals; without
        /// <paramref name="log"/>, its signal names only, no rows), the final theta.
        /// </summary>
        public static byte[] Write(MachineRun run, bool log = true)
        {
            if (run is null) throw new ArgumentNullException(nameof(run));
            using var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream))
            {
                w.Write(run.LawName);
                w.Write(run.TaskName);
                w.Write(run.Seed);
                w.Write(run.MaxSteps);
                w.Write(run.TargetLoss);
                w.Write(run.OptimumLoss.HasValue);
                w.Write(run.OptimumLoss ?? 0);
                w.Write(run.InitialLoss);
                var m = run.Metrics;
                w.Write(m.StepsToTarget.HasValue);
                w.Write(m.StepsToTarget ?? 0);
                w.Write(m.FinalLoss);
                w.Write(m.Auc);
                w.Write(m.IncidentCount);
                w.Write(m.StepsTaken);
                w.Write((int)m.Stop);
                w.Write((int)m.Accept);
                w.Write(run.Incidents.Count);
                foreach (var incident in run.Incidents)
                {
                    w.Write(incident.Step);
                    w.Write((int)incident.Kind);
                    w.Write(incident.Value);
                    w.Write(incident.Message);
                }
                w.Write(run.Log.SignalNames.Count);
                foreach (var name in run.Log.SignalNames) w.Write(name);
                (log ? run.Log : new RunLog(run.Log.SignalNames, run.Log.RecordsSignals, 1)).Write(w);
                w.Write(run.FinalTheta.Length);
                foreach (double v in run.FinalTheta.Span) w.Write(v);
                w.Write(run.LyapunovSignal is not null);
                w.Write(run.LyapunovSignal ?? "");
            }
            return stream.ToArray();
        }

        /// <summary>The run <see cref="Write"/> wrote; bytes that are not one are an <see cref="InvalidDataException"/> or <see cref="EndOfStreamException"/>.</summary>
        public static MachineRun Read(byte[] bytes)
        {
            if (bytes is null) throw new ArgumentNullException(nameof(bytes));
            using var r = new BinaryReader(new MemoryStream(bytes, writable: false));
            string law = r.ReadString(), task = r.ReadString();
            ulong seed = r.ReadUInt64();
            long maxSteps = r.ReadInt64();
            double target = r.ReadDouble();
            bool hasOptimum = r.ReadBoolean();
            double optimum = r.ReadDouble(), initial = r.ReadDouble();
            bool reached = r.ReadBoolean();
            long toTarget = r.ReadInt64();
            var metrics = new RunMetrics(reached ? toTarget : null, r.ReadDouble(), r.ReadDouble(), r.ReadInt32(), r.ReadInt64(), (StopReason)r.ReadInt32(), (AcceptReason)r.ReadInt32());
            int count = Count(r);
            var incidents = new List<Incident>(count);
            for (int i = 0; i < count; i++) incidents.Add(new Incident(r.ReadInt64(), (IncidentKind)r.ReadInt32(), r.ReadDouble(), r.ReadString()));
            var names = new string[Count(r)];
            for (int i = 0; i < names.Length; i++) names[i] = r.ReadString();
            bool records = r.ReadBoolean();
            r.BaseStream.Position--;
            var log = RunLog.Read(r, names, records);
            var theta = new double[Count(r)];
            for (int i = 0; i < theta.Length; i++) theta[i] = r.ReadDouble();
            bool hasLyapunov = r.ReadBoolean();
            string lyapunov = r.ReadString();
            if (r.BaseStream.Position != r.BaseStream.Length) throw new InvalidDataException("bytes after the run");
            return new MachineRun(law, task, seed, maxSteps, target, hasOptimum ? optimum : null, initial, metrics, incidents, log, theta, hasLyapunov ? lyapunov : null);
        }

        private static int Count(BinaryReader r)
        {
            int count = r.ReadInt32();
            if (count < 0 || count > r.BaseStream.Length - r.BaseStream.Position) throw new InvalidDataException("a count of " + count + " past the end of the bytes");
            return count;
        }
    }
}
