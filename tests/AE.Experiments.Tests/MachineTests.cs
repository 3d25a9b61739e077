using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using AE.Experiments.Baselines;
using AE.Experiments.Machine;
using AE.Experiments.Tasks;
using AE.Runtime;
using Xunit;

namespace AE.Experiments.Tests
{
    public class MachineTests
    {
        [Fact]
        public void Stops_at_the_first_step_whose_loss_reaches_the_target()
        {
            var task = TaskCatalog.Create("quadratic");
            var run = new AeMachine(task).Run(new SgdMomentum(task.Dimension, lr: 0.3), 0);
            Assert.Equal(StopReason.Accepted, run.Stop);
            Assert.Equal(AcceptReason.Target, run.Accept);
            long k = run.StepsToTarget!.Value;
            Assert.Equal(k, run.StepsTaken);
            Assert.Equal(k, run.Log.Count);
            for (int r = 0; r < run.Log.Count; r++) Assert.True(run.Log.Loss(r) > task.TargetLoss, "row " + r);
            Assert.True(run.FinalLoss <= task.TargetLoss);
            Assert.Equal(task.TargetLoss, run.TargetLoss);
            Assert.Equal(run.Log.Loss(0), run.InitialLoss);
            Assert.Equal(0.3, run.Log.Signal(0, "alpha"));
            Assert.Equal(run.Log.SignalColumn("L"), run.Log.Losses.ToArray());
        }

        [Fact]
        public void Does_not_repeat_the_seed_demo_accept_at_loss_zero_above_a_negative_optimum()
        {
            // The seed's AE_Machine demo accepted at step 1: loss 0 <= eps at theta = 0, optimum −2.1667.
            var task = GoldenCaseTask.Load(Path.Combine(RepoPaths.Golden, "quadratic_2d.json"));
            var machine = new AeMachine(task, new MachineOptions { MaxSteps = 2000 });
            var run = machine.Run(new SgdMomentum(2, lr: 0.1, momentum: 0.5), 0);
            Assert.Equal(0.0, run.InitialLoss);
            Assert.True(run.StepsToTarget > 10, run.ToString());
            Assert.Equal(-13.0 / 6, run.FinalLoss, 5);

            // a relative target override and an absolute one
            var loose = new AeMachine(task, new MachineOptions { MaxSteps = 2000, TargetGap = 0.5 }).Run(new SgdMomentum(2, lr: 0.1, momentum: 0.5), 0);
            Assert.True(loose.StepsToTarget < run.StepsToTarget);
            Assert.True(loose.FinalLoss <= -13.0 / 6 + 0.5);
            var absolute = new AeMachine(task, new MachineOptions { TargetLoss = 0.0 }).Run(new SgdMomentum(2, lr: 0.1), 0);
            Assert.Equal(0, absolute.StepsToTarget); // told to accept at 0: it does, at once
        }

        [Fact]
        public void A_NaN_written_by_the_law_is_an_incident_and_a_clean_stop()
        {
            var task = TaskCatalog.Create("quadratic");
            var run = new AeMachine(task).Run(new NaNAfter(task.Dimension, 5), 0);
            Assert.Equal(StopReason.NonFinite, run.Stop);
            Assert.False(run.Accepted);
            var incident = Assert.Single(run.Incidents);
            Assert.Equal(IncidentKind.NonFiniteTheta, incident.Kind);
            Assert.Equal(5, incident.Step);
            Assert.True(double.IsNaN(incident.Value));
            Assert.Equal("step 5: the law wrote nan into theta[0]", incident.Message);
            Assert.Equal(5, run.StepsTaken);
            Assert.True(AeMath.IsFinite(run.FinalLoss));                    // the loss at the last finite theta
            Assert.Equal(run.Log.Loss(4), run.FinalLoss);
            Assert.All(run.FinalTheta.ToArray(), t => Assert.True(AeMath.IsFinite(t)));
            Assert.True(AeMath.IsFinite(run.Auc));
            Assert.Equal(1, run.IncidentCount);

            var inf = new AeMachine(new ScriptedTask(new[] { 3.0, 2.0, double.PositiveInfinity, 1.0 })).Run(new SgdMomentum(1), 0);
            Assert.Equal(StopReason.NonFinite, inf.Stop);
            Assert.Equal(IncidentKind.NonFiniteLoss, Assert.Single(inf.Incidents).Kind);
            Assert.Equal(2, inf.StepsTaken);
            Assert.Equal(2.0, inf.FinalLoss);

            var first = new AeMachine(new ScriptedTask(new[] { double.NaN })).Run(new SgdMomentum(1), 0);
            Assert.Equal(StopReason.NonFinite, first.Stop);
            Assert.True(double.IsNaN(first.FinalLoss));
            Assert.Equal(0, first.StepsTaken);
        }

        [Fact]
        public void Divergence_is_detected_against_the_initial_gap()
        {
            var task = TaskCatalog.Create("quadratic");
            var run = new AeMachine(task).Run(new SgdMomentum(task.Dimension, lr: 5.0), 0);  // unstable for λ = 1
            Assert.Equal(StopReason.Diverged, run.Stop);
            var incident = Assert.Single(run.Incidents);
            Assert.Equal(IncidentKind.Divergence, incident.Kind);
            Assert.True(incident.Value - task.OptimumLoss!.Value > 1e4 * (run.InitialLoss - task.OptimumLoss.Value));
            Assert.Equal(incident.Step, run.StepsTaken);
            // an incident stop pads the AUC with its worst value, never better than standing still
            var still = new AeMachine(task).Run(new SgdMomentum(task.Dimension, lr: 1e-12), 0);
            Assert.True(run.Auc > still.Auc);

            // told to go on, it counts the excursion once and stops later on non-finite values
            var on = new AeMachine(task, new MachineOptions { StopOnDivergence = false, MaxSteps = 5000 }).Run(new SgdMomentum(task.Dimension, lr: 5.0), 0);
            Assert.Equal(StopReason.NonFinite, on.Stop);
            Assert.Equal(new[] { IncidentKind.Divergence }, on.Incidents.Select(i => i.Kind).Distinct().Where(k => k == IncidentKind.Divergence));
            Assert.Single(on.Incidents, i => i.Kind == IncidentKind.Divergence);
            Assert.Contains(on.Incidents, i => i.Kind is IncidentKind.NonFiniteLoss or IncidentKind.NonFiniteTheta or IncidentKind.NonFiniteGradient);
        }

        [Fact]
        public void The_same_seed_gives_identical_metrics_and_logs()
        {
            var machine = new AeMachine(TaskCatalog.Create("noisy-quadratic"), new MachineOptions { MaxSteps = 600 });
            var a = machine.Run(new Adam(100, lr: 3e-3), 42);
            var b = machine.Run(new Adam(100, lr: 3e-3), 42);
            var c = machine.Run(new Adam(100, lr: 3e-3), 43);
            Assert.Equal(a.Metrics, b.Metrics);
            Assert.Equal(a.Log.Losses.ToArray(), b.Log.Losses.ToArray());
            Assert.Equal(a.Log.SignalColumn("gnorm"), b.Log.SignalColumn("gnorm"));
            Assert.Equal(a.FinalTheta.ToArray(), b.FinalTheta.ToArray());
            Assert.NotEqual(a.Metrics, c.Metrics);

            // and for a fresh task instance
            var other = new AeMachine(TaskCatalog.Create("noisy-quadratic"), new MachineOptions { MaxSteps = 600 }).Run(new Adam(100, lr: 3e-3), 42);
            Assert.Equal(a.Metrics, other.Metrics);
        }

        [Fact]
        public void Auc_of_a_synthetic_curve()
        {
            // L_k = 1 + exp(−0.1 k) above an optimum of 1: log(gap) = −0.1 k (+ a 1e-12 that changes nothing here)
            var losses = Enumerable.Range(0, 60).Select(k => 1 + Math.Exp(-0.1 * k)).ToArray();
            double Expected(int terms) => -0.1 * terms * (terms - 1) / 2.0;
            Assert.Equal(Expected(50), RunMetrics.LogGapArea(losses.AsSpan(0, 50), 1.0, 1e-12), 6);

            var task = new ScriptedTask(losses, optimum: 1.0, target: double.NegativeInfinity);
            var run = new AeMachine(task, new MachineOptions { MaxSteps = 50 }).Run(new SgdMomentum(1), 0);
            Assert.Equal(StopReason.BudgetExhausted, run.Stop);
            Assert.Equal(50, run.StepsTaken);
            Assert.Equal(Expected(50), run.Auc, 6);
            Assert.Equal(losses[50], run.FinalLoss);

            // accepted at k = 20 (gap e^-2 ≤ 0.14): the remaining 29 steps count at the accepting value
            var accepted = new AeMachine(new ScriptedTask(losses, optimum: 1.0, target: 1.14), new MachineOptions { MaxSteps = 50 }).Run(new SgdMomentum(1), 0);
            Assert.Equal(20, accepted.StepsToTarget);
            Assert.Equal(Expected(21) + 29 * -2.0, accepted.Auc, 6);

            // a loss below the optimum counts as gap 0: log(ε)
            Assert.Equal(Math.Log(1e-12), RunMetrics.LogGapArea(new[] { 0.5 }, 1.0, 1e-12), 12);
        }

        [Fact]
        public void Gamma_V_predicate_accepts_after_the_minimum_steps_when_the_law_has_both_signals()
        {
            var task = new ScriptedTask(Enumerable.Repeat(5.0, 1000).ToArray(), optimum: 0, target: 1.0);
            var options = new MachineOptions { MaxSteps = 500, GammaV = new GammaVPredicate(GammaMin: 0.01, VBound: 1e-3, MinSteps: 20) };
            // gamma = 1/step, V = 1e-4: gamma ≤ 0.01 from step 100 on
            var run = new AeMachine(task, options).Run(new SignalLaw(s => 1.0 / s, s => 1e-4, s => 1.0), 0);
            Assert.Equal(AcceptReason.GammaV, run.Accept);
            Assert.Equal(100, run.StepsTaken);
            Assert.Null(run.StepsToTarget);

            // both small from the first step: not before MinSteps
            var early = new AeMachine(task, options).Run(new SignalLaw(s => 1e-9, s => 1e-9, s => 1.0), 0);
            Assert.Equal(20, early.StepsTaken);

            // V above its bound: never
            var noisy = new AeMachine(task, options).Run(new SignalLaw(s => 1e-9, s => 1.0, s => 1.0), 0);
            Assert.Equal(StopReason.BudgetExhausted, noisy.Stop);

            // a law without the signals (a baseline): the predicate is off
            var baseline = new AeMachine(task, options).Run(new SgdMomentum(1), 0);
            Assert.Equal(StopReason.BudgetExhausted, baseline.Stop);
        }

        [Fact]
        public void A_rise_of_V_lyap_over_the_window_is_an_AE10_incident_once_per_window()
        {
            var task = new ScriptedTask(Enumerable.Repeat(5.0, 1000).ToArray(), optimum: 0, target: 1.0);
            var options = new MachineOptions { MaxSteps = 400, LyapunovWindow = 50 };
            // falls until step 200, then rises: rises are seen from step 201 on, at most once per 50 steps
            var run = new AeMachine(task, options).Run(new SignalLaw(s => 1, s => 1, s => Math.Abs(s - 200.0)), 0);
            Assert.Equal("V_lyap", run.LyapunovSignal);
            Assert.Equal(StopReason.BudgetExhausted, run.Stop);
            var rises = run.Incidents.Where(i => i.Kind == IncidentKind.LyapunovRise).ToArray();
            Assert.Equal(new long[] { 226, 276, 326, 376 }, rises.Select(i => i.Step));
            Assert.Contains("AE-10", rises[0].Message, StringComparison.Ordinal);
            Assert.Equal(4, run.IncidentCount);

            // the shipped laws' name, lyapunov, is monitored the same way
            var named = new AeMachine(task, options).Run(new SignalLaw(s => 1, s => 1, s => Math.Abs(s - 200.0), "lyapunov"), 0);
            Assert.Equal("lyapunov", named.LyapunovSignal);
            Assert.Equal(4, named.IncidentCount);

            // a monotone energy: no incident; a law without the signal: not monitored
            Assert.Equal(0, new AeMachine(task, options).Run(new SignalLaw(s => 1, s => 1, s => 1.0 / s), 0).IncidentCount);
            Assert.Null(new AeMachine(task, options).Run(new SgdMomentum(1), 0).LyapunovSignal);
        }

        [Fact]
        public void The_target_counts_only_from_the_tasks_accept_step()
        {
            var task = TaskCatalog.Create("scale-change");
            var run = new AeMachine(task).Run(new SgdMomentum(task.Dimension, lr: 0.3), 0);
            Assert.True(run.Accepted, run.ToString());
            Assert.True(run.StepsToTarget >= task.AcceptAfter);
            // the loss was below target before the switch already
            Assert.Contains(run.Log.Losses.Slice(0, 200).ToArray(), l => l <= task.TargetLoss);
        }

        [Fact]
        public void Minibatch_tasks_are_judged_on_the_exact_loss_at_the_check_interval()
        {
            // the exact loss reaches the target at step 7; the reported (minibatch) loss never does
            var task = new ScriptedTask(Enumerable.Repeat(9.0, 100).ToArray(), optimum: 0, target: 1.0, exact: k => k >= 7 ? 0.5 : 2.0);
            var run = new AeMachine(task, new MachineOptions { ExactCheckInterval = 5 }).Run(new SgdMomentum(1), 0);
            Assert.Equal(10, run.StepsToTarget);
            Assert.Equal(0.5, run.FinalLoss);
        }

        [Fact]
        public void Cancellation_stops_cleanly_and_progress_is_reported()
        {
            var task = TaskCatalog.Create("quadratic");
            var progress = new List<MachineProgress>();
            using var cts = new CancellationTokenSource();
            var options = new MachineOptions
            {
                AcceptOnTarget = false,
                MaxSteps = 1000,
                ProgressInterval = 100,
                Progress = p => { progress.Add(p); if (p.Step == 300) cts.Cancel(); },
            };
            var run = new AeMachine(task, options).Run(new SgdMomentum(task.Dimension, lr: 0.1), 0, cts.Token);
            Assert.Equal(StopReason.Cancelled, run.Stop);
            Assert.Equal(300, run.StepsTaken);
            Assert.Equal(new long[] { 100, 200, 300, 300 }, progress.Select(p => p.Step));
            Assert.True(AeMath.IsFinite(run.FinalLoss));
        }

        [Fact]
        public void Mismatches_and_bad_options_are_clear_errors()
        {
            var task = TaskCatalog.Create("quadratic");
            var e = Assert.Throws<ArgumentException>(() => new AeMachine(task).Run(new Adam(3), 0));
            Assert.Contains("the law Adam was built for dimension 3, but the task quadratic has dimension 20", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => new AeMachine(task, new MachineOptions { LyapunovWindow = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new AeMachine(task, new MachineOptions { MaxSteps = -1 }));
            var run = new AeMachine(task, new MachineOptions { RecordSignals = false, MaxSteps = 3, AcceptOnTarget = false }).Run(new Adam(20), 0);
            Assert.Equal(3, run.Log.Count);
            Assert.Throws<InvalidOperationException>(() => run.Log.Signal(0, 0));
            Assert.Throws<ArgumentException>(() => run.Log.SignalColumn("nope"));
        }

        /// <summary>A law that steps plain gradient descent and writes NaN into theta[0] at step <c>at</c>.</summary>
        private sealed class NaNAfter : IOptimizerLaw
        {
            private readonly long _at;

            public NaNAfter(int n, long at)
            {
                Dimension = n;
                _at = at;
            }

            public string LawName => "NaNAfter";
            public int Dimension { get; }
            public long StepCount { get; private set; }
            public IReadOnlyList<string> SignalNames { get; } = new[] { "alpha" };
            public double ReadSignal(int index) => 0.1;
            public IReadOnlyList<string> RuleIds { get; } = Array.Empty<string>();
            public void SetRule(string id, bool enabled) => throw new ArgumentException("no rules", nameof(id));

            public void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta)
            {
                StepCount++;
                for (int i = 0; i < theta.Length; i++) theta[i] -= 0.1 * grad[i];
                if (StepCount == _at) theta[0] = double.NaN;
            }

            public void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta) => throw new NotSupportedException();
        }

        /// <summary>A one-parameter law whose signals gamma, V and V_lyap (or another name) are functions of its step count; theta stays put.</summary>
        private sealed class SignalLaw : IOptimizerLaw
        {
            private readonly Func<long, double> _gamma, _v, _lyap;

            public SignalLaw(Func<long, double> gamma, Func<long, double> v, Func<long, double> lyap, string lyapName = "V_lyap")
            {
                _gamma = gamma;
                _v = v;
                _lyap = lyap;
                SignalNames = new[] { "gamma", "V", lyapName };
            }

            public string LawName => "SignalLaw";
            public int Dimension => 1;
            public long StepCount { get; private set; }
            public IReadOnlyList<string> SignalNames { get; }
            public double ReadSignal(int index) => index switch { 0 => _gamma(StepCount), 1 => _v(StepCount), _ => _lyap(StepCount) };
            public IReadOnlyList<string> RuleIds { get; } = Array.Empty<string>();
            public void SetRule(string id, bool enabled) => throw new ArgumentException("no rules", nameof(id));
            public void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta) => StepCount++;
            public void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta) => StepCount++;
        }
    }

    /// <summary>
    /// A one-parameter task that returns a scripted loss per step whatever theta is (gradient 0), with
    /// an optional separate exact loss (then it claims a minibatch loss, like logreg).
    /// </summary>
    internal sealed class ScriptedTask : TaskBase
    {
        private readonly double[] _losses;
        private readonly double? _optimum;
        private readonly double _target;
        private readonly Func<long, double>? _exact;

        public ScriptedTask(double[] losses, double? optimum = 0, double target = 0.5, Func<long, double>? exact = null)
            : base("scripted", 1)
        {
            _losses = losses;
            _optimum = optimum;
            _target = target;
            _exact = exact;
        }

        public override string Description => "scripted losses";
        public override string GradientKind => "zero";
        public override bool LossIsExact => _exact is null;
        public override double TargetLoss => _target;
        public override double? OptimumLoss => _optimum;
        public override long DefaultSteps => _losses.Length - 1;
        public override void InitialTheta(ulong seed, Span<double> theta) => theta.Clear();

        protected override double EvaluateCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            grad.Clear();
            return _losses[Math.Min(step, _losses.Length - 1)];
        }

        protected override double EvaluateExactCore(ReadOnlySpan<double> theta, Span<double> grad, long step)
        {
            grad.Clear();
            return _exact is null ? _losses[Math.Min(step, _losses.Length - 1)] : _exact(step);
        }
    }
}
