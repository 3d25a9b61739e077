using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text;
using AE.Experiments.Machine;
using AE.Runtime;

namespace AE.Experiments.Training
{
    /// <summary>What a checkpoint belongs to: resuming needs every field equal.</summary>
    /// <param name="Cell">the cell's name</param>
    /// <param name="CellHash">SHA-256 of the cell's .ae files</param>
    /// <param name="Optimizer">the optimizer and its settings, as text (a law's name, file hash and --set values)</param>
    /// <param name="Threads">the parts the batch is split into (the gradient sums the parts in order, so another count changes its last bits)</param>
    /// <param name="Data">the task's <see cref="TrainingTask.DataIdentity"/>: the data set's samples as loaded ("" for generated data)</param>
    public sealed record CheckpointIdentity(string Cell, string CellHash, string Task, string Dtype, int Batch, int Time, long Seed, string Optimizer, int Threads = 1, string Data = "");

    /// <summary>
    /// A training run's whole state in one file: what it belongs to (<see cref="CheckpointIdentity"/>), the parameter
    /// names and shapes, the loss curve so far, the parameter vector bit for bit, and the optimizer's state
    /// (<see cref="LawState"/>: every field of a generated law or a baseline), then an end mark. Written atomically
    /// (<see cref="AtomicFile"/>); read whole and checked before anything of the run is changed.
    /// </summary>
    public static class TrainingCheckpoint
    {
        public const string Magic = "AE.TrainCheckpoint";
        public const int Version = 8;   // 3: the optimizer state in LawState format version 2 (with its layout hash); 4: the file's checksum; 5: the data's identity; 6: the run's stop; 7: the seed in 64 bits; 8: the run's key and its log

        private static readonly CheckpointFormat Format = new(Magic, Version, FirstChecksummed: 4);

        /// <param name="runKey">the run's key in the run store (<see cref="Machine.RunKeys"/>): kept from the run's start through every resume</param>
        public static void Save<T>(string path, CheckpointIdentity identity, Trainer<T> trainer, string runKey) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (identity is null) throw new ArgumentNullException(nameof(identity));
            if (runKey is null) throw new ArgumentNullException(nameof(runKey));
            if (trainer is null) throw new ArgumentNullException(nameof(trainer));
            var cell = trainer.Cell;
            byte[] lawState = LawState.Save(trainer.Optimizer);
            var theta = new double[cell.ParameterVector.Length];
            for (int i = 0; i < theta.Length; i++) theta[i] = double.CreateTruncating(cell.ParameterVector[i]);   // exact for float and double
            CheckpointFile.Write(path, Format, w =>
            {
                w.Write(identity.Cell);
                w.Write(identity.CellHash);
                w.Write(identity.Task);
                w.Write(identity.Dtype);
                w.Write(identity.Batch);
                w.Write(identity.Time);
                w.Write(identity.Seed);
                w.Write(identity.Optimizer);
                w.Write(identity.Threads);
                w.Write(identity.Data);
                w.Write(runKey);
                w.Write(Layout(cell.Parameters));
                CheckpointFile.WriteDoubles(w, trainer.Curve.ToArray());
                CheckpointFile.WriteDoubles(w, theta);
                WriteStop(w, trainer.Stop);
                trainer.Log.Write(w);
                CheckpointFile.WriteBlock(w, lawState);
            });
        }

        /// <summary>The run the checkpoint at <paramref name="path"/> belongs to, or null when it is not an intact training checkpoint.</summary>
        public static CheckpointIdentity? IdentityOf(string path)
            => CheckpointFile.Peek(path, Format, ReadIdentity);

        /// <summary>The run key of the checkpoint at <paramref name="path"/>, or null when it is not an intact training checkpoint.</summary>
        public static string? RunKeyOf(string path)
            => CheckpointFile.Peek(path, Format, r => { ReadIdentity(r); return r.ReadString(); });

        private static CheckpointIdentity ReadIdentity(BinaryReader r)
            => new(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadInt64(), r.ReadString(), r.ReadInt32(), r.ReadString());

        /// <summary>Restores <paramref name="trainer"/> from the checkpoint at <paramref name="path"/>; returns the epochs it holds.</summary>
        /// <exception cref="TrainingException">not a checkpoint, truncated, or of another cell, task, setting or optimizer; the run is left as it was</exception>
        public static int Load<T>(string path, CheckpointIdentity identity, Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
            => Load(path, identity, trainer, out _);

        /// <summary>As <see cref="Load{T}(string, CheckpointIdentity, Trainer{T})"/>, with the run's key it holds (<see cref="Machine.RunKeys"/>).</summary>
        public static int Load<T>(string path, CheckpointIdentity identity, Trainer<T> trainer, out string runKey) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (identity is null) throw new ArgumentNullException(nameof(identity));
            if (trainer is null) throw new ArgumentNullException(nameof(trainer));
            string key = "";
            var (curve, theta, stop, log, lawState) = CheckpointFile.Read(path, Format, "training checkpoint", (r, name) =>
            {
                var saved = ReadIdentity(r);
                key = r.ReadString();
                string layout = r.ReadString();
                Compare(name, saved, identity);
                string expected = Layout(trainer.Cell.Parameters);
                if (layout != expected) throw new TrainingException("the checkpoint " + name + " holds parameters " + layout + ", the cell's are " + expected);
                var curve = CheckpointFile.ReadDoubles(r);
                var theta = CheckpointFile.ReadDoubles(r);
                if (theta.Length != trainer.Cell.ParameterVector.Length)
                    throw new TrainingException("the checkpoint " + name + " holds " + theta.Length + " parameter values, the cell has " + trainer.Cell.ParameterVector.Length);
                var stop = ReadStop(r);
                RunLog log;
                try
                {
                    log = RunLog.Read(r, trainer.Optimizer.SignalNames, recordSignals: true);
                    if (log.Count != curve.Length) throw new InvalidDataException("its log holds " + log.Count + " epochs and its curve " + curve.Length);
                }
                catch (InvalidDataException ex)
                {
                    throw new TrainingException("the checkpoint " + name + " is damaged: " + ex.Message, ex);
                }
                return (curve, theta, stop, log, CheckpointFile.ReadBlock(r));
            }, (message, inner) => inner is null ? new TrainingException(message) : new TrainingException(message, inner));
            try
            {
                LawState.Load(trainer.Optimizer, lawState);   // checks everything before it writes
            }
            catch (Exception ex) when (ex is InvalidDataException or NotSupportedException)
            {
                throw new TrainingException("the checkpoint " + Path.GetFileName(path) + " does not restore the optimizer " + trainer.Optimizer.LawName + ": " + ex.Message, ex);
            }
            var target = trainer.Cell.ParameterVector;
            for (int i = 0; i < theta.Length; i++) target[i] = T.CreateTruncating(theta[i]);
            trainer.RestoreCurve(curve, log);
            trainer.RestoreStop(stop);
            runKey = key;
            return curve.Length;
        }

        /// <summary>The run's <see cref="Trainer{T}.Stop"/>: a flag, then its fields.</summary>
        private static void WriteStop(BinaryWriter w, TrainingStop? stop)
        {
            w.Write(stop is not null);
            if (stop is null) return;
            w.Write(stop.Epoch);
            w.Write((int)stop.Kind);
            w.Write(stop.Value);
            w.Write(stop.Parameter ?? "");
            w.Write(stop.Index ?? -1);
            w.Write(stop.KeptBefore ?? -1);
        }

        private static TrainingStop? ReadStop(BinaryReader r)
        {
            if (!r.ReadBoolean()) return null;
            int epoch = r.ReadInt32(), kind = r.ReadInt32();
            if (!Enum.IsDefined(typeof(TrainingStopKind), kind)) throw new FormatException("a stop of kind " + kind);
            double value = r.ReadDouble();
            string parameter = r.ReadString();
            int index = r.ReadInt32(), kept = r.ReadInt32();
            return new TrainingStop(epoch, (TrainingStopKind)kind, value, parameter.Length == 0 ? null : parameter, index < 0 ? null : index, kept < 0 ? null : kept);
        }

        private static void Compare(string name, CheckpointIdentity saved, CheckpointIdentity expected) => CheckpointFile.Compare(name, new (string, object, object)[]
        {
            ("cell", saved.Cell, expected.Cell),
            ("cell file hash", saved.CellHash, expected.CellHash),
            ("task", saved.Task, expected.Task),
            ("dtype", saved.Dtype, expected.Dtype),
            ("batch", saved.Batch, expected.Batch),
            ("time", saved.Time, expected.Time),
            ("seed", saved.Seed, expected.Seed),
            ("optimizer", saved.Optimizer, expected.Optimizer),
            ("thread count", saved.Threads, expected.Threads),
            ("data", saved.Data, expected.Data),
        }, message => new TrainingException(message));

        private static string Layout(IEnumerable<AE.Runtime.Cells.CellTensor> parameters) =>
            string.Join(", ", parameters.Select(p => p.Name + " [" + string.Join(", ", p.Shape) + "]"));
    }
}
