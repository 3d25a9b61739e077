using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Dsl.Text;
using AE.Experiments.Problems;
using AE.Experiments.Tasks;

namespace AE.Experiments.MetaGradients
{
    /// <summary>A law, task or setting that a meta-gradient cannot be computed for; the message is one line.</summary>
    public sealed class MetaGradientException : Exception
    {
        public MetaGradientException() { }

        public MetaGradientException(string message) : base(message) { }

        public MetaGradientException(string message, Exception innerException) : base(message, innerException) { }
    }

    /// <summary>A construct that is not smooth (what AE0040 reports in smooth code): where, in which rule or declaration.</summary>
    /// <param name="Rule">the rule's id, or a declaration's value as <c>the bounds of alpha</c></param>
    public sealed record NonSmoothSite(string Rule, string Construct, string Path, TextSpan Span)
    {
        /// <summary><c>'clamp' in rule AE3 at laws/ae_sgdm.ae(77,14)</c>, <c>'min' in the bounds of alpha at ...</c> (the offset when the source is not at hand).</summary>
        public string Describe(IReadOnlyDictionary<string, SourceFile>? sources)
        {
            string at = sources != null && sources.TryGetValue(Path, out var file)
                ? Path + file.GetPosition(Span.Start)
                : Path + "@" + Span.Start.ToString(CultureInfo.InvariantCulture);
            return "'" + Construct + "' in " + (Rule.StartsWith("the ", StringComparison.Ordinal) ? Rule : "rule " + Rule) + " at " + at;
        }
    }

    /// <summary>Settings of a meta-gradient: the run (seed, params, rules switched off) and the finite-difference check.</summary>
    public sealed class MetaGradientOptions
    {
        /// <summary>The task's start point and the law's noise draws.</summary>
        public ulong Seed { get; init; }

        /// <summary>Param values replacing the law's defaults.</summary>
        public IReadOnlyDictionary<string, double[]>? Overrides { get; init; }

        /// <summary>Rules switched off (a variant's <c>without</c> list).</summary>
        public IReadOnlyCollection<string>? Ablated { get; init; }

        /// <summary>
        /// Differentiate a law with constructs that are not smooth, with the subgradients of
        /// <see cref="Derivatives.Notes"/>; without it such a law is refused (<see cref="MetaGradientException"/>).
        /// </summary>
        public bool Subgradients { get; init; }

        /// <summary>The finite difference's first step for a param of value p: this times max(|p|, <see cref="StepFloor"/>).</summary>
        public double RelativeStep { get; init; } = 1e-5;

        /// <summary>The scale below which a param's step no longer shrinks with its value.</summary>
        public double StepFloor { get; init; } = 1e-3;

        /// <summary>The part of the tolerance relative to the larger of the two derivatives.</summary>
        public double RelativeTolerance { get; init; } = 1e-6;
    }

    /// <summary>One real param (an element of a vector param) with its meta-gradient and finite-difference check.</summary>
    /// <param name="Difference">how the difference was taken: central, forward or backward (one-sided, where the law refuses
    /// the other side's settings), kink (central, but the loss has a kink at the value: its one-sided differences,
    /// <see cref="Left"/> and <see cref="Right"/>, differ by as much at h and at 2h), or none (the law takes no setting
    /// near the param's value)</param>
    /// <param name="EstimatedError">the difference's estimated truncation and rounding error, uncapped</param>
    public sealed record ParamMetaGradient(string Name, double Value, double Gradient, double FiniteDifference, double Step,
        double RelativeDifference, double Tolerance, bool Agrees, string Difference = "central", double EstimatedError = double.NaN)
    {
        /// <summary>Whether a difference was taken: the law takes some setting beside the value.</summary>
        public bool Checked => Difference != "none";

        /// <summary>At a kink: the one-sided difference from below, (F(p) − F(p − h)) / h; else NaN.</summary>
        public double Left { get; init; } = double.NaN;

        /// <summary>At a kink: the one-sided difference from above, (F(p + h) − F(p)) / h; else NaN.</summary>
        public double Right { get; init; } = double.NaN;
    }

    /// <summary>The meta-gradient of every real param of a law on a task, each with its check.</summary>
    public sealed record MetaGradientReport(string Law, string Task, int Steps, ulong Seed, double InitialLoss, double Loss,
        IReadOnlyList<ParamMetaGradient> Params, IReadOnlyList<NonSmoothSite> NonSmooth)
    {
        /// <summary>
        /// Every param that could be checked agrees with its difference, at least one could, and the run's loss is finite
        /// (one that is not has no derivative to check).
        /// </summary>
        public bool Pass => double.IsFinite(Loss) && Params.Any(p => p.Checked) && Params.All(p => p.Agrees || !p.Checked);
    }

    /// <summary>
    /// Meta-gradients of an optimizer law (law AE-9): the gradient of the task's loss after K steps,
    /// f(θ_K), with respect to every real param of the law, through the unrolled run θ_{k+1} =
    /// law(θ_k, ∇f(θ_k), f(θ_k)). Reverse mode over the whole run on one tape
    /// (<see cref="AdjointInterpreter"/>): the task's loss and gradient are recorded as operations of θ_k
    /// whose backward steps are ∇f and the Hessian-vector product (<see cref="IHessianVectorProduct"/>). The
    /// check is a finite difference of the interpreter's run in float64, central where the law takes the settings on both sides (<see cref="Check"/>).
    /// <para>
    /// A law with a construct that is not smooth (what AE0040 reports inside smooth code: clamp, abs, min, max,
    /// relu, sign, ?:, when, %, latch, isfinite, finite_or, sanitize, a relu net) in a rule in effect that is not
    /// declared smooth is refused, naming the first such construct, its rule and position, unless
    /// <see cref="MetaGradientOptions.Subgradients"/> asks for the subgradients of <see cref="Derivatives"/>. The
    /// projection of a coefficient onto its bounds is clamp's subgradient in either case (smooth laws have
    /// bounded coefficients too): 1 inside the bounds, so it is exact while a run stays inside them.
    /// </para>
    /// </summary>
    public sealed class LawMetaGradient
    {
        private readonly IrUnit _unit;
        private readonly ITask _task;
        private readonly IHessianVectorProduct _curvature;
        private readonly int _steps;
        private readonly MetaGradientOptions _options;
        private readonly Dictionary<string, int> _dims;
        private readonly string _loss, _grad, _theta;
        private readonly Dictionary<string, double[]> _values;
        private readonly List<(string Param, int Index)> _elements = new();

        /// <param name="name">the law's name as the user calls it (a variant's)</param>
        /// <param name="sources">the law's files by path, for the positions in messages</param>
        /// <exception cref="MetaGradientException">not an optimizer-shaped law, a task without a Hessian-vector product, a stochastic task, a law not smooth</exception>
        public LawMetaGradient(IrUnit unit, ITask task, int steps, MetaGradientOptions? options = null, string? name = null,
            IReadOnlyDictionary<string, SourceFile>? sources = null)
        {
            _unit = unit ?? throw new ArgumentNullException(nameof(unit));
            _task = task ?? throw new ArgumentNullException(nameof(task));
            _options = options ?? new MetaGradientOptions();
            Name = name ?? unit.Name;
            if (steps < 1) throw new MetaGradientException("the number of steps must be at least 1, not " + steps);
            _steps = steps;
            if (unit.Kind != UnitKind.Law) throw new MetaGradientException("'" + Name + "' is a cell; meta-gradients are of laws");
            if (!AE.Dsl.Emit.CSharpEmitter.IsOptimizerShape(unit))
                throw new MetaGradientException("law " + Name + " is not of the optimizer shape (input loss: real; input grad: real[n]; state theta: real[n])");
            _loss = unit.Inputs[0].Name;
            _grad = unit.Inputs[1].Name;
            _theta = AE.Dsl.Emit.CSharpEmitter.HostStates(unit).Single().Name;
            _curvature = task as IHessianVectorProduct
                ?? throw new MetaGradientException("task " + task.Name + " has no Hessian-vector product; meta-gradients run on quadratic, quadratic-1e4, rosenbrock, rosenbrock-nd, linreg and golden cases");
            if (task.IsStochastic) throw new MetaGradientException("task " + task.Name + " is stochastic; meta-gradients need a deterministic task");
            _dims = new Dictionary<string, int>(StringComparer.Ordinal) { [unit.Dims.Single(d => d.IsRuntime).Name] = task.Dimension };

            var ablated = _options.Ablated ?? Array.Empty<string>();
            NonSmooth = NonSmoothSites(unit, ablated);
            if (NonSmooth.Count > 0 && !_options.Subgradients)
                throw new MetaGradientException("law " + Name + " is not smooth (AE-9): " + NonSmooth[0].Describe(sources)
                    + (NonSmooth.Count > 1 ? " and " + (NonSmooth.Count - 1) + " more" : "")
                    + "; differentiate a smooth law (docs/language.md, 'Meta-gradients of laws') or ask for the subgradients of docs/language.md (--subgradients)");

            // Every param's value (defaults evaluated, overrides applied): the runs override them all, so that
            // perturbing one param does not move another whose default reads it.
            Interpreter reference;
            try { reference = new Interpreter(unit, _dims, _options.Overrides, null, ablated, _options.Seed); }
            catch (ArgumentException ex) { throw new MetaGradientException(Replay.LawSettings.FirstLine(ex.Message), ex); }
            _values = unit.Params.ToDictionary(p => p.Name, p => (double[])reference.Get(p.Name).Clone(), StringComparer.Ordinal);
            foreach (var p in unit.Params.Where(p => p.Type.Scalar == ScalarType.Real))
                for (int i = 0; i < _values[p.Name].Length; i++) _elements.Add((p.Name, i));
        }

        public string Name { get; }

        /// <summary>The constructs differentiated by their subgradients (empty for a smooth law).</summary>
        public IReadOnlyList<NonSmoothSite> NonSmooth { get; }

        /// <summary>The real params, one entry per element (<c>k_p</c>, <c>w[2]</c>), in declaration order.</summary>
        public IReadOnlyList<string> ParamNames => _elements.Select(e => _values[e.Param].Length == 1 ? e.Param : e.Param + "[" + e.Index + "]").ToList();

        /// <summary>The param values the run uses, in the order of <see cref="ParamNames"/>.</summary>
        public IReadOnlyList<double> ParamValues => _elements.Select(e => _values[e.Param][e.Index]).ToList();

        /// <summary>
        /// The constructs of <paramref name="unit"/> that are not smooth, in rules in effect (not switched off) that
        /// are not declared smooth, and in the values of its declarations that enter the step (initial values, bounds,
        /// neutral values: a filter's rate is in its rule), in source order: what AE0040 would report if they were.
        /// </summary>
        public static IReadOnlyList<NonSmoothSite> NonSmoothSites(IrUnit unit, IEnumerable<string> ablated)
        {
            if (unit is null) throw new ArgumentNullException(nameof(unit));
            var off = new HashSet<string>(ablated ?? Array.Empty<string>(), StringComparer.Ordinal);
            var relu = unit.Nets.Where(n => n.Activation == "relu").Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            var sites = new List<NonSmoothSite>();
            foreach (var rule in unit.Rules)
            {
                if (off.Contains(rule.Id) || rule.Smooth || unit.Smooth) continue;
                void Add(string construct, TextSpan span) => sites.Add(new NonSmoothSite(rule.Id, construct, rule.Origin.Path, span));
                void Walk(IEnumerable<IrStmt> body)
                {
                    foreach (var s in body)
                    {
                        if (s is IrWhen w) Add("when", w.Span);
                        foreach (var root in IrFacts.OwnExpressions(s))
                            foreach (var e in IrFacts.Descendants(root))
                            {
                                if (NonSmoothConstruct(e, relu) is string construct) Add(construct, e.Span);
                            }
                        if (s is IrWhen ww) { Walk(ww.Then); Walk(ww.Else); }
                    }
                }
                Walk(rule.Body);
            }
            if (!unit.Smooth)
            {
                // A declaration's construct carries a meta-gradient only where its operands read a real param (a '?:' only
                // where its condition does): 'max(n, 2)' with a dim, or over an int param, is a fixed value.
                void Declared(string what, IrExpr? value, IrOrigin origin)
                {
                    if (value is null) return;
                    foreach (var e in IrFacts.Descendants(value))
                        if (NonSmoothConstruct(e, relu) is string construct && IrFacts.ReadsRealParam(e is IrSelect s ? s.Condition : e))
                            sites.Add(new NonSmoothSite(what, construct, origin.Path, e.Span));
                }
                foreach (var s in unit.States)
                {
                    Declared("the initial value of " + s.Name, s.Init, s.Origin);
                    Declared("the bounds of " + s.Name, s.Bounds?.Lo, s.Origin);
                    Declared("the bounds of " + s.Name, s.Bounds?.Hi, s.Origin);
                }
                foreach (var s in unit.Signals) Declared("the neutral value of " + s.Name, s.Neutral, s.Origin);
                foreach (var a in unit.Accs) Declared("the neutral value of " + a.Name, a.Neutral, a.Origin);
            }
            return sites.OrderBy(s => s.Path, StringComparer.Ordinal).ThenBy(s => s.Span.Start).ToList();
        }

        /// <summary>The construct <paramref name="e"/> is where it is not smooth (AE0040's list), or null.</summary>
        private static string? NonSmoothConstruct(IrExpr e, HashSet<string> reluNets) => e switch
        {
            IrSelect => "?:",
            IrBinary { Op: BinaryOp.Mod } => "%",
            IrCall c when Builtins.Pure.TryGetValue(c.Function, out var b) && !b.Smooth => c.Function,
            IrFilter { Kind: FilterKind.Latch } => "latch",
            IrNetApply n when reluNets.Contains(n.Net) => n.Net + " (relu)",
            _ => null,
        };

        /// <summary>The task's loss at θ_K with the given param values: the reference interpreter's run.</summary>
        public double Loss(IReadOnlyDictionary<string, double[]> values)
        {
            var theta = InitialTheta();
            var interpreter = new Interpreter(_unit, _dims, values, new Dictionary<string, double[]> { [_theta] = theta }, _options.Ablated, _options.Seed);
            var grad = new double[theta.Length];
            for (int k = 0; k < _steps; k++)
            {
                double f = _task.EvaluateExact(theta, grad, k);
                interpreter.Step(new Dictionary<string, double[]> { [_loss] = new[] { f }, [_grad] = (double[])grad.Clone() });
                theta = interpreter.Get(_theta);
            }
            return _task.EvaluateExact(theta, grad, _steps);
        }

        /// <summary>The loss at θ_K and its gradient with respect to each real param (<see cref="ParamNames"/>'s order), by reverse mode.</summary>
        public (double InitialLoss, double Loss, double[] Gradient) Gradient()
        {
            var tape = new Tape();
            var parameters = AdjointParameters.Create(tape, _unit, _dims, _values);
            var adjoint = new AdjointInterpreter(_unit, parameters, _dims, _values, new Dictionary<string, double[]> { [_theta] = InitialTheta() },
                _options.Ablated, _options.Seed);
            var theta = adjoint.InitialState[_theta];
            double initial = double.NaN;
            for (int k = 0; k < _steps; k++)
            {
                var (loss, grad) = Observe(tape, theta, k);
                if (k == 0) initial = loss.Value[0];
                adjoint.Step(new Dictionary<string, TapeValue> { [_loss] = loss, [_grad] = grad });
                theta = adjoint.Get(_theta);
            }
            var (objective, _) = Observe(tape, theta, _steps);
            tape.Backward(objective);
            var gradient = _elements.Select(e => parameters.Params[e.Param].GradOrZeros[e.Index]).ToArray();
            return (initial, objective.Value[0], gradient);
        }

        /// <summary>
        /// The task's loss and gradient at θ as operations of the tape: d loss / dθ = ∇f(θ), and the gradient's
        /// vector-Jacobian product is H(θ) times the incoming gradient (H symmetric).
        /// </summary>
        private (TapeValue Loss, TapeValue Grad) Observe(Tape tape, TapeValue theta, long step)
        {
            var at = (double[])theta.Value.Clone();
            var g = new double[at.Length];
            double f = _task.EvaluateExact(at, g, step);
            var loss = tape.Record(new[] { f }, o =>
            {
                double go = o.Grad![0];
                var share = new double[g.Length];
                for (int i = 0; i < g.Length; i++) share[i] = go * g[i];
                theta.AddGrad(share);
            });
            var grad = tape.Record((double[])g.Clone(), o =>
            {
                var hv = new double[at.Length];
                _curvature.HessianVector(at, o.Grad!, hv);
                theta.AddGrad(hv);
            });
            return (loss, grad);
        }

        private double[] InitialTheta()
        {
            _task.Reset(_options.Seed);
            var theta = new double[_task.Dimension];
            _task.InitialTheta(_options.Seed, theta);
            return theta;
        }

        /// <summary>
        /// The meta-gradient of every real param beside a finite difference of the interpreter's run in float64. For a
        /// param of value p the step is h = <see cref="MetaGradientOptions.RelativeStep"/> · max(|p|, <see cref="MetaGradientOptions.StepFloor"/>)
        /// and the difference central, D(h) = (F(p + h) − F(p − h)) / 2h, where the law takes p ± h and p ± 2h (its
        /// params' ranges, its bounds and initial values, its filter rates and requires: <see cref="ValueChecks.Accepts"/>);
        /// else one-sided, of the same order, on the side it takes: (−3F(p) + 4F(p + h) − F(p + 2h)) / 2h, or its mirror.
        /// A run at a setting the law refuses measures nothing. The difference's error is estimated, not assumed:
        /// truncation (O(h²)) from the same difference at 2h, |D(2h) − D(h)| (3 times D(h)'s own to leading order;
        /// counted at most 1e-4 of the derivative, so a kink, where the two disagree wildly, is not excused), and
        /// rounding from 64 ulps of the loss per unit of the difference's weights (1/h central, 4/h one-sided).
        /// Agreement: |g − D(h)| ≤ <see cref="MetaGradientOptions.RelativeTolerance"/> · max(|g|, |D(h)|) + that estimate.
        /// A kink at p itself (a tie of max, a clamp at its bound, abs at 0) escapes that estimate: the central difference is
        /// then the mean of the two one-sided derivatives at every step, as is the subgradient's even split. So the one-sided
        /// differences are compared too: where they differ by more than 1e-4 of the larger and by about as much at 2h as at h
        /// (a smooth loss's differ in proportion to h), the param is at a kink, and that is a disagreement.
        /// <para>
        /// A difference that disagrees is taken again at h/10, h/100, h/1000, and on down to 1e-5 · |p| where the floor
        /// made h larger than that (a step larger than the scale on which
        /// the loss bends, a pole or a kink within p ± 2h, is the difference's fault, not the gradient's); a smaller
        /// step's agreement counts only where its own error estimate, uncapped, is within 1e-4 of the derivative, so
        /// the rounding of a tiny step cannot excuse a wrong gradient. The row reports the difference that agreed, or
        /// else the one of least estimated error. A param the law takes at no other value near p (a lower bound held at its coefficient's
        /// initial value, say), or at an infinite value, has no difference: it is not checked (<see cref="ParamMetaGradient.Checked"/>).
        /// </para>
        /// </summary>
        public MetaGradientReport Check()
        {
            var (initial, loss, gradient) = Gradient();
            double atP = Loss(_values);
            var rows = new List<ParamMetaGradient>();
            var names = ParamNames;
            for (int j = 0; j < _elements.Count; j++)
            {
                var (param, index) = _elements[j];
                double p = _values[param][index];
                double h0 = _options.RelativeStep * Math.Max(Math.Abs(p), _options.StepFloor);
                // The smaller steps go down to h0/1000, and on to the relative step of p itself where the floor made h0 larger.
                // (At most 12 in all; one for an infinite value, which has no neighbours.)
                double last = p == 0 || !double.IsFinite(p) ? h0 / 1000 : Math.Min(h0 / 1000, _options.RelativeStep * Math.Abs(p));
                var tried = new List<ParamMetaGradient>();
                // (a kink at p stays one at every step; a pole or a bend within p ± 2h that looked like one does not)
                for (int refine = 0; refine == 0 || (!tried[^1].Agrees && double.IsFinite(p) && refine < 12 && h0 / Math.Pow(10, refine) >= last * 0.999); refine++)
                    tried.Add(Difference(names[j], param, index, p, h0 / Math.Pow(10, refine), gradient[j], atP, strict: refine > 0));
                rows.Add(tried.FirstOrDefault(r => r.Agrees)
                    ?? tried.Where(r => r.Checked && !double.IsNaN(r.EstimatedError)).OrderBy(r => r.EstimatedError).FirstOrDefault()
                    ?? tried.FirstOrDefault(r => r.Checked) ?? tried[0]);
            }
            return new MetaGradientReport(Name, _task.Name, _steps, _options.Seed, initial, loss, rows, NonSmooth);
        }

        /// <summary>
        /// One difference of the loss in one param at step <paramref name="h"/>: central where the law takes p ± h and
        /// p ± 2h, else one-sided where it takes p + h, p + 2h, p + 4h (or their mirror), else none (NaN, and a
        /// disagreement: nothing was measured). <paramref name="strict"/>: agreement also needs the error estimate, uncapped, within 1e-4.
        /// </summary>
        private ParamMetaGradient Difference(string name, string param, int index, double p, double h, double g, double atP, bool strict)
        {
            // The central and the one-sided forms ask about the same points (p + h, p + 2h): each is built and judged once.
            var points = new Dictionary<double, (Dictionary<string, double[]> Values, bool Taken)>();
            (Dictionary<string, double[]> Values, bool Taken) At(double delta)
            {
                if (points.TryGetValue(delta, out var known)) return known;
                var values = _values.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone(), StringComparer.Ordinal);
                values[param][index] = p + delta;
                // An infinite value (a disabled clip) has no neighbours: p + h is p.
                return points[delta] = (values, double.IsFinite(p + delta) && p + delta != p && Accepts(values));
            }
            bool Takes(double delta) => At(delta).Taken;
            double Run(double delta) => Loss(At(delta).Values);

            string kind;
            double d1, d2, weight, largest;
            double fp = double.NaN, fm = double.NaN, fp2 = double.NaN, fm2 = double.NaN;
            if (Takes(h) && Takes(-h) && Takes(2 * h) && Takes(-2 * h))
            {
                (fp, fm, fp2, fm2) = (Run(h), Run(-h), Run(2 * h), Run(-2 * h));
                (kind, d1, d2, weight) = ("central", (fp - fm) / (2 * h), (fp2 - fm2) / (4 * h), 1);
                largest = new[] { fp, fm, fp2, fm2 }.Max(Math.Abs);
            }
            else if (OneSided(+1, out d1, out d2, out largest)) (kind, weight) = ("forward", 4);
            else if (OneSided(-1, out d1, out d2, out largest)) (kind, weight) = ("backward", 4);
            else return new ParamMetaGradient(name, p, g, double.NaN, h, double.NaN, double.NaN, false, "none");

            double scale = Math.Max(Math.Abs(g), Math.Abs(d1));
            double rounding = weight * 64 * Math.Pow(2, -52) * Math.Max(largest, Math.Abs(atP)) / h;
            double estimate = Math.Abs(d2 - d1);
            double tolerance = _options.RelativeTolerance * scale + Math.Min(estimate, 1e-4 * scale) + rounding;
            double diff = Math.Abs(g - d1);
            double rel = scale == 0 ? 0 : diff / scale;
            if (kind == "central" && KinkAt(out double left, out double right))
                return new ParamMetaGradient(name, p, g, d1, h, rel, tolerance, false, "kink", estimate + rounding) { Left = left, Right = right };
            bool agrees = diff <= tolerance && (!strict || diff == 0 || estimate + rounding <= 1e-4 * scale);   // false for a NaN anywhere
            return new ParamMetaGradient(name, p, g, d1, h, rel, tolerance, agrees, kind, estimate + rounding);

            // The one-sided differences at h and at 2h: a smooth loss's differ by about h F'' (twice as much at 2h), a kink's
            // by its jump at both.
            // (from the central difference's own four runs)
            bool KinkAt(out double below, out double above)
            {
                below = (atP - fm) / h;
                above = (fp - atP) / h;
                double gap = Math.Abs(above - below);
                double gap2 = Math.Abs((fp2 - atP) / (2 * h) - (atP - fm2) / (2 * h));
                double noise = 2 * 64 * Math.Pow(2, -52) * Math.Max(largest, Math.Abs(atP)) / h;
                return gap > 1e-4 * Math.Max(Math.Abs(above), Math.Abs(below)) + noise && gap2 < 1.5 * gap;
            }

            // (−3F(p) + 4F(p + sh) − F(p + 2sh)) / 2sh, its second-order one-sided form, at h and at 2h.
            bool OneSided(int side, out double at1, out double at2, out double big)
            {
                at1 = at2 = big = double.NaN;
                double s = side * h;
                if (!(Takes(s) && Takes(2 * s) && Takes(4 * s))) return false;
                double f1 = Run(s), f2 = Run(2 * s), f4 = Run(4 * s);
                at1 = (-3 * atP + 4 * f1 - f2) / (2 * s);
                at2 = (-3 * atP + 4 * f2 - f4) / (4 * s);
                big = new[] { f1, f2, f4 }.Max(Math.Abs);
                return true;
            }
        }

        /// <summary>Whether the law's constructor takes these param values (<see cref="ValueChecks.Accepts"/>, on the interpreter's evaluation of them).</summary>
        private bool Accepts(IReadOnlyDictionary<string, double[]> values)
        {
            Interpreter interpreter;
            try { interpreter = new Interpreter(_unit, _dims, values, null, _options.Ablated, _options.Seed); }
            catch (ArgumentException) { return false; }
            return ValueChecks.Accepts(_unit, interpreter.EvaluateConstant, interpreter.Get);
        }
    }
}
