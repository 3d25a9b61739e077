using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;
using AE.Experiments.Training;
using AE.Runtime;

namespace AE.Experiments.Swarm
{
    /// <summary>A population run's whole state at the end of round <paramref name="Round"/> (1-based), when <paramref name="Compute"/> law steps were taken.</summary>
    public sealed record SwarmCheckpoint(int Round, long Compute, byte[] State);

    public static partial class SwarmRunner
    {
        private sealed partial class Engine
        {
            private const string Mark = "AE.SwarmState";
            private const int Version = 1;

            /// <summary>Whether every member's task can save its run state (every catalog task can): only then is there a state to hand out.</summary>
            private bool Resumable => _tasks.All(t => t is IResumableTask);

            /// <summary>
            /// The state between two rounds: the rounds so far, the next budgets, the population (<see cref="LawState"/>), and
            /// per member its θ, the point before it, its counters, fate, incidents, log and task's run state; and the step's
            /// buffers, so that nothing the next step reads is left to the fresh instance.
            /// </summary>
            private byte[] Save()
            {
                using var stream = new MemoryStream();
                using (var w = new BinaryWriter(stream))
                {
                    w.Write(Mark);
                    w.Write(Version);
                    w.Write((int)_method);
                    w.Write(_seed);
                    w.Write(_k);
                    w.Write(_n);
                    w.Write(_rounds.Count);
                    foreach (var r in _rounds) WriteRound(w, r);
                    Longs(w, _budgets);
                    CheckpointFile.WriteBlock(w, LawState.Save(_population));
                    for (int j = 0; j < _k; j++)
                    {
                        CheckpointFile.WriteDoubles(w, _theta[j]);
                        CheckpointFile.WriteDoubles(w, _before[j]);
                        CheckpointFile.WriteDoubles(w, _grad[j]);
                        w.Write(_taken[j]);
                        w.Write(_allotted[j]);
                        w.Write(_dead[j]);
                        w.Write(_initialLoss[j]);
                        w.Write(_gap[j]);
                        w.Write(_stop[j] is StopReason stop ? (int)stop : -1);
                        w.Write(_incidents[j].Count);
                        foreach (var incident in _incidents[j])
                        {
                            w.Write(incident.Step);
                            w.Write((int)incident.Kind);
                            w.Write(incident.Value);
                            w.Write(incident.Message);
                        }
                        _logs[j].Write(w);
                        using var task = new MemoryStream();
                        using (var tw = new BinaryWriter(task)) ((IResumableTask)_tasks[j]).WriteRunState(tw);
                        CheckpointFile.WriteBlock(w, task.ToArray());
                    }
                    CheckpointFile.WriteDoubles(w, _thetaAll);
                    CheckpointFile.WriteDoubles(w, _gradAll);
                    CheckpointFile.WriteDoubles(w, _lossAll);
                    CheckpointFile.WriteDoubles(w, _scratch);
                }
                return stream.ToArray();
            }

            /// <summary>Continues from a state <see cref="Save"/> wrote for the same law, task, method, seed and settings.</summary>
            /// <exception cref="InvalidDataException">a state of another run, or damaged</exception>
            public void Load(byte[] state)
            {
                try
                {
                    Read(state);
                }
                catch (Exception ex) when (ex is EndOfStreamException or FormatException)
                {
                    throw new InvalidDataException("the swarm state is damaged: " + ex.Message, ex);
                }
            }

            private void Read(byte[] state)
            {
                using var r = new BinaryReader(new MemoryStream(state, writable: false));
                if (r.ReadString() != Mark || r.ReadInt32() != Version) throw new InvalidDataException("not a swarm state of this version");
                if (r.ReadInt32() != (int)_method || r.ReadUInt64() != _seed || r.ReadInt32() != _k || r.ReadInt32() != _n)
                    throw new InvalidDataException("the swarm state is of another method, seed or size");
                int rounds = r.ReadInt32();
                _rounds.Clear();
                for (int i = 0; i < rounds; i++) _rounds.Add(ReadRound(r));
                _budgets = ReadLongs(r);
                if (_budgets.Length != _k) throw new InvalidDataException("a swarm state of another size");
                LawState.Load(_population, CheckpointFile.ReadBlock(r));
                for (int j = 0; j < _k; j++)
                {
                    ReadDoubles(r, _theta[j]);
                    ReadDoubles(r, _before[j]);
                    ReadDoubles(r, _grad[j]);
                    _taken[j] = r.ReadInt64();
                    _allotted[j] = r.ReadInt64();
                    _dead[j] = r.ReadBoolean();
                    _initialLoss[j] = r.ReadDouble();
                    _gap[j] = r.ReadDouble();
                    int stop = r.ReadInt32();
                    _stop[j] = stop < 0 ? null : (StopReason)stop;
                    int incidents = r.ReadInt32();
                    _incidents[j].Clear();
                    for (int i = 0; i < incidents; i++) _incidents[j].Add(new Incident(r.ReadInt64(), (IncidentKind)r.ReadInt32(), r.ReadDouble(), r.ReadString()));
                    _logs[j] = RunLog.Read(r, _population.SignalNames, _recordSignals);
                    using var task = new BinaryReader(new MemoryStream(CheckpointFile.ReadBlock(r), writable: false));
                    ((IResumableTask)_tasks[j]).ReadRunState(task);
                }
                ReadDoubles(r, _thetaAll);
                ReadDoubles(r, _gradAll);
                ReadDoubles(r, _lossAll);
                ReadDoubles(r, _scratch);
                if (r.BaseStream.Position != r.BaseStream.Length) throw new InvalidDataException("bytes after the swarm state");
            }

            private static void WriteRound(BinaryWriter w, SwarmRound r)
            {
                w.Write(r.Round);
                CheckpointFile.WriteDoubles(w, r.Scores.ToArray());
                w.Write(r.Weights is not null);
                if (r.Weights is not null) CheckpointFile.WriteDoubles(w, r.Weights.ToArray());
                Longs(w, r.Budgets.ToArray());
                w.Write(r.Consensus.Count);
                foreach (var (name, value) in r.Consensus)
                {
                    w.Write(name);
                    w.Write(value);
                }
                w.Write(r.Copies.Count);
                foreach (var (from, to) in r.Copies)
                {
                    w.Write(from);
                    w.Write(to);
                }
                w.Write(r.Compute);
            }

            private static SwarmRound ReadRound(BinaryReader r)
            {
                int round = r.ReadInt32();
                var scores = CheckpointFile.ReadDoubles(r);
                var weights = r.ReadBoolean() ? CheckpointFile.ReadDoubles(r) : null;
                var budgets = ReadLongs(r);
                var consensus = new Dictionary<string, double>(StringComparer.Ordinal);
                int names = r.ReadInt32();
                for (int i = 0; i < names; i++) consensus.Add(r.ReadString(), r.ReadDouble());
                var copies = new List<(int, int)>();
                int count = r.ReadInt32();
                for (int i = 0; i < count; i++) copies.Add((r.ReadInt32(), r.ReadInt32()));
                return new SwarmRound(round, scores, weights, budgets, consensus, copies, r.ReadInt64());
            }

            /// <summary>Reads into <paramref name="into"/>, which must have the saved length.</summary>
            private static void ReadDoubles(BinaryReader r, double[] into)
            {
                if (r.ReadInt32() != into.Length) throw new InvalidDataException("a swarm state of another dimension");
                for (int i = 0; i < into.Length; i++) into[i] = r.ReadDouble();
            }

            private static void Longs(BinaryWriter w, long[] values)
            {
                w.Write(values.Length);
                foreach (long v in values) w.Write(v);
            }

            private static long[] ReadLongs(BinaryReader r)
            {
                var values = new long[Count(r, 8)];
                for (int i = 0; i < values.Length; i++) values[i] = r.ReadInt64();
                return values;
            }

            private static int Count(BinaryReader r, int size)
            {
                int count = r.ReadInt32();
                if (count < 0 || (long)count * size > r.BaseStream.Length - r.BaseStream.Position) throw new InvalidDataException("a count past the end of the swarm state");
                return count;
            }
        }
    }
}
