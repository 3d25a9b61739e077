using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using AE.Experiments.Compilation;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;
using AE.Runtime;

namespace AE.Experiments.Swarm
{
    /// <summary>What happened at the end of one round: each member's score, weight and next budget, and what the method did.</summary>
    /// <param name="Round">1-based</param>
    /// <param name="Scores">ln(max(exact loss − optimum, 0) + 1e-12) per member (+∞ for a dead member)</param>
    /// <param name="Weights">the soft-selection weights (AE-Swarm), else null</param>
    /// <param name="Budgets">the steps each member gets in the next round (empty after the last)</param>
    /// <param name="Consensus">the weighted mean of each coefficient that AE-Swarm nudged toward, by name</param>
    /// <param name="Copies">PBT's exploits: (from, to)</param>
    /// <param name="Compute">the law steps taken by all members so far</param>
    public sealed record SwarmRound(int Round, IReadOnlyList<double> Scores, IReadOnlyList<double>? Weights, IReadOnlyList<long> Budgets,
        IReadOnlyDictionary<string, double> Consensus, IReadOnlyList<(int From, int To)> Copies, long Compute);

    /// <summary>A population run: every member's run (as the machine reports one) and the rounds.</summary>
    /// <param name="Winner">the member that reached the target first, or null</param>
    /// <param name="ComputeToTarget">the law steps all members had taken when the winner's θ was at target, or null</param>
    /// <param name="Compute">the law steps all members took</param>
    public sealed record SwarmRun(SwarmMethod Method, ulong Seed, SwarmSettings Settings, IReadOnlyList<MachineRun> Members, IReadOnlyList<SwarmRound> Rounds,
        int? Winner, long? ComputeToTarget, long Compute, bool Cancelled)
    {
        public bool Reached => Winner is not null;

        /// <summary>
        /// The winner when there is one, else the surviving member with the lowest final loss (the lower index on ties);
        /// null when every member died. A dead member's final loss is that of its last finite θ, before it diverged: it is
        /// no result of the run, however low.
        /// </summary>
        public int? Best => Winner ?? Enumerable.Range(0, Members.Count).Where(j => !IsDead(Members[j]))
            .OrderBy(j => double.IsNaN(Members[j].FinalLoss) ? double.PositiveInfinity : Members[j].FinalLoss).ThenBy(j => j)
            .Select(j => (int?)j).FirstOrDefault();

        /// <summary>Members that diverged or hit a non-finite value (and were not revived by PBT).</summary>
        public int Dead => Members.Count(IsDead);

        /// <summary>
        /// Every time a member diverged or hit a non-finite value: <see cref="Dead"/>, and PBT's members that died and were
        /// replaced by a copy (their incidents keep the death), so that the methods' safety compares like for like.
        /// </summary>
        public int Deaths => Members.Sum(m => m.Incidents.Count(i => i.Kind is IncidentKind.Divergence or IncidentKind.NonFiniteLoss
            or IncidentKind.NonFiniteGradient or IncidentKind.NonFiniteTheta));

        private static bool IsDead(MachineRun member) => member.Stop is StopReason.Diverged or StopReason.NonFinite;
    }

    /// <summary>
    /// Runs K controllers of one law as a generated population (stepped together) on K copies of a task, in rounds,
    /// with AE-Swarm, independent runs or PBT between the rounds (<see cref="SwarmMethod"/>). Member j of seed s runs
    /// the task with seed s·K + j, and its controller is the law built with its own options and seed s·K + j (the
    /// population's promise), so with <see cref="SwarmMethod.Independent"/> member j is, step for step, the machine's
    /// run of that law on that task and seed. Each step evaluates every member whose round budget is not spent; a
    /// member whose budget is spent is frozen (its lane saved, and restored at the end of the round), so it takes no
    /// step and costs nothing. The population's step counter (the law's <c>step</c>, and the index of its noise draws)
    /// counts the population's steps, not a member's. The run stops when a member's loss reaches the task's target
    /// (as the machine judges it); a member whose loss diverges (1e4 × its initial gap) or turns non-finite is dead.
    /// Everything is sequential and seeded: the same inputs give the same run, bit for bit.
    /// </summary>
    public static partial class SwarmRunner
    {
        /// <summary>The divergence factor, as the machine's default.</summary>
        public const double DivergenceFactor = 1e4;

        /// <summary>ε in the score ln(max(gap, 0) + ε).</summary>
        public const double ScoreEpsilon = 1e-12;

        /// <summary>The machine's settings where a member's run is judged as the machine judges a single run (exact checks, the AUC).</summary>
        private static readonly MachineOptions MachineDefaults = new();

        /// <summary>Member <paramref name="member"/>'s task and controller seed in run <paramref name="seed"/> of K members.</summary>
        public static ulong MemberSeed(ulong seed, int members, int member) => unchecked(seed * (ulong)members + (ulong)member);

        /// <summary>The generated population type of a compiled law.</summary>
        public static Type PopulationType(CompiledLaw law)
        {
            if (law is null) throw new ArgumentNullException(nameof(law));
            return law.Type.Assembly.GetType(law.Type.FullName + "Population")
                ?? throw new LawInputException("the law " + law.Name + " has no generated population (a lagged variant has none yet); name its base law");
        }

        /// <param name="law">the law</param>
        /// <param name="options">one instance of the law's Options per member</param>
        /// <param name="createTask">a fresh task instance (one per member)</param>
        /// <param name="progress">called after each round with (compute so far, compute in all)</param>
        /// <param name="resume">a state <paramref name="roundEnded"/> handed out for these same inputs: the run goes on from the round after it, bit for bit</param>
        /// <param name="roundEnded">called at the end of each round that another follows, with the run's whole state then (null where a task cannot save its state)</param>
        public static SwarmRun Run(CompiledLaw law, IReadOnlyList<object> options, Func<ITask> createTask, SwarmMethod method, SwarmSettings settings, ulong seed,
            bool recordSignals = true, CancellationToken cancellation = default, Action<long, long>? progress = null, byte[]? resume = null,
            Action<SwarmCheckpoint>? roundEnded = null)
        {
            if (law is null) throw new ArgumentNullException(nameof(law));
            if (options is null) throw new ArgumentNullException(nameof(options));
            if (createTask is null) throw new ArgumentNullException(nameof(createTask));
            if (settings is null) throw new ArgumentNullException(nameof(settings));
            if (settings.Problem() is string problem) throw new ArgumentException(problem, nameof(settings));
            int k = settings.Members;
            if (options.Count != k) throw new ArgumentException(options.Count + " options for " + k + " members", nameof(options));
            var engine = new Engine(law, options, createTask, method, settings, seed, recordSignals, cancellation, progress);
            if (resume is not null) engine.Load(resume);
            return engine.Run(roundEnded);
        }

        /// <summary>
        /// AE-Swarm's consensus (step 5): for each scalar coefficient c of the law, c̄ = Σ_i w_i c_i over the live members
        /// (of log c for a log-space coefficient), then every live member's c ← (1 − κ) c + κ c̄ (in log space for a
        /// log-space one), projected onto its bounds. Returns c̄ per coefficient.
        /// </summary>
        public static IReadOnlyDictionary<string, double> Consensus(PopulationLanes lanes, IReadOnlyList<double> weights, double kappa, IReadOnlyList<bool> dead)
        {
            if (lanes is null) throw new ArgumentNullException(nameof(lanes));
            if (weights is null) throw new ArgumentNullException(nameof(weights));
            if (dead is null) throw new ArgumentNullException(nameof(dead));
            int k = lanes.Count;
            if (weights.Count != k || dead.Count != k) throw new ArgumentException("one weight and one dead flag per member are needed", nameof(weights));
            var targets = new Dictionary<string, double>(StringComparer.Ordinal);
            if (kappa == 0) return targets;
            var values = new double[k];
            var live = new double[k];
            for (int j = 0; j < k; j++) live[j] = dead[j] ? 0 : weights[j];
            foreach (var c in lanes.Coefficients)
            {
                bool positive = true;
                for (int j = 0; j < k; j++)
                {
                    values[j] = dead[j] ? double.NaN : lanes.ReadCoefficient(j, c.Name);
                    if (live[j] != 0 && !(values[j] > 0)) positive = false;
                }
                bool log = c.LogSpace && positive;
                double target = SwarmMath.WeightedMean(values, live, log);
                if (!double.IsFinite(target)) continue;
                targets[c.Name] = target;
                for (int j = 0; j < k; j++)
                    if (!dead[j] && (!log || values[j] > 0)) lanes.WriteCoefficient(j, c, SwarmMath.Nudge(values[j], target, kappa, log));
            }
            return targets;
        }

        private sealed partial class Engine
        {
            private readonly CompiledLaw _law;
            private readonly SwarmMethod _method;
            private readonly SwarmSettings _s;
            private readonly ulong _seed;
            private readonly CancellationToken _cancel;
            private readonly Action<long, long>? _progress;
            private readonly int _k, _n;
            private readonly ITask[] _tasks;
            private readonly IOptimizerPopulation _population;
            private readonly PopulationLanes _lanes;
            private readonly double[][] _theta, _grad, _before;
            private readonly double[] _thetaAll, _gradAll, _lossAll, _scratch;
            private readonly long[] _taken, _allotted;
            private readonly bool[] _dead, _active;
            private readonly double[] _initialLoss, _gap;
            private readonly StopReason?[] _stop;
            private readonly RunLog[] _logs;
            private readonly List<Incident>[] _incidents;
            private readonly double _target, _reference;
            private readonly int _alpha;
            private readonly bool _recordSignals;
            private readonly List<SwarmRound> _rounds = new();
            private long[] _budgets;
            private int? _winner;
            private long? _computeToTarget;
            private bool _cancelled;

            public Engine(CompiledLaw law, IReadOnlyList<object> options, Func<ITask> createTask, SwarmMethod method, SwarmSettings settings, ulong seed,
                bool recordSignals, CancellationToken cancellation, Action<long, long>? progress)
            {
                _law = law;
                _recordSignals = recordSignals;
                _method = method;
                _s = settings;
                _seed = seed;
                _cancel = cancellation;
                _progress = progress;
                _k = settings.Members;
                _tasks = new ITask[_k];
                for (int j = 0; j < _k; j++) _tasks[j] = createTask();
                _n = _tasks[0].Dimension;
                var optionsType = Replay.LawSettings.OptionsType(law.Type);
                var array = Array.CreateInstance(optionsType, _k);
                for (int j = 0; j < _k; j++) array.SetValue(options[j], j);
                try
                {
                    _population = (IOptimizerPopulation)Activator.CreateInstance(SwarmRunner.PopulationType(law), _k, _n, array, MemberSeed(seed, _k, 0))!;
                }
                catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                    throw;
                }
                _lanes = new PopulationLanes(_population, law.Target.Unit);
                _alpha = _lanes.Coefficients.ToList().FindIndex(c => c.Name == "alpha");
                _theta = new double[_k][];
                _grad = new double[_k][];
                _before = new double[_k][];
                _thetaAll = new double[_n * _k];
                _gradAll = new double[_n * _k];
                _lossAll = new double[_k];
                _scratch = new double[_n];
                _taken = new long[_k];
                _allotted = new long[_k];
                _dead = new bool[_k];
                _active = new bool[_k];
                _initialLoss = new double[_k];
                _gap = new double[_k];
                _stop = new StopReason?[_k];
                _logs = new RunLog[_k];
                _incidents = new List<Incident>[_k];
                var task0 = _tasks[0];
                _target = task0.TargetLoss;
                _reference = task0.OptimumLoss ?? 0;
                for (int j = 0; j < _k; j++)
                {
                    ulong ms = MemberSeed(seed, _k, j);
                    _theta[j] = new double[_n];
                    _grad[j] = new double[_n];
                    _tasks[j].Reset(ms);
                    _tasks[j].InitialTheta(ms, _theta[j]);
                    _before[j] = (double[])_theta[j].Clone();
                    _initialLoss[j] = double.NaN;
                    _logs[j] = new RunLog(_population.SignalNames, recordSignals, (int)Math.Min(settings.StepsPerMember + 1, 4096));
                    _incidents[j] = new List<Incident>();
                }
                _budgets = Equal();
            }

            private long Compute => _taken.Sum();

            public SwarmRun Run(Action<SwarmCheckpoint>? roundEnded)
            {
                var rounds = _rounds;
                var budgets = _budgets;
                long all = (long)_s.Rounds * _s.RoundTotal;
                for (int round = rounds.Count + 1; round <= _s.Rounds; round++)
                {
                    for (int j = 0; j < _k; j++) _allotted[j] += budgets[j];
                    StepRound(budgets);
                    if (_winner is null && !_cancelled) CheckAtRoundEnd();
                    var scores = Scores();
                    bool last = round == _s.Rounds || _winner is not null || _cancelled || _dead.All(d => d);
                    double[]? weights = null;
                    var consensus = new Dictionary<string, double>(StringComparer.Ordinal);
                    var copies = new List<(int, int)>();
                    if (!last)
                    {
                        switch (_method)
                        {
                            case SwarmMethod.Swarm:
                                weights = SwarmMath.Weights(scores, _s.Temperature);
                                foreach (var (name, value) in Consensus(_lanes, weights, _s.Kappa, _dead)) consensus[name] = value;
                                Dither(scores, round);
                                budgets = SwarmMath.Budgets(weights, _s.RoundTotal, _s.RoundMinimum, _dead);
                                break;
                            case SwarmMethod.Pbt:
                                ExploitExplore(scores, round, copies);
                                budgets = Equal();
                                break;
                            default:
                                budgets = Equal();
                                break;
                        }
                    }
                    rounds.Add(new SwarmRound(round, scores, weights, last ? Array.Empty<long>() : budgets, consensus, copies, Compute));
                    _progress?.Invoke(Compute, all);
                    if (last) break;
                    _budgets = budgets;
                    if (roundEnded is not null && Resumable) roundEnded(new SwarmCheckpoint(round, Compute, Save()));
                }
                return new SwarmRun(_method, _seed, _s, Members(), rounds, _winner, _computeToTarget, Compute, _cancelled);
            }

            private long[] Equal()
            {
                var b = new long[_k];
                for (int j = 0; j < _k; j++) b[j] = _dead[j] ? 0 : _s.EqualShare;
                return b;
            }

            /// <summary>Steps every member with budget left, together; members whose budget is spent are frozen until the round ends.</summary>
            private void StepRound(long[] budgets)
            {
                var frozen = new Dictionary<int, double[][]>();
                long longest = budgets.Max();
                for (long s = 0; s < longest; s++)
                {
                    if (_cancel.IsCancellationRequested) { _cancelled = true; break; }
                    bool any = false;
                    for (int j = 0; j < _k; j++)
                    {
                        _active[j] = false;
                        if (!_dead[j] && s < budgets[j] && Evaluate(j))
                        {
                            if (_winner is not null) break;
                            _active[j] = true;
                            any = true;
                            var theta = _theta[j];
                            var grad = _grad[j];
                            for (int i = 0; i < _n; i++)
                            {
                                _thetaAll[i * _k + j] = theta[i];
                                _gradAll[i * _k + j] = grad[i];
                            }
                        }
                        else
                        {
                            if (_winner is not null) break;
                            if (!frozen.ContainsKey(j)) frozen[j] = _lanes.Save(j);
                            _lossAll[j] = 0;
                            for (int i = 0; i < _n; i++) _gradAll[i * _k + j] = 0;
                        }
                    }
                    if (_winner is not null || !any) break;
                    _population.Step(_lossAll, _gradAll, _thetaAll);
                    for (int j = 0; j < _k; j++)
                    {
                        if (!_active[j]) continue;
                        var theta = _theta[j];
                        theta.AsSpan().CopyTo(_before[j]);
                        int bad = -1;
                        for (int i = 0; i < _n; i++)
                        {
                            theta[i] = _thetaAll[i * _k + j];
                            if (bad < 0 && !AeMath.IsFinite(theta[i])) bad = i;
                        }
                        _taken[j]++;
                        _logs[j].Append(_lossAll[j], _population, j);
                        if (bad >= 0)
                        {
                            Kill(j, StopReason.NonFinite, new Incident(_taken[j], IncidentKind.NonFiniteTheta, theta[bad],
                                "step " + _taken[j] + ": the law wrote " + Show(theta[bad]) + " into theta[" + bad + "]"));
                            frozen[j] = _lanes.Save(j);
                        }
                    }
                }
                foreach (var (j, lane) in frozen) _lanes.Restore(j, lane);
            }

            /// <summary>Member j's loss and gradient at its θ (into _lossAll[j] and _grad[j]); false when the member died; sets the winner when the target holds.</summary>
            private bool Evaluate(int j)
            {
                var task = _tasks[j];
                long k = _taken[j];
                double loss = task.Evaluate(_theta[j], _grad[j], k);
                if (!AeMath.IsFinite(loss))
                {
                    Kill(j, StopReason.NonFinite, new Incident(k, IncidentKind.NonFiniteLoss, loss, "step " + k + ": the task returned a loss of " + Show(loss)));
                    return false;
                }
                for (int i = 0; i < _n; i++)
                    if (!AeMath.IsFinite(_grad[j][i]))
                    {
                        Kill(j, StopReason.NonFinite, new Incident(k, IncidentKind.NonFiniteGradient, _grad[j][i], "step " + k + ": gradient[" + i + "] is " + Show(_grad[j][i])));
                        return false;
                    }
                if (k == 0 && double.IsNaN(_initialLoss[j]))
                {
                    _initialLoss[j] = loss;
                    _gap[j] = DivergenceFactor * Math.Max(Math.Abs(loss - _reference), 1e-12);
                }
                if (loss - _reference > _gap[j])
                {
                    Kill(j, StopReason.Diverged, new Incident(k, IncidentKind.Divergence, loss, "step " + k + ": loss " + Show(loss) + " is more than " + AE.Runtime.NumberText.Of(DivergenceFactor, "G3")
                        + " times the initial gap above " + Show(_reference)));
                    return false;
                }
                if (k >= task.AcceptAfter)
                {
                    bool hit = task.LossIsExact ? loss <= _target : k % MachineDefaults.ExactCheckInterval == 0 && task.EvaluateExact(_theta[j], _scratch, k) <= _target;
                    if (hit) Win(j);
                }
                _lossAll[j] = loss;
                return true;
            }

            /// <summary>After a round: a live member whose exact loss is at target wins (the check the machine makes when a budget runs out).</summary>
            private void CheckAtRoundEnd()
            {
                for (int j = 0; j < _k; j++)
                {
                    if (_dead[j] || _taken[j] < _tasks[j].AcceptAfter) continue;
                    if (_tasks[j].EvaluateExact(_theta[j], _scratch, _taken[j]) <= _target) { Win(j); return; }
                }
            }

            private void Win(int j)
            {
                _winner = j;
                _computeToTarget = Compute;
                _stop[j] = StopReason.Accepted;
            }

            private void Kill(int j, StopReason why, Incident incident)
            {
                _dead[j] = true;
                _stop[j] = why;
                _incidents[j].Add(incident);
            }

            /// <summary>ln(max(exact loss − optimum, 0) + ε) of each member at its θ; +∞ for a dead one.</summary>
            private double[] Scores()
            {
                var scores = new double[_k];
                for (int j = 0; j < _k; j++)
                {
                    if (_dead[j]) { scores[j] = double.PositiveInfinity; continue; }
                    double loss = _tasks[j].EvaluateExact(_theta[j], _scratch, _taken[j]);
                    scores[j] = AeMath.IsFinite(loss) ? Math.Log(Math.Max(loss - _reference, 0) + ScoreEpsilon) : double.PositiveInfinity;
                }
                return scores;
            }

            /// <summary>The worst live member's θ += σ · α · N(0, 1), α its coefficient <c>alpha</c> (1 for a law without one).</summary>
            private void Dither(double[] scores, int round)
            {
                if (_s.Dither == 0) return;
                int worst = -1;
                for (int j = 0; j < _k; j++)
                    if (!_dead[j] && (worst < 0 || scores[j] > scores[worst])) worst = j;
                if (worst < 0) return;
                double scale = _s.Dither * (_alpha >= 0 ? _lanes.ReadCoefficient(worst, "alpha") : 1);
                var source = new GaussianSource(Seeds.Derive(_seed, 0x646974686572UL + (ulong)round));   // "dither"
                for (int i = 0; i < _n; i++) _theta[worst][i] += scale * source.NextGaussian();
            }

            /// <summary>PBT: each of the bottom q members (dead ones first) copies a top-q member chosen at random, then multiplies each coefficient by f or 1/f.</summary>
            private void ExploitExplore(double[] scores, int round, List<(int, int)> copies)
            {
                int q = Math.Max(1, (int)Math.Floor(_k * _s.PbtQuantile));
                var order = Enumerable.Range(0, _k).OrderBy(j => scores[j]).ThenBy(j => j).ToArray();
                var top = order.Take(q).Where(j => !_dead[j]).ToArray();
                if (top.Length == 0) return;
                var source = new GaussianSource(Seeds.Derive(_seed, 0x706274UL + (ulong)round));   // "pbt"
                foreach (int to in order.Skip(_k - q))
                {
                    if (Array.IndexOf(top, to) >= 0) continue;
                    int from = top[Seeds.NextIndex(ref source, top.Length)];
                    _lanes.Copy(from, to);
                    _theta[from].AsSpan().CopyTo(_theta[to]);
                    _theta[from].AsSpan().CopyTo(_before[to]);
                    if (_dead[to])
                    {
                        _dead[to] = false;
                        _stop[to] = null;
                    }
                    foreach (var c in _lanes.Coefficients)
                    {
                        double f = (source.NextUInt64() >> 63) == 0 ? _s.PbtFactor : 1 / _s.PbtFactor;
                        _lanes.WriteCoefficient(to, c, _lanes.ReadCoefficient(to, c.Name) * f);
                    }
                    copies.Add((from, to));
                }
            }

            private IReadOnlyList<MachineRun> Members()
            {
                var runs = new MachineRun[_k];
                for (int j = 0; j < _k; j++)
                {
                    var point = _dead[j] ? _before[j] : _theta[j];
                    double final = _tasks[j].EvaluateExact(point, _scratch, _taken[j]);
                    var log = _logs[j];
                    double auc = RunMetrics.LogGapArea(log.Losses, _reference, MachineDefaults.AucEpsilon);
                    var stop = _stop[j] ?? (_cancelled ? StopReason.Cancelled : StopReason.BudgetExhausted);
                    var metrics = new RunMetrics(_winner == j ? _taken[j] : null, final, auc, _incidents[j].Count, _taken[j], stop,
                        _winner == j ? AcceptReason.Target : AcceptReason.None);
                    runs[j] = new MachineRun(_law.Name, _tasks[j].Name, MemberSeed(_seed, _k, j), _allotted[j], _target, _tasks[j].OptimumLoss, _initialLoss[j],
                        metrics, _incidents[j].AsReadOnly(), log, point.ToArray(), null);
                }
                return runs;
            }

            private static string Show(double value) => AE.Runtime.NumberText.Of(value, "G6");
        }
    }
}
