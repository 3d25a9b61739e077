using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Experiments.Tasks;
using AE.Experiments.Training;
using AE.Runtime;

namespace AE.Experiments.Machine
{
    /// <summary>
    /// A run of the <see cref="AeMachine"/> at the top of step k (before the task's evaluation of θ_k): θ_k and the
    /// point before it, the loop's running figures (initial loss, divergence gap and latch, AUC terms, the AE-10 ring),
    /// the log and the incidents so far, the law's whole state (<see cref="LawState"/>) and the task's run state
    /// (<see cref="IResumableTask"/>). <see cref="AeMachine.Run(IOptimizerLaw, ulong, System.Threading.CancellationToken, MachineState?)"/>
    /// continues it bit for bit.
    /// </summary>
    public sealed class MachineState
    {
        internal MachineState(long step, double[] theta, double[] thetaBefore, RunLog log, List<Incident> incidents, byte[] lawState, byte[] taskState)
        {
            Step = step;
            Theta = theta;
            ThetaBefore = thetaBefore;
            Log = log;
            Incidents = incidents;
            LawStateBytes = lawState;
            TaskStateBytes = taskState;
        }

        /// <summary>k: the law steps taken.</summary>
        public long Step { get; }

        internal double[] Theta { get; }

        internal double[] ThetaBefore { get; }

        internal RunLog Log { get; }

        internal List<Incident> Incidents { get; }

        internal byte[] LawStateBytes { get; }

        internal byte[] TaskStateBytes { get; }

        internal double InitialLoss, DivergenceGap, Auc, LastTerm, FirstTerm, LastLoss;
        internal long Terms, LastLyapIncident;
        internal bool DivergenceArmed;
        internal double[] LyapRing = Array.Empty<double>();

        internal void Write(BinaryWriter w)
        {
            w.Write(Step);
            CheckpointFile.WriteDoubles(w, Theta);
            CheckpointFile.WriteDoubles(w, ThetaBefore);
            foreach (var v in new[] { InitialLoss, DivergenceGap, Auc, LastTerm, FirstTerm, LastLoss }) w.Write(v);
            w.Write(Terms);
            w.Write(LastLyapIncident);
            w.Write(DivergenceArmed);
            CheckpointFile.WriteDoubles(w, LyapRing);
            Log.Write(w);
            w.Write(Incidents.Count);
            foreach (var incident in Incidents)
            {
                w.Write(incident.Step);
                w.Write((int)incident.Kind);
                w.Write(incident.Value);
                w.Write(incident.Message);
            }
            CheckpointFile.WriteBlock(w, LawStateBytes);
            CheckpointFile.WriteBlock(w, TaskStateBytes);
        }

        internal static MachineState Read(BinaryReader r, IReadOnlyList<string> signalNames, bool recordSignals)
        {
            long step = r.ReadInt64();
            var theta = CheckpointFile.ReadDoubles(r);
            var before = CheckpointFile.ReadDoubles(r);
            var figures = new double[6];
            for (int i = 0; i < figures.Length; i++) figures[i] = r.ReadDouble();
            long terms = r.ReadInt64(), lastLyap = r.ReadInt64();
            bool armed = r.ReadBoolean();
            var ring = CheckpointFile.ReadDoubles(r);
            var log = RunLog.Read(r, signalNames, recordSignals);
            int count = r.ReadInt32();
            if (count < 0 || count > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
            var incidents = new List<Incident>(count);
            for (int i = 0; i < count; i++)
            {
                long at = r.ReadInt64();
                int kind = r.ReadInt32();
                if (!Enum.IsDefined(typeof(IncidentKind), kind)) throw new InvalidDataException("an incident of unknown kind " + kind);
                incidents.Add(new Incident(at, (IncidentKind)kind, r.ReadDouble(), r.ReadString()));
            }
            var lawState = CheckpointFile.ReadBlock(r);
            var taskState = CheckpointFile.ReadBlock(r);
            if (step < 0 || log.Count != step) throw new InvalidDataException("the log holds " + log.Count + " steps, the run " + step);
            return new MachineState(step, theta, before, log, incidents, lawState, taskState)
            {
                InitialLoss = figures[0], DivergenceGap = figures[1], Auc = figures[2], LastTerm = figures[3], FirstTerm = figures[4], LastLoss = figures[5],
                Terms = terms, LastLyapIncident = lastLyap, DivergenceArmed = armed, LyapRing = ring,
            };
        }
    }

    /// <summary>What a run checkpoint belongs to: resuming needs every field equal.</summary>
    /// <param name="LawHash">SHA-256 of the law's .ae files</param>
    /// <param name="Settings">the --set values as JSON</param>
    /// <param name="Ablated">the rules switched off, comma-separated</param>
    /// <param name="Steps">the step budget</param>
    public sealed record RunIdentity(string Law, string LawHash, string Settings, string Ablated, string Task, int Dimension, ulong Seed, long Steps);

    /// <summary>
    /// A run's key in the run store: made when the run starts, kept in its checkpoints, so that storing the run again
    /// after a resume (the first process stored it and was stopped before it removed its checkpoint, or two processes
    /// resumed one checkpoint) replaces the row it stored instead of adding a second (<c>RunRecord.Key</c>).
    /// </summary>
    public static class RunKeys
    {
        /// <summary>A new key: 128 random bits in hex.</summary>
        public static string New() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
    }

    /// <summary>
    /// A run of the <see cref="AeMachine"/> in one file (<see cref="CheckpointFile"/>'s frame, written atomically): the
    /// run's <see cref="RunIdentity"/>, then its <see cref="MachineState"/>. <see cref="Load"/> reads it whole, checks it,
    /// and only then restores the law's and the task's state.
    /// </summary>
    public static class MachineCheckpoint
    {
        public const string Magic = "AE.RunCheckpoint";
        public const int Version = 3;   // 2: the file's checksum; 3: the run's key

        private static readonly CheckpointFormat Format = new(Magic, Version, FirstChecksummed: 2);

        /// <param name="runKey">the run's key in the run store (<see cref="RunKeys"/>): kept from the run's start through every resume</param>
        public static void Save(string path, RunIdentity identity, MachineState state, string runKey)
        {
            if (identity is null) throw new ArgumentNullException(nameof(identity));
            if (runKey is null) throw new ArgumentNullException(nameof(runKey));
            if (state is null) throw new ArgumentNullException(nameof(state));
            CheckpointFile.Write(path, Format, w =>
            {
                w.Write(identity.Law);
                w.Write(identity.LawHash);
                w.Write(identity.Settings);
                w.Write(identity.Ablated);
                w.Write(identity.Task);
                w.Write(identity.Dimension);
                w.Write(identity.Seed);
                w.Write(identity.Steps);
                w.Write(runKey);
                state.Write(w);
            });
        }

        /// <summary>The run the checkpoint at <paramref name="path"/> belongs to, or null when it is not an intact run checkpoint.</summary>
        public static RunIdentity? IdentityOf(string path)
            => CheckpointFile.Peek(path, Format, ReadIdentity);

        private static RunIdentity ReadIdentity(BinaryReader r)
            => new(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt32(), r.ReadUInt64(), r.ReadInt64());

        /// <summary>
        /// Reads the checkpoint at <paramref name="path"/>, checks it against <paramref name="identity"/>, restores
        /// <paramref name="law"/>'s state and <paramref name="task"/>'s run state (after <c>task.Reset(seed)</c>), and
        /// returns the state to pass to <see cref="AeMachine.Run(IOptimizerLaw, ulong, System.Threading.CancellationToken, MachineState?)"/>.
        /// </summary>
        /// <exception cref="CheckpointException">not a run checkpoint, truncated, damaged, or of another run; the law is left as it was</exception>
        public static MachineState Load(string path, RunIdentity identity, IOptimizerLaw law, ITask task, bool recordSignals = true)
            => Load(path, identity, law, task, out _, recordSignals);

        /// <summary>As <see cref="Load(string, RunIdentity, IOptimizerLaw, ITask, bool)"/>, with the run's key it holds (<see cref="RunKeys"/>).</summary>
        public static MachineState Load(string path, RunIdentity identity, IOptimizerLaw law, ITask task, out string runKey, bool recordSignals = true)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (identity is null) throw new ArgumentNullException(nameof(identity));
            if (law is null) throw new ArgumentNullException(nameof(law));
            if (task is null) throw new ArgumentNullException(nameof(task));
            string name = Path.GetFileName(path);
            string key = "";
            var state = CheckpointFile.Read(path, Format, "run checkpoint", (r, file) =>
            {
                var saved = ReadIdentity(r);
                Compare(file, saved, identity);
                key = r.ReadString();
                try
                {
                    var s = MachineState.Read(r, law.SignalNames, recordSignals);
                    if (s.Theta.Length != identity.Dimension || s.ThetaBefore.Length != identity.Dimension)
                        throw new InvalidDataException("it holds " + s.Theta.Length + " parameter values, the task has " + identity.Dimension);
                    return s;
                }
                catch (InvalidDataException ex)
                {
                    throw new CheckpointException("the checkpoint " + file + " is damaged: " + ex.Message, ex);
                }
            }, (message, inner) => inner is null ? new CheckpointException(message) : new CheckpointException(message, inner));
            try
            {
                LawState.Load(law, state.LawStateBytes);   // checks everything before it writes
            }
            catch (Exception ex) when (ex is InvalidDataException or NotSupportedException)
            {
                throw new CheckpointException("the checkpoint " + name + " does not restore the law " + law.LawName + ": " + ex.Message, ex);
            }
            task.Reset(identity.Seed);
            if (task is IResumableTask resumable)
            {
                try
                {
                    using var reader = new BinaryReader(new MemoryStream(state.TaskStateBytes, writable: false));
                    resumable.ReadRunState(reader);
                    if (reader.BaseStream.Position != reader.BaseStream.Length) throw new InvalidDataException("bytes after its end");
                }
                catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
                {
                    throw new CheckpointException("the checkpoint " + name + " does not restore the task " + task.Name + ": " + ex.Message, ex);
                }
            }
            else if (state.TaskStateBytes.Length > 0) throw new CheckpointException("the checkpoint " + name + " holds a run state the task " + task.Name + " cannot take");
            runKey = key;
            return state;
        }

        /// <summary>The task's run state as bytes (empty for a resumable task that keeps none).</summary>
        /// <exception cref="NotSupportedException">the task is not an <see cref="IResumableTask"/>, so a run on it cannot be checkpointed</exception>
        internal static byte[] TaskState(ITask task)
        {
            if (task is not IResumableTask resumable)
                throw new NotSupportedException("the task " + task.Name + " cannot save its run state");
            using var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) resumable.WriteRunState(w);
            return stream.ToArray();
        }

        private static void Compare(string name, RunIdentity saved, RunIdentity expected) => CheckpointFile.Compare(name, new (string, object, object)[]
        {
            ("law", saved.Law, expected.Law),
            ("law file hash", saved.LawHash, expected.LawHash),
            ("task", saved.Task, expected.Task),
            ("dimension", saved.Dimension, expected.Dimension),
            ("seed", saved.Seed, expected.Seed),
            ("step budget", saved.Steps, expected.Steps),
            ("settings", saved.Settings, expected.Settings),
            ("ablation", saved.Ablated.Length == 0 ? "(none)" : saved.Ablated, expected.Ablated.Length == 0 ? "(none)" : expected.Ablated),
        }, message => new CheckpointException(message));
    }
}
