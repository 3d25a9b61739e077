using System;
using System.IO;
using System.Linq;
using AE.Experiments.Compilation;
using AE.Runtime;
using AE.TorchSharp.Tests.Laws;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace AE.TorchSharp.Tests
{
    public class LawOptimizerTests
    {
        const int Steps = 25;

        static AeSgdm.Options SgdmOptions() => new() { init_alpha = 0.05, init_sigma = 0.01, auto_gamma_warmup = 5 };

        static IOptimizerLaw Sgdm(int n) => new AeSgdm(n, SgdmOptions(), seed: 7);

        static IOptimizerLaw Adam(int n) => new AeAdam(n, new AeAdam.Options { init_alpha = 0.01 }, seed: 3);

        /// <summary>
        /// The reference: the law stepping a plain vector (float[] for float32 models, double[] for
        /// float64) with the gradients of a second, ordinary copy of the model at that vector.
        /// </summary>
        sealed class Reference
        {
            readonly Sequential _model;
            readonly Parameter[] _params;
            readonly IOptimizerLaw _law;
            readonly bool _single;
            readonly Tensor _x, _y;
            public double[] Theta;

            public Reference(ScalarType dtype, Func<int, IOptimizerLaw> law)
            {
                _model = TestModels.Mlp(dtype, seed: 11);
                _params = TestModels.Params(_model);
                (_x, _y) = TestModels.Data(dtype, seed: 5);
                Theta = TestModels.Flatten(_params);
                _law = law(Theta.Length);
                _single = dtype == ScalarType.Float32;
            }

            public void Step()
            {
                TestModels.Assign(_params, Theta);
                _model.zero_grad();
                using var loss = TestModels.Loss(_model, _x, _y);
                loss.backward();
                double l = loss.ToDouble();
                var g = TestModels.FlattenGrad(_params);
                if (_single)
                {
                    var t = Theta.Select(v => (float)v).ToArray();
                    _law.Step((float)l, g.Select(v => (float)v).ToArray(), t);
                    Theta = t.Select(v => (double)v).ToArray();
                }
                else
                {
                    _law.Step(l, g, Theta);
                }
            }
        }

        [Theory]
        [InlineData(ScalarType.Float32, false)]
        [InlineData(ScalarType.Float64, false)]
        [InlineData(ScalarType.Float32, true)]
        public void One_controller_leaves_the_parameters_bit_identical_to_the_law_on_the_flat_vector(ScalarType dtype, bool moduleZeroGrad)
        {
            var opt = TrainAgainstReference(dtype, Sgdm, moduleZeroGrad);
            // The parameters are views of the law's vector: the law moved them.
            Assert.NotEqual(SgdmOptions().init_alpha, ((AeSgdm)opt.Laws[0]).alpha);
            opt.Dispose();
        }

        [Fact]
        public void A_law_compiled_in_memory_steps_the_model_as_on_the_flat_vector_and_round_trips_its_state()
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "AE.Compiler.sln"))) root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar))!;
            var compiled = CompiledLaw.Load(new[] { Path.Combine(root, "laws", "ae_sgdm_phase.ae") }, "AeSgdmPhase", root);
            var options = Activator.CreateInstance(compiled.Type.GetNestedType("Options")!)!;
            options.GetType().GetProperty("init_alpha")!.SetValue(options, 0.05);
            Func<int, IOptimizerLaw> make = n => compiled.Create(n, options, seed: 2);

            using var opt = TrainAgainstReference(ScalarType.Float64, make, moduleZeroGrad: false);
            Assert.Equal("AeSgdmPhase", opt.Laws[0].LawName);
            // Its state, read by reflection from a type compiled at run time, resumes bit for bit.
            var copy = make(opt.Laws[0].Dimension);
            AeLawState.Load(copy, AeLawState.Save(opt.Laws[0]));
            var theta = opt.Vector(0).data<double>().ToArray();
            var theta2 = (double[])theta.Clone();
            var grad = theta.Select((v, i) => Math.Sin(i + v)).ToArray();
            opt.Laws[0].Step(0.25, grad, theta);
            copy.Step(0.25, grad, theta2);
            TestModels.AssertBitEqual(theta, theta2, "the step after the state was copied");
        }

        /// <summary>Steps a model through the optimizer and the reference beside it, comparing every step bit for bit.</summary>
        static AeLawOptimizer TrainAgainstReference(ScalarType dtype, Func<int, IOptimizerLaw> law, bool moduleZeroGrad)
        {
            var model = TestModels.Mlp(dtype, seed: 11);
            var (x, y) = TestModels.Data(dtype, seed: 5);
            var opt = new AeLawOptimizer(model.parameters(), law);
            var reference = new Reference(dtype, law);
            TestModels.AssertBitEqual(reference.Theta, TestModels.Flatten(model.parameters()), "before the first step");
            for (int t = 0; t < Steps; t++)
            {
                opt.step(() =>
                {
                    // Module.zero_grad() sets the gradients to none: the optimizer attaches its views again.
                    if (moduleZeroGrad) model.zero_grad(); else opt.zero_grad();
                    var loss = TestModels.Loss(model, x, y);
                    loss.backward();
                    return loss;
                });
                reference.Step();
                TestModels.AssertBitEqual(reference.Theta, TestModels.Flatten(model.parameters()), $"step {t}");
            }
            Assert.Equal(Steps, opt.Laws[0].StepCount);
            return opt;
        }

        [Fact]
        public void Per_group_controllers_each_step_their_own_group_as_the_law_on_its_vector()
        {
            const ScalarType dtype = ScalarType.Float64;
            var model = TestModels.Mlp(dtype, seed: 11);
            var (x, y) = TestModels.Data(dtype, seed: 5);
            var p = TestModels.Params(model);
            var groups = new ParamGroup[]
            {
                new AeLawParamGroup(p.Take(2)),          // fc1: the optimizer's law (AE-SGDm)
                new AeLawParamGroup(p.Skip(2), Adam),    // fc2: its own law (AE-Adam)
            };
            using var opt = new AeLawOptimizer(groups, Sgdm, AeControllers.PerGroup);
            Assert.Equal(2, opt.Laws.Count);
            Assert.IsType<AeSgdm>(opt.Laws[0]);
            Assert.IsType<AeAdam>(opt.Laws[1]);

            // Reference: a second model; each law on its group's slice of the gradient and parameters.
            var refModel = TestModels.Mlp(dtype, seed: 11);
            var rp = TestModels.Params(refModel);
            var theta1 = TestModels.Flatten(rp.Take(2));
            var theta2 = TestModels.Flatten(rp.Skip(2));
            var law1 = Sgdm(theta1.Length);
            var law2 = Adam(theta2.Length);
            for (int t = 0; t < Steps; t++)
            {
                opt.step(() =>
                {
                    opt.zero_grad();
                    var loss = TestModels.Loss(model, x, y);
                    loss.backward();
                    return loss;
                });

                TestModels.Assign(rp.Take(2), theta1);
                TestModels.Assign(rp.Skip(2), theta2);
                refModel.zero_grad();
                using var loss = TestModels.Loss(refModel, x, y);
                loss.backward();
                law1.Step(loss.ToDouble(), TestModels.FlattenGrad(rp.Take(2)), theta1);
                law2.Step(loss.ToDouble(), TestModels.FlattenGrad(rp.Skip(2)), theta2);

                TestModels.AssertBitEqual(theta1, TestModels.Flatten(p.Take(2)), $"group 0, step {t}");
                TestModels.AssertBitEqual(theta2, TestModels.Flatten(p.Skip(2)), $"group 1, step {t}");
            }
        }

        static Func<Tensor> Closure(AeLawOptimizer opt, nn.Module<Tensor, Tensor> model, Tensor x, Tensor y) => () =>
        {
            opt.zero_grad();
            var loss = TestModels.Loss(model, x, y);
            loss.backward();
            return loss;
        };

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void State_dict_round_trip_resumes_bit_identically(bool throughStream)
        {
            const ScalarType dtype = ScalarType.Float32;
            var (x, y) = TestModels.Data(dtype, seed: 5);

            // Run A: 10 steps, save the model and the optimizer, 10 more steps.
            var a = TestModels.Mlp(dtype, seed: 11);
            using var optA = new AeLawOptimizer(a.parameters(), Sgdm);
            for (int t = 0; t < 10; t++) optA.step(Closure(optA, a, x, y));
            var savedParams = TestModels.Flatten(a.parameters());
            var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) optA.save_state_dict(w);

            // Run B: another model and a fresh law with other options and seed, the saved parameters and state
            // (loaded before A goes on: state_dict() refers to A's live state, as in TorchSharp and PyTorch).
            var b = TestModels.Mlp(dtype, seed: 99);
            TestModels.Assign(b.parameters(), savedParams);
            using var optB = new AeLawOptimizer(b.parameters(), n => new AeSgdm(n, new AeSgdm.Options { init_alpha = 0.5 }, seed: 1));
            if (throughStream)
            {
                stream.Position = 0;
                using var r = new BinaryReader(stream);
                optB.load_state_dict(r);
            }
            else
            {
                optB.load_state_dict(optA.state_dict());
            }

            var expected = new double[10][];
            for (int t = 0; t < 10; t++)
            {
                optA.step(Closure(optA, a, x, y));
                expected[t] = TestModels.Flatten(a.parameters());
            }
            Assert.Equal(10, optB.Laws[0].StepCount);
            for (int t = 0; t < 10; t++)
            {
                optB.step(Closure(optB, b, x, y));
                TestModels.AssertBitEqual(expected[t], TestModels.Flatten(b.parameters()), $"resumed step {t}");
            }
        }

        [Fact]
        public void State_of_another_split_or_size_is_refused_with_a_message()
        {
            // Two groups under one controller, saved; the same two groups with a controller each, loaded.
            var a = TestModels.Mlp(ScalarType.Float64, seed: 11);
            var pa = TestModels.Params(a);
            using var optA = new AeLawOptimizer(new ParamGroup[] { new AeLawParamGroup(pa.Take(2)), new AeLawParamGroup(pa.Skip(2)) }, Sgdm);
            var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) optA.save_state_dict(w);

            var b = TestModels.Mlp(ScalarType.Float64, seed: 11);
            var pb = TestModels.Params(b);
            using var optB = new AeLawOptimizer(new ParamGroup[] { new AeLawParamGroup(pb.Take(2)), new AeLawParamGroup(pb.Skip(2)) }, Sgdm, AeControllers.PerGroup);
            stream.Position = 0;
            var split = Assert.Throws<InvalidDataException>(() => optB.load_state_dict(new BinaryReader(stream)));
            Assert.Contains("controller", split.Message);   // the first vector is of another length
            var splitInMemory = Assert.Throws<InvalidDataException>(() => optB.load_state_dict(optA.state_dict()));
            Assert.Contains("controller", splitInMemory.Message);

            // A law state of another dimension, and of another law.
            var law = new AeSgdm(5);
            var ex = Assert.Throws<InvalidDataException>(() => AeLawState.Load(law, AeLawState.Save(optA.Laws[0])));
            Assert.Contains("dimension", ex.Message);
            var ex2 = Assert.Throws<InvalidDataException>(() => AeLawState.Load(new AeAdam(optA.Laws[0].Dimension), AeLawState.Save(optA.Laws[0])));
            Assert.Contains("AeSgdm", ex2.Message);
            // A refused state leaves the law as it was.
            Assert.Equal(0, law.StepCount);
            Assert.Equal(new AeSgdm.Options().init_alpha, law.alpha);
        }

        [Fact]
        public void Step_without_a_loss_and_bad_parameters_are_clear_errors()
        {
            var model = TestModels.Mlp(ScalarType.Float32, seed: 1);
            using var opt = new AeLawOptimizer(model.parameters(), Sgdm);
            var e = Assert.Throws<InvalidOperationException>(() => opt.step());
            Assert.Contains("needs the loss", e.Message);
            // a loss of several elements: the law reads one number (it was libtorch's C++ backtrace)
            var many = Assert.Throws<InvalidOperationException>(() => opt.step(() => ones(4, dtype: ScalarType.Float32)));
            Assert.Equal("the closure returned a loss of 4 elements (shape [4]); a law reads one number: return a scalar, such as the sum or the mean", many.Message);
            Assert.Equal(0, ((AeSgdm)opt.Laws[0]).StepCount);

            var p1 = new Parameter(zeros(3, dtype: ScalarType.Float32));
            var p2 = new Parameter(zeros(3, dtype: ScalarType.Float64));
            var mixed = Assert.Throws<ArgumentException>(() => new AeLawOptimizer(new[] { p1, p2 }, Sgdm));
            Assert.Contains("mixes", mixed.Message);
            var ints = Assert.Throws<ArgumentException>(() => new AeLawOptimizer(new[] { new Parameter(zeros(3, dtype: ScalarType.Float16)) }, Sgdm));
            Assert.Contains("float32 or float64", ints.Message);
            var twice = Assert.Throws<ArgumentException>(() => new AeLawOptimizer(new[] { p1, p1 }, Sgdm));
            Assert.Contains("twice", twice.Message);
            Assert.Throws<InvalidOperationException>(() => opt.add_param_group(new AeLawParamGroup(new[] { p1 })));

            // A model converted after the optimizer was built no longer lives in its buffer.
            model.to(ScalarType.Float64);
            var moved = Assert.Throws<InvalidOperationException>(() => opt.step(1.0));
            Assert.Contains("no longer lives", moved.Message);
            // so does the optimizer's zero_grad, the first call of the documented closure (it was TorchSharp's 'Tensor invalid -- empty handle.')
            var zeroed = Assert.Throws<InvalidOperationException>(() => opt.zero_grad());
            Assert.Contains("no longer lives", zeroed.Message);
            var closure = Assert.Throws<InvalidOperationException>(() => opt.step(() =>
            {
                opt.zero_grad();
                return tensor(1.0);
            }));
            Assert.Contains("no longer lives", closure.Message);
        }

        [Fact]
        public void Per_group_optimizer_takes_a_group_added_later()
        {
            var p1 = new Parameter(ones(4, dtype: ScalarType.Float64));
            var p2 = new Parameter(ones(3, dtype: ScalarType.Float64));
            using var opt = new AeLawOptimizer(new ParamGroup[] { new AeLawParamGroup(new[] { p1 }) }, Sgdm, AeControllers.PerGroup);
            opt.add_param_group(new AeLawParamGroup(new[] { p2 }, Adam));
            Assert.Equal(new[] { 4, 3 }, opt.Laws.Select(l => l.Dimension));
            using (var loss = (p1.square().sum() + p2.square().sum())) { loss.backward(); opt.step(loss.ToDouble()); }
            // d/dp (p^2) = 2 at p = 1: each law moved its own vector.
            Assert.All(TestModels.Flatten(new[] { p1, p2 }), v => Assert.True(v < 1.0));
            Assert.Equal(2, opt.state_dict().Options.Count);
        }

        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void The_laws_step_on_the_bindings_vectors_allocates_nothing(ScalarType dtype)
        {
            var model = TestModels.Mlp(dtype, seed: 3);
            var (x, y) = TestModels.Data(dtype, seed: 4);
            using var opt = new AeLawOptimizer(model.parameters(), Sgdm);
            using (var loss = TestModels.Loss(model, x, y)) { loss.backward(); opt.step(loss.ToDouble()); }
            var segment = opt.Segment(0);
            for (int i = 0; i < 10; i++) segment.Step(0.5);   // warm-up (JIT, lazily built passes)
            long least = long.MaxValue;
            for (int run = 0; run < 3; run++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 200; i++) segment.Step(0.5);
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.Equal(0, least);
            Assert.Equal(1 + 10 + 3 * 200, opt.Laws[0].StepCount);
        }

        /// <summary>
        /// As PyTorch's optimizers skip a parameter whose grad is None: frozen with <c>requires_grad_(false)</c> before the
        /// optimizer was built, it keeps its values bit for bit while the others move (the law, drawing noise, would move it:
        /// it sees zeros for its gradient); and after <c>Module.zero_grad()</c>, with every grad None, a step moves nothing.
        /// </summary>
        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void A_parameter_whose_grad_is_none_keeps_its_values(ScalarType dtype)
        {
            var model = TestModels.Mlp(dtype, seed: 2);
            var (x, y) = TestModels.Data(dtype, seed: 6);
            var ps = TestModels.Params(model);
            ps[0].requires_grad_(false);
            using var opt = new AeLawOptimizer(model.parameters(), Sgdm);
            var frozen = TestModels.Flatten(ps.Take(1));
            var others = TestModels.Flatten(ps.Skip(1));
            for (int t = 0; t < 5; t++) opt.step(Closure(opt, model, x, y));
            using (var g = ps[0].grad) Assert.Null(g);
            TestModels.AssertBitEqual(frozen, TestModels.Flatten(ps.Take(1)), "the frozen parameter");
            Assert.NotEqual(others, TestModels.Flatten(ps.Skip(1)));

            using (var loss = TestModels.Loss(model, x, y)) loss.backward();
            model.zero_grad();   // every grad None
            var before = TestModels.Flatten(ps);
            long steps = opt.Laws[0].StepCount;
            opt.step(0.5);
            TestModels.AssertBitEqual(before, TestModels.Flatten(ps), "every parameter after a step with no gradients");
            Assert.Equal(steps + 1, opt.Laws[0].StepCount);
        }

        /// <summary>
        /// A parameter frozen with <c>requires_grad_(false)</c> after the optimizer was built: PyTorch's <c>zero_grad()</c>
        /// (set_to_none, its default) makes its grad None and its optimizers then skip it, so it stops moving; here too, from
        /// the first <c>zero_grad()</c> on its grad is none and its values stay bit for bit, while the law (momentum, noise)
        /// would otherwise go on moving it and the others move.
        /// </summary>
        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void A_parameter_frozen_after_the_optimizer_was_built_stops_at_the_next_zero_grad(ScalarType dtype)
        {
            var model = TestModels.Mlp(dtype, seed: 3);
            var (x, y) = TestModels.Data(dtype, seed: 8);
            var ps = TestModels.Params(model);
            using var opt = new AeLawOptimizer(model.parameters(), Sgdm);
            for (int t = 0; t < 3; t++) opt.step(Closure(opt, model, x, y));
            ps[0].requires_grad_(false);
            opt.zero_grad();
            using (var g = ps[0].grad) Assert.Null(g);
            var frozen = TestModels.Flatten(ps.Take(1));
            var others = TestModels.Flatten(ps.Skip(1));
            for (int t = 0; t < 5; t++) opt.step(Closure(opt, model, x, y));
            using (var g = ps[0].grad) Assert.Null(g);
            TestModels.AssertBitEqual(frozen, TestModels.Flatten(ps.Take(1)), "the parameter frozen after the optimizer was built");
            Assert.NotEqual(others, TestModels.Flatten(ps.Skip(1)));

            ps[0].requires_grad_(true);   // trainable again: backward gives it a gradient, the buffer's view
            for (int t = 0; t < 3; t++) opt.step(Closure(opt, model, x, y));
            Assert.NotEqual(frozen, TestModels.Flatten(ps.Take(1)));
        }

        /// <summary>Keeping a frozen parameter costs the step no allocation: a step with one allocates no more than one without.</summary>
        [Fact]
        public void Keeping_a_frozen_parameter_allocates_nothing()
        {
            long PerStep(bool freeze)
            {
                var model = TestModels.Mlp(ScalarType.Float64, seed: 3);
                var (x, y) = TestModels.Data(ScalarType.Float64, seed: 4);
                if (freeze) TestModels.Params(model)[2].requires_grad_(false);
                using var opt = new AeLawOptimizer(model.parameters(), Sgdm);
                using (var loss = TestModels.Loss(model, x, y)) { loss.backward(); opt.step(loss.ToDouble()); }
                for (int i = 0; i < 10; i++) opt.step(0.5);
                long least = long.MaxValue;
                for (int run = 0; run < 3; run++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < 100; i++) opt.step(0.5);
                    least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
                }
                return least / 100;
            }
            long trainable = PerStep(freeze: false), frozen = PerStep(freeze: true);
            Assert.True(frozen <= trainable, $"a step with a frozen parameter allocates {frozen} bytes, one without {trainable}");
        }

        /// <summary>A group that add_param_group refuses is not added: the optimizer still has its groups and laws, and its state still loads.</summary>
        [Fact]
        public void A_refused_parameter_group_changes_nothing()
        {
            var p1 = new Parameter(ones(4, dtype: ScalarType.Float64));
            var p2 = new Parameter(ones(3, dtype: ScalarType.Float64));
            using var opt = new AeLawOptimizer(new ParamGroup[] { new AeLawParamGroup(new[] { p1 }), new AeLawParamGroup(new[] { p2 }) }, Sgdm, AeControllers.PerGroup);
            var p3 = new Parameter(ones(2, dtype: ScalarType.Float64));
            Assert.Throws<ArgumentException>(() => opt.add_param_group(new AeLawParamGroup(new[] { p3, p1 })));
            Assert.Throws<ArgumentException>(() => opt.add_param_group(new AeLawParamGroup(new[] { p3 }, n => new AeSgdm(n + 1))));
            Assert.Equal(2, opt.ParamGroups.Count());
            Assert.Equal(2, opt.Laws.Count);
            using (var t = p3.detach()) Assert.Equal(new[] { 1.0, 1.0 }, t.data<double>().ToArray());

            var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) opt.save_state_dict(w);
            using var again = new AeLawOptimizer(new ParamGroup[] { new AeLawParamGroup(new[] { new Parameter(ones(4, dtype: ScalarType.Float64)) }), new AeLawParamGroup(new[] { new Parameter(ones(3, dtype: ScalarType.Float64)) }) }, Sgdm, AeControllers.PerGroup);
            stream.Position = 0;
            again.load_state_dict(new BinaryReader(stream));
            opt.add_param_group(new AeLawParamGroup(new[] { p3 }));   // a valid group is still taken
            Assert.Equal(3, opt.Laws.Count);
        }

        /// <summary>
        /// A state saved by an optimizer over float32 parameters (its law stepped in float) cannot go on over float64 ones:
        /// refused at the load in one line, the law unchanged (every step after it would throw).
        /// </summary>
        [Fact]
        public void A_state_of_the_other_precision_is_refused_at_the_load()
        {
            var single = TestModels.Mlp(ScalarType.Float32, seed: 11);
            var (x, y) = TestModels.Data(ScalarType.Float32, seed: 5);
            using var optSingle = new AeLawOptimizer(single.parameters(), Sgdm);
            for (int t = 0; t < 3; t++) optSingle.step(Closure(optSingle, single, x, y));
            var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) optSingle.save_state_dict(w);

            var wide = TestModels.Mlp(ScalarType.Float64, seed: 11);
            using var optWide = new AeLawOptimizer(wide.parameters(), Sgdm);
            stream.Position = 0;
            var ex = Assert.Throws<InvalidDataException>(() => optWide.load_state_dict(new BinaryReader(stream)));
            Assert.Equal("the state of AeSgdm was stepped in float32 and cannot load into one that steps in float64", ex.Message);
            Assert.Throws<InvalidDataException>(() => optWide.load_state_dict(optSingle.state_dict()));
            Assert.Equal(0, optWide.Laws[0].StepCount);
            var (xw, yw) = TestModels.Data(ScalarType.Float64, seed: 5);
            optWide.step(Closure(optWide, wide, xw, yw));   // still steps in float64
        }

        /// <summary>Kernel and MaxThreads say how to run, not what was run: a loaded state keeps the instance's own.</summary>
        [Fact]
        public void A_loaded_state_keeps_the_instances_run_time_settings()
        {
            var saved = new AeSgdm(300) { Kernel = StepKernel.Simd, MaxThreads = 3 };
            saved.Step(1.0, new double[300], new double[300]);
            var target = new AeSgdm(300) { Kernel = StepKernel.Scalar, MaxThreads = 1 };
            LawState.Load(target, LawState.Save(saved));
            Assert.Equal(1, target.StepCount);
            Assert.Equal(StepKernel.Scalar, target.Kernel);
            Assert.Equal(1, target.MaxThreads);
            Assert.Throws<ArgumentOutOfRangeException>(() => target.Kernel = (StepKernel)99);
            Assert.Equal(StepKernel.Scalar, target.Kernel);
        }

        [Fact]
        public void A_disposed_optimizer_refuses_to_step()
        {
            var model = TestModels.Mlp(ScalarType.Float64, seed: 1);
            var (x, y) = TestModels.Data(ScalarType.Float64, seed: 2);
            var opt = new AeLawOptimizer(model.parameters(), Sgdm);
            opt.step(Closure(opt, model, x, y));
            var before = TestModels.Flatten(model.parameters());
            opt.Dispose();
            Assert.Throws<ObjectDisposedException>(() => opt.step(0.5));
            Assert.Throws<ObjectDisposedException>(() => opt.step(() => TestModels.Loss(model, x, y)));
            Assert.Throws<ObjectDisposedException>(() => opt.zero_grad());
            TestModels.AssertBitEqual(before, TestModels.Flatten(model.parameters()), "the parameters after the refused steps");
        }
    }
}
