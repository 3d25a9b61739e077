using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using AE.Experiments.Tasks;
using AE.Runtime;

namespace AE.Experiments.Machine
{
    /// <summary>
    /// The AE machine: runs an <see cref="IOptimizerLaw"/> on an <see cref="ITask"/> until an accept
    /// predicate holds or the step budget runs out, recording each step and every incident, never
    /// throwing for what the numbers do.
    /// <para>
    /// A run with seed s: <c>task.Reset(s)</c>, θ_0 = <c>task.InitialTheta(s)</c>; then for k = 0, 1, ...:
    /// L_k, g_k = <c>task.Evaluate(θ_k, k)</c>; the checks below; if k = budget stop; else
    /// <c>law.Step(L_k, g_k, θ)</c> gives θ_{k+1} and row k of the log (L_k and the signals after the
    /// step). Steps to target is the k at which the target held: the number of law steps that
    /// produced a θ at target (0 if θ_0 already is; the seed's demo's mistake, accepting at loss 0
    /// while the optimum is −2.17, cannot happen because the task's target is optimum + gap).
    /// </para>
    /// <para>
    /// Accept: the target (<see cref="MachineOptions"/>: the task's, or an absolute or relative
    /// override) from step <c>task.AcceptAfter</c> on, judged on L_k when the task's loss is exact and
    /// on <c>EvaluateExact</c> every <see cref="MachineOptions.ExactCheckInterval"/> steps otherwise;
    /// or the gamma/V predicate on the law's signals after step k, when the law has both signals.
    /// </para>
    /// <para>
    /// Incidents: a non-finite L_k or g_k, or a non-finite θ after a step (the run stops);
    /// divergence, L_k − optimum &gt; <see cref="MachineOptions.DivergenceFactor"/> × |L_0 − optimum|
    /// (the optimum taken as 0 when unknown; the run stops unless told otherwise); AE-10, when the law
    /// has a signal named <c>lyapunov</c> (or <c>V_lyap</c>): after step t, V(t) &gt;
    /// V(t − W) (1 + rel) + abs, counted at most once per W steps.
    /// </para>
    /// <para>
    /// Metrics (<see cref="RunMetrics"/>): the AUC is Σ_k log(max(L_k − optimum, 0) + ε) over exactly
    /// budget terms k = 0 .. budget − 1: a run that stops early is padded with its last term when it
    /// was accepted (or cancelled), and with max(last term, first term) when it stopped on an incident,
    /// so a failed run scores no better than one that never moved. The final loss is the task's exact
    /// loss at the last finite θ. The same task, law state and seed give the same run, bit for bit.
    /// </para>
    /// </summary>
    public sealed class AeMachine
    {
        private readonly double[] _theta, _grad, _scratch, _thetaBefore;

        public AeMachine(ITask task, MachineOptions? options = null)
        {
            Task = task ?? throw new ArgumentNullException(nameof(task));
            Options = options ?? new MachineOptions();
            Options.Validate();
            int n = task.Dimension;
            _theta = new double[n];
            _grad = new double[n];
            _scratch = new double[n];
            _thetaBefore = new double[n];
        }

        public ITask Task { get; }

        public MachineOptions Options { get; }

        /// <summary>The absolute target loss this machine judges runs against.</summary>
        public double TargetLoss =>
            Options.TargetLoss ?? (Options.TargetGap is double gap ? (Task.OptimumLoss ?? 0) + gap : Task.TargetLoss);

        /// <summary>The step budget.</summary>
        public long MaxSteps => Options.MaxSteps ?? Task.DefaultSteps;

        /// <summary>Runs <paramref name="law"/> (continuing its own state: pass a fresh one for a reproducible run) with the task seeded by <paramref name="seed"/>.</summary>
        public MachineRun Run(IOptimizerLaw law, ulong seed, CancellationToken cancellationToken = default) => Run(law, seed, cancellationToken, null);

        /// <summary>
        /// Runs <paramref name="law"/> as <see cref="Run(IOptimizerLaw, ulong, CancellationToken)"/>, or, given <paramref name="resume"/>
        /// (read by <see cref="MachineCheckpoint.Load"/>, which has restored the law's and the task's state), continues that run
        /// from its step: the result is bit for bit that of the run never interrupted.
        /// </summary>
        public MachineRun Run(IOptimizerLaw law, ulong seed, CancellationToken cancellationToken, MachineState? resume)
        {
            if (law is null) throw new ArgumentNullException(nameof(law));
            if (law.Dimension != Task.Dimension)
                throw new ArgumentException("the law " + law.LawName + " was built for dimension " + law.Dimension + ", but the task " + Task.Name + " has dimension " + Task.Dimension, nameof(law));

            var options = Options;
            long maxSteps = MaxSteps;
            double target = TargetLoss;
            double reference = Task.OptimumLoss ?? 0;
            double eps = options.AucEpsilon;
            bool exactLoss = Task.LossIsExact;
            var names = law.SignalNames;

            int gammaIndex = -1, vIndex = -1;
            if (options.GammaV is not null)
            {
                gammaIndex = IndexOf(names, options.GammaSignal);
                vIndex = IndexOf(names, options.VSignal);
            }
            bool gammaV = options.GammaV is not null && gammaIndex >= 0 && vIndex >= 0;

            int lyapIndex = -1;
            string? lyapName = null;
            foreach (var candidate in options.LyapunovSignals ?? Array.Empty<string>())
            {
                lyapIndex = IndexOf(names, candidate);
                if (lyapIndex >= 0) { lyapName = candidate; break; }
            }
            int window = options.LyapunovWindow;
            double[] lyapRing = lyapIndex >= 0 ? new double[window + 1] : Array.Empty<double>();
            long lastLyapIncident = long.MinValue / 2;

            RunLog log;
            List<Incident> incidents;
            double initialLoss = double.NaN, divergenceGap = double.PositiveInfinity;
            double auc = 0, lastTerm = double.NaN, firstTerm = double.NaN;
            long terms = 0;
            bool divergenceArmed = true;
            double lastLoss = double.NaN;
            long start = 0;
            if (resume is null)
            {
                log = new RunLog(names, options.RecordSignals, (int)Math.Min(maxSteps + 1, 4096));
                incidents = new List<Incident>();
                Task.Reset(seed);
                Task.InitialTheta(seed, _theta);
                _theta.AsSpan().CopyTo(_thetaBefore);
            }
            else
            {
                if (resume.Theta.Length != _theta.Length || resume.LyapRing.Length != lyapRing.Length || resume.Step > maxSteps)
                    throw new ArgumentException("the state is of another run (dimension, AE-10 window or step budget)", nameof(resume));
                start = resume.Step;
                log = resume.Log;
                incidents = new List<Incident>(resume.Incidents);
                resume.Theta.CopyTo(_theta, 0);
                resume.ThetaBefore.CopyTo(_thetaBefore, 0);
                resume.LyapRing.CopyTo(lyapRing, 0);
                (initialLoss, divergenceGap, auc, lastTerm, firstTerm, lastLoss) = (resume.InitialLoss, resume.DivergenceGap, resume.Auc, resume.LastTerm, resume.FirstTerm, resume.LastLoss);
                (terms, lastLyapIncident, divergenceArmed) = (resume.Terms, resume.LastLyapIncident, resume.DivergenceArmed);
            }
            long? stepsToTarget = null;
            var stop = StopReason.BudgetExhausted;
            var accept = AcceptReason.None;
            bool finalAtBefore = false;   // the last finite point is _thetaBefore (a non-finite stop)
            long finalStep = 0;

            // The run's whole state at the top of step k, for MachineOptions.Checkpoint.
            MachineState Snapshot(long k) => new(k, _theta, _thetaBefore, log, incidents, LawState.Save(law), MachineCheckpoint.TaskState(Task))
            {
                InitialLoss = initialLoss, DivergenceGap = divergenceGap, Auc = auc, LastTerm = lastTerm, FirstTerm = firstTerm, LastLoss = lastLoss,
                Terms = terms, LastLyapIncident = lastLyapIncident, DivergenceArmed = divergenceArmed, LyapRing = lyapRing,
            };

            for (long k = start; ; k++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    options.Checkpoint?.Invoke(Snapshot(k));
                    stop = StopReason.Cancelled;
                    finalStep = k;
                    break;
                }
                if (options.Checkpoint is { } checkpoint && options.CheckpointInterval > 0 && k > start && k < maxSteps && k % options.CheckpointInterval == 0)
                    checkpoint(Snapshot(k));

                double loss = Task.Evaluate(_theta, _grad, k);
                if (!AeMath.IsFinite(loss))
                {
                    if (k == 0) initialLoss = loss; // the run's first loss, inf or NaN as it was
                    incidents.Add(new Incident(k, IncidentKind.NonFiniteLoss, loss, "step " + k + ": the task returned a loss of " + Show(loss)));
                    stop = StopReason.NonFinite;
                    finalAtBefore = true;
                    finalStep = k - 1;
                    break;
                }
                int bad = FirstNonFinite(_grad);
                if (bad >= 0)
                {
                    incidents.Add(new Incident(k, IncidentKind.NonFiniteGradient, _grad[bad], "step " + k + ": gradient[" + bad + "] is " + Show(_grad[bad])));
                    stop = StopReason.NonFinite;
                    finalAtBefore = true;
                    finalStep = k - 1;
                    break;
                }
                lastLoss = loss;

                double term = Math.Log(Math.Max(loss - reference, 0) + eps);
                if (k == 0)
                {
                    initialLoss = loss;
                    firstTerm = term;
                    divergenceGap = options.DivergenceFactor * Math.Max(Math.Abs(loss - reference), 1e-12);
                }
                lastTerm = term;
                if (k < maxSteps) { auc += term; terms++; }

                if (loss - reference > divergenceGap)
                {
                    if (divergenceArmed)
                    {
                        incidents.Add(new Incident(k, IncidentKind.Divergence, loss, "step " + k + ": loss " + Show(loss) + " is more than " + AE.Runtime.NumberText.Of(options.DivergenceFactor, "G3")
                            + " times the initial gap above " + Show(reference)));
                        divergenceArmed = false;
                    }
                    if (options.StopOnDivergence)
                    {
                        stop = StopReason.Diverged;
                        finalStep = k;
                        break;
                    }
                }
                else divergenceArmed = true;

                if (options.AcceptOnTarget && k >= Task.AcceptAfter)
                {
                    bool hit;
                    if (exactLoss) hit = loss <= target;
                    else hit = (k % options.ExactCheckInterval == 0 || k == maxSteps) && Task.EvaluateExact(_theta, _scratch, k) <= target;
                    if (hit)
                    {
                        stepsToTarget = k;
                        stop = StopReason.Accepted;
                        accept = AcceptReason.Target;
                        finalStep = k;
                        break;
                    }
                }

                if (gammaV && k >= 1 && k >= options.GammaV!.MinSteps
                    && law.ReadSignal(gammaIndex) <= options.GammaV.GammaMin && law.ReadSignal(vIndex) <= options.GammaV.VBound)
                {
                    stop = StopReason.Accepted;
                    accept = AcceptReason.GammaV;
                    finalStep = k;
                    break;
                }

                if (k == maxSteps)
                {
                    finalStep = k;
                    break;
                }

                _theta.AsSpan().CopyTo(_thetaBefore);
                law.Step(loss, _grad, _theta);
                log.Append(loss, law);
                long taken = k + 1;

                bad = FirstNonFinite(_theta);
                if (bad >= 0)
                {
                    incidents.Add(new Incident(taken, IncidentKind.NonFiniteTheta, _theta[bad], "step " + taken + ": the law wrote " + Show(_theta[bad]) + " into theta[" + bad + "]"));
                    stop = StopReason.NonFinite;
                    finalAtBefore = true;
                    finalStep = k;
                    break;
                }

                if (lyapIndex >= 0)
                {
                    double value = law.ReadSignal(lyapIndex);
                    lyapRing[taken % (window + 1)] = value;
                    if (taken > window && taken - lastLyapIncident >= window)
                    {
                        double earlier = lyapRing[(taken - window) % (window + 1)];
                        if (AeMath.IsFinite(value) && AeMath.IsFinite(earlier)
                            && value > earlier + options.LyapunovRelativeTolerance * Math.Abs(earlier) + options.LyapunovAbsoluteTolerance)
                        {
                            incidents.Add(new Incident(taken, IncidentKind.LyapunovRise, value, "step " + taken + ": " + lyapName + " rose from " + Show(earlier) + " to " + Show(value) + " over " + window + " steps (AE-10)"));
                            lastLyapIncident = taken;
                        }
                    }
                }

                if (options.Progress is { } progress && taken % options.ProgressInterval == 0)
                    progress(new MachineProgress(taken, maxSteps, loss));
            }

            // The AUC over exactly maxSteps terms.
            if (terms < maxSteps)
            {
                double pad;
                if (terms == 0) pad = double.NaN;
                else if (stop is StopReason.NonFinite or StopReason.Diverged) pad = Math.Max(lastTerm, firstTerm);
                else pad = lastTerm;
                auc += pad * (maxSteps - terms);
            }

            // The final loss: exact, at the last finite point.
            double finalLoss;
            var finalPoint = finalAtBefore ? _thetaBefore : _theta;
            if (finalStep < 0) finalLoss = double.NaN;
            else
            {
                finalLoss = Task.EvaluateExact(finalPoint, _scratch, finalStep);
                if (!AeMath.IsFinite(finalLoss) && AeMath.IsFinite(lastLoss)) finalLoss = lastLoss;
            }

            var metrics = new RunMetrics(stepsToTarget, finalLoss, auc, incidents.Count, log.Count, stop, accept);
            options.Progress?.Invoke(new MachineProgress(log.Count, maxSteps, finalLoss));
            return new MachineRun(law.LawName, Task.Name, seed, maxSteps, target, Task.OptimumLoss, initialLoss, metrics, incidents.AsReadOnly(), log,
                finalPoint.AsSpan().ToArray(), lyapName);
        }

        private static int IndexOf(IReadOnlyList<string> names, string name)
        {
            for (int i = 0; i < names.Count; i++)
                if (string.Equals(names[i], name, StringComparison.Ordinal)) return i;
            return -1;
        }

        private static int FirstNonFinite(ReadOnlySpan<double> values)
        {
            for (int i = 0; i < values.Length; i++)
                if (!AeMath.IsFinite(values[i])) return i;
            return -1;
        }

        private static string Show(double value) => AE.Runtime.NumberText.Of(value, "G6");
    }
}
