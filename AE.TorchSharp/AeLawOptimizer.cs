using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace AE.TorchSharp
{
    /// <summary>How many controllers an <see cref="AeLawOptimizer"/> runs.</summary>
    public enum AeControllers
    {
        /// <summary>One law sees every parameter of every group as one vector (the seed's AEAgent).</summary>
        One,
        /// <summary>One law per parameter group, each over its group's parameters as one vector.</summary>
        PerGroup,
    }

    /// <summary>
    /// A group's options. The law sets its own rates, so <see cref="OptimizerOptions.LearningRate"/>
    /// is NaN and nothing reads it (a learning-rate scheduler has nothing to drive).
    /// </summary>
    public sealed class AeLawOptions : OptimizerOptions
    {
        public AeLawOptions()
        {
            LearningRate = double.NaN;
            InitialLearningRate = double.NaN;
        }
    }

    /// <summary>A parameter group; under <see cref="AeControllers.PerGroup"/> it may bring its own law.</summary>
    public sealed class AeLawParamGroup : ParamGroup<AeLawOptions>
    {
        /// <param name="parameters">the group's parameters</param>
        /// <param name="law">this group's law for a vector of the given length (PerGroup only; null: the optimizer's)</param>
        public AeLawParamGroup(IEnumerable<Parameter> parameters, Func<int, IOptimizerLaw>? law = null)
            : base(parameters, new AeLawOptions())
        {
            Law = law;
        }

        /// <summary>The group's own law, or null for the optimizer's.</summary>
        public Func<int, IOptimizerLaw>? Law { get; }
    }

    /// <summary>
    /// A generated AE law (any <see cref="IOptimizerLaw"/>) as a TorchSharp optimizer. At construction the
    /// parameters are moved into one contiguous buffer per controller (each parameter's data becomes a
    /// view of it, and its gradient a view of a second buffer), so a step is the law's own step over the
    /// two spans, in place, with no copy. The law needs the loss: <c>step(closure)</c> evaluates it, or
    /// <see cref="step(double)"/> takes it. <c>state_dict</c> carries each law's whole state
    /// (<see cref="AeLawState"/>) on the first parameter of its vector.
    /// </summary>
    public sealed class AeLawOptimizer : OptimizerHelper
    {
        readonly List<FlatSegment> _segments = new();
        readonly Func<int, IOptimizerLaw> _law;
        bool _disposed;

        /// <summary>One law over all of <paramref name="parameters"/>.</summary>
        /// <param name="law">builds the law for a vector of the given length, e.g. <c>n => new AeSgdm(n)</c></param>
        public AeLawOptimizer(IEnumerable<Parameter> parameters, Func<int, IOptimizerLaw> law)
            : this(new[] { new AeLawParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters))) }, law, AeControllers.One)
        {
        }

        /// <summary>Parameter groups under one law (<see cref="AeControllers.One"/>) or one law each.</summary>
        public AeLawOptimizer(IEnumerable<ParamGroup> groups, Func<int, IOptimizerLaw> law, AeControllers controllers = AeControllers.One)
        {
            ArgumentNullException.ThrowIfNull(groups);
            _law = law ?? throw new ArgumentNullException(nameof(law));
            Controllers = controllers;
            _defaults = new AeLawOptions();
            _parameter_groups = new List<ParamGroup>();
            var list = groups.ToList();
            if (list.Count == 0) throw new ArgumentException("no parameter groups", nameof(groups));
            var parameters = list.Select(ParametersOf).ToList();
            if (controllers == AeControllers.One)
                AddSegment(parameters.SelectMany(ps => ps).ToList(), _law, "the optimizer");
            else
                for (int i = 0; i < list.Count; i++) AddSegment(parameters[i], LawOf(list[i]), $"parameter group {i}");
            for (int i = 0; i < list.Count; i++) Own(list[i], parameters[i]);
        }

        /// <summary>One law for all, or one per group.</summary>
        public AeControllers Controllers { get; }

        /// <summary>The laws, in the order of the groups (one under <see cref="AeControllers.One"/>).</summary>
        public IReadOnlyList<IOptimizerLaw> Laws => _segments.Select(s => s.Law).ToList();

        internal FlatSegment Segment(int index) => _segments[index];

        /// <summary>Controller <paramref name="index"/>'s parameters as one vector: a tensor over the memory the law steps.</summary>
        public Tensor Vector(int index) => _segments[index].Data;

        /// <summary>Controller <paramref name="index"/>'s gradients as one vector.</summary>
        public Tensor GradientVector(int index) => _segments[index].Grad;

        /// <summary>Evaluates the closure (with grad enabled) and steps every law with its loss.</summary>
        /// <exception cref="InvalidOperationException">no closure: the law needs the loss (use <see cref="step(double)"/>)</exception>
        public override Tensor step(Func<Tensor>? closure = null)
        {
            ThrowIfDisposed();
            if (closure is null)
                throw new InvalidOperationException("an AE law needs the loss: call step(closure) with a closure that returns it, or step(loss)");
            Tensor loss;
            using (enable_grad()) loss = closure();
            if (loss is null) throw new InvalidOperationException("the closure returned no loss");
            // libtorch's own error for this is a C++ backtrace: say what the law needs instead.
            if (loss.numel() != 1)
                throw new InvalidOperationException($"the closure returned a loss of {loss.numel()} elements (shape [{string.Join(", ", loss.shape)}]); a law reads one number: return a scalar, such as the sum or the mean");
            step(loss.ToDouble());
            return loss;
        }

        /// <summary>Steps every law with <paramref name="loss"/> (the loss of the gradients in the parameters' <c>grad</c>).</summary>
        public void step(double loss)
        {
            ThrowIfDisposed();
            foreach (var s in _segments)
            {
                s.AttachGradients();
                s.Step(loss);
            }
        }

        /// <summary>Zeroes the gradients in place (they stay views of the buffer); a parameter that no longer requires a gradient gets none, and is frozen.</summary>
        public override void zero_grad()
        {
            ThrowIfDisposed();
            foreach (var s in _segments) s.ZeroGrad();
        }

        /// <summary>Under <see cref="AeControllers.PerGroup"/>, adds a group with its own law; under One, an error (the one vector is fixed at construction).</summary>
        public override void add_param_group(ParamGroup param_group)
        {
            ArgumentNullException.ThrowIfNull(param_group);
            ThrowIfDisposed();
            if (Controllers == AeControllers.One)
                throw new InvalidOperationException("one controller sees all parameters as one vector fixed at construction; build the optimizer with every group, or use AeControllers.PerGroup");
            // The segment first: it makes every check (a parameter twice, dtypes, the law), so a refused group is not added.
            var parameters = ParametersOf(param_group);
            AddSegment(parameters, LawOf(param_group), $"parameter group {_parameter_groups.Count}");
            Own(param_group, parameters);
        }

        Func<int, IOptimizerLaw> LawOf(ParamGroup g) => (g as AeLawParamGroup)?.Law ?? _law;

        static List<Parameter> ParametersOf(ParamGroup g) =>
            g.Parameters?.ToList() ?? throw new ArgumentException("a parameter group has no parameters");

        /// <summary>Adds a group whose segment was added: its parameters as an array, and its options as the law's.</summary>
        void Own(ParamGroup g, List<Parameter> parameters)
        {
            g.Parameters = parameters.ToArray();
            g.Options ??= new AeLawOptions();
            if (g.Options.LearningRate is null) g.Options.LearningRate = double.NaN;
            _parameter_groups.Add(g);
        }

        void AddSegment(List<Parameter> parameters, Func<int, IOptimizerLaw> law, string what)
        {
            var seen = new HashSet<IntPtr>();
            foreach (var p in _segments.SelectMany(s => s.Parameters).Concat(parameters))
                if (!seen.Add(p.Handle)) throw new ArgumentException($"{what}: a parameter appears twice");
            var segment = new FlatSegment(parameters, law, what);
            _segments.Add(segment);
            for (int i = 0; i < parameters.Count; i++)
                _state[parameters[i].Handle] = new AeLawParamState(parameters[i], segment, i == 0);
        }

        void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed) foreach (var s in _segments) s.Dispose();
            _disposed = true;
            base.Dispose(disposing);
        }

        /// <summary>
        /// A parameter's entry of the state dict: the first parameter of a controller's vector carries the
        /// law's whole state, the others nothing (the law's state is one vector's, not a parameter's).
        /// </summary>
        sealed class AeLawParamState : OptimizerState
        {
            readonly FlatSegment _segment;
            readonly bool _carriesLaw;

            public AeLawParamState(Parameter parameter, FlatSegment segment, bool carriesLaw) : base(parameter)
            {
                _segment = segment;
                _carriesLaw = carriesLaw;
            }

            public override void SaveStateDict(BinaryWriter writer)
            {
                writer.Write(_carriesLaw);
                if (_carriesLaw)
                {
                    writer.Write(_segment.Length);
                    AeLawState.Write(_segment.Law, writer);
                }
            }

            public override void LoadStateDict(BinaryReader reader)
            {
                if (reader.ReadBoolean() != _carriesLaw)
                    throw new InvalidDataException("the optimizer state was saved with another split of the parameters into controllers");
                if (!_carriesLaw) return;
                int length = reader.ReadInt32();
                if (length != _segment.Length)
                    throw new InvalidDataException($"the optimizer state is of a vector of {length} parameters, this controller's has {_segment.Length}");
                _segment.ReadLawState(reader);
            }

            public override void LoadStateDict(OptimizerState source)
            {
                if (source is not AeLawParamState other || other._carriesLaw != _carriesLaw)
                    throw new InvalidDataException("the optimizer state is not an AE law optimizer's of the same split into controllers");
                if (_carriesLaw && other._segment.Length != _segment.Length)
                    throw new InvalidDataException($"the optimizer state is of a vector of {other._segment.Length} parameters, this controller's has {_segment.Length}");
                if (_carriesLaw && !ReferenceEquals(other._segment, _segment))
                    _segment.LoadLawState(AeLawState.Save(other._segment.Law));
            }

            public override void Initialize(OptimizerOptions options)
            {
            }
        }
    }
}
