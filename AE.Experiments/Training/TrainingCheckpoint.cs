using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text;
using AE.Runtime;

namespace AE.Experiments.Training
{
    /// <summary>What a checkpoint belongs to: resuming needs every field equal.</summary>
    /// <param name="Cell">the cell's name</param>
    /// <param name="CellHash">SHA-256 of the cell's .ae files</param>
    /// <param name="Optimizer">the optimizer and its settings, as text (a law's name, file hash and --set values)</param>
    /// <param name="Threads">the parts the batch is split into (the gradient sums the parts in order, so another count changes its last bits)</param>
    public sealed record CheckpointIdentity(string Cell, string CellHash, string Task, string Dtype, int Batch, int Time, int Seed, string Optimizer, int Threads = 1);

    /// <summary>
    /// A training run's whole state in one file: what it belongs to (<see cref="CheckpointIdentity"/>), the parameter
    /// names and shapes, the loss curve so far, the parameter vector bit for bit, and the optimizer's state
    /// (<see cref="LawState"/>: every field of a generated law or a baseline), then an end mark. Written atomically
    /// (<see cref="AtomicFile"/>); read whole and checked before anything of the run is changed.
    /// </summary>
    public static class TrainingCheckpoint
    {
        public const string Magic = "AE.TrainCheckpoint";
        public const int Version = 3;   // 3: the optimizer state in LawState format version 2 (with its layout hash)
        private const string End = "AE.TrainCheckpoint.End";

        public static void Save<T>(string path, CheckpointIdentity identity, Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (identity is null) throw new ArgumentNullException(nameof(identity));
            if (trainer is null) throw new ArgumentNullException(nameof(trainer));
            var cell = trainer.Cell;
            byte[] lawState = LawState.Save(trainer.Optimizer);
            AtomicFile.Write(path, stream =>
            {
                using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                w.Write(Magic);
                w.Write(Version);
                w.Write(identity.Cell);
                w.Write(identity.CellHash);
                w.Write(identity.Task);
                w.Write(identity.Dtype);
                w.Write(identity.Batch);
                w.Write(identity.Time);
                w.Write(identity.Seed);
                w.Write(identity.Optimizer);
                w.Write(identity.Threads);
                w.Write(Layout(cell.Parameters));
                w.Write(trainer.Curve.Count);
                foreach (var loss in trainer.Curve) w.Write(loss);
                var theta = cell.ParameterVector;
                w.Write(theta.Length);
                foreach (var v in theta) w.Write(double.CreateTruncating(v));   // exact for float and double
                w.Write(lawState.Length);
                w.Write(lawState);
                w.Write(End);
            });
        }

        /// <summary>Restores <paramref name="trainer"/> from the checkpoint at <paramref name="path"/>; returns the epochs it holds.</summary>
        /// <exception cref="TrainingException">not a checkpoint, truncated, or of another cell, task, setting or optimizer; the run is left as it was</exception>
        public static int Load<T>(string path, CheckpointIdentity identity, Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (identity is null) throw new ArgumentNullException(nameof(identity));
            if (trainer is null) throw new ArgumentNullException(nameof(trainer));
            string name = Path.GetFileName(path);
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new TrainingException("cannot read the checkpoint " + name + ": " + ex.Message, ex);
            }
            double[] curve, theta;
            byte[] lawState;
            try
            {
                using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
                byte[] magic = MagicBytes();
                if (bytes.Length < magic.Length && magic.AsSpan().StartsWith(bytes)) throw new TrainingException("the checkpoint " + name + " is truncated");
                if (!bytes.AsSpan().StartsWith(magic)) throw new TrainingException("the file " + name + " is not a training checkpoint");
                r.ReadString();
                int version = r.ReadInt32();
                if (version != Version) throw new TrainingException("the checkpoint " + name + " is of format version " + version + "; this build reads version " + Version);
                var saved = new CheckpointIdentity(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadString(), r.ReadInt32());
                string layout = r.ReadString();
                Compare(name, saved, identity);
                string expected = Layout(trainer.Cell.Parameters);
                if (layout != expected) throw new TrainingException("the checkpoint " + name + " holds parameters " + layout + ", the cell's are " + expected);
                curve = ReadDoubles(r, name);
                theta = ReadDoubles(r, name);
                if (theta.Length != trainer.Cell.ParameterVector.Length)
                    throw new TrainingException("the checkpoint " + name + " holds " + theta.Length + " parameter values, the cell has " + trainer.Cell.ParameterVector.Length);
                int stateLength = r.ReadInt32();
                if (stateLength < 0) throw new TrainingException("the checkpoint " + name + " is damaged (an optimizer state of " + stateLength + " bytes)");
                if (stateLength > bytes.Length - r.BaseStream.Position) throw new TrainingException("the checkpoint " + name + " is truncated");
                lawState = r.ReadBytes(stateLength);
                if (lawState.Length != stateLength || r.ReadString() != End) throw new TrainingException("the checkpoint " + name + " is truncated");
            }
            catch (EndOfStreamException ex)
            {
                throw new TrainingException("the checkpoint " + name + " is truncated", ex);
            }
            catch (Exception ex) when (ex is IOException or FormatException or DecoderFallbackException)
            {
                throw new TrainingException("the checkpoint " + name + " is damaged: " + ex.Message, ex);
            }
            try
            {
                LawState.Load(trainer.Optimizer, lawState);   // checks everything before it writes
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or NotSupportedException)
            {
                throw new TrainingException("the checkpoint " + name + " does not restore the optimizer " + trainer.Optimizer.LawName + ": " + ex.Message, ex);
            }
            var target = trainer.Cell.ParameterVector;
            for (int i = 0; i < theta.Length; i++) target[i] = T.CreateTruncating(theta[i]);
            trainer.RestoreCurve(curve);
            return curve.Length;
        }

        private static void Compare(string name, CheckpointIdentity saved, CheckpointIdentity expected)
        {
            void Check(string what, object have, object want)
            {
                if (!Equals(have, want)) throw new TrainingException("the checkpoint " + name + " is of " + what + " " + have + ", this run's is " + want);
            }
            Check("cell", saved.Cell, expected.Cell);
            Check("cell file hash", saved.CellHash, expected.CellHash);
            Check("task", saved.Task, expected.Task);
            Check("dtype", saved.Dtype, expected.Dtype);
            Check("batch", saved.Batch, expected.Batch);
            Check("time", saved.Time, expected.Time);
            Check("seed", saved.Seed, expected.Seed);
            Check("optimizer", saved.Optimizer, expected.Optimizer);
            Check("thread count", saved.Threads, expected.Threads);
        }

        /// <summary>How <see cref="Magic"/> begins the file: a length-prefixed UTF-8 string.</summary>
        private static byte[] MagicBytes()
        {
            using var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) w.Write(Magic);
            return stream.ToArray();
        }

        private static double[] ReadDoubles(BinaryReader r, string name)
        {
            int n = r.ReadInt32();
            if (n < 0 || (long)n * 8 > r.BaseStream.Length - r.BaseStream.Position) throw new TrainingException("the checkpoint " + name + " is truncated");
            var a = new double[n];
            for (int i = 0; i < n; i++) a[i] = r.ReadDouble();
            return a;
        }

        private static string Layout(IEnumerable<AE.Runtime.Cells.CellTensor> parameters) =>
            string.Join(", ", parameters.Select(p => p.Name + " [" + string.Join(", ", p.Shape) + "]"));
    }
}
