using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using AE.Experiments.Baselines;
using AE.Experiments.Compilation;
using AE.Runtime;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary><see cref="LawState"/> on generated laws and populations of the shipped files: resuming, and refusing what is not theirs.</summary>
    public class LawStateTests
    {
        private static readonly Lazy<CompiledLaw> AdamLaw = new(() => CompiledLaw.Load(new[] { Path.Combine(RepoPaths.Root, "laws", "ae_adam.ae") }, "AeAdam", RepoPaths.Root));
        private static readonly Lazy<CompiledLaw> SgdmLaw = new(() => CompiledLaw.Load(new[] { Path.Combine(RepoPaths.Root, "laws", "ae_sgdm.ae") }, "AeSgdm", RepoPaths.Root));

        private const int N = 37;

        /// <summary>AE-Adam with its exploration noise on, so the continuation also depends on the noise stream's position.</summary>
        private static IOptimizerLaw NoisyAdam(ulong seed, double initAlpha = 0.01)
        {
            var law = AdamLaw.Value;
            var options = Activator.CreateInstance(law.Type.GetNestedType("Options")!)!;
            options.GetType().GetProperty("init_alpha")!.SetValue(options, initAlpha);
            options.GetType().GetProperty("sigma_max")!.SetValue(options, 0.01);
            options.GetType().GetProperty("init_sigma")!.SetValue(options, 0.001);
            return law.Create(N, options, seed);
        }

        private static IOptimizerPopulation Population(CompiledLaw law, int k, ulong seed)
        {
            var optionsType = law.Type.GetNestedType("Options")!;
            var options = Array.CreateInstance(optionsType, k);
            for (int j = 0; j < k; j++)
            {
                var o = Activator.CreateInstance(optionsType)!;
                optionsType.GetProperty("init_alpha")!.SetValue(o, 0.002 * (j + 1));
                options.SetValue(o, j);
            }
            var type = law.Type.Assembly.GetType(law.Type.FullName + "Population")!;
            return (IOptimizerPopulation)Activator.CreateInstance(type, k, N, options, seed)!;
        }

        /// <summary>A fixed ill-conditioned quadratic with a step-dependent push: the gradient depends on theta and the step.</summary>
        private static double Gradient(ReadOnlySpan<double> theta, Span<double> grad, long step, int stride = 1, int offset = 0)
        {
            double loss = 0;
            for (int i = 0; i < grad.Length; i++)
            {
                int element = i / stride;
                double scale = 1 + element % 5, x = theta[i];
                loss += 0.5 * scale * x * x;
                grad[i] = scale * x + 0.05 * Math.Sin(element + 0.3 * step + offset * (i % stride));
            }
            return loss;
        }

        private static void Run(IOptimizerLaw law, double[] theta, long from, long to)
        {
            var grad = new double[theta.Length];
            for (long s = from; s < to; s++) law.Step(Gradient(theta, grad, s), grad, theta);
        }

        private static void Run(IOptimizerPopulation population, double[] theta, long from, long to)
        {
            int k = population.Count;
            var grad = new double[theta.Length];
            var loss = new double[k];
            for (long s = from; s < to; s++)
            {
                Gradient(theta, grad, s, stride: k, offset: 1);
                for (int j = 0; j < k; j++) loss[j] = 1.0 / (s + j + 1);
                population.Step(loss, grad, theta);
            }
        }

        private static double[] Start(int length) => Enumerable.Range(0, length).Select(i => Math.Cos(i * 0.7)).ToArray();

        private static long[] Bits(double[] v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();

        /// <summary>
        /// An instance run straight for <paramref name="total"/> steps against one saved after <paramref name="cut"/> steps (and
        /// stepped on, which the state must not see), restored into <paramref name="other"/>'s instance and continued: the same
        /// bits and the same state at the end; a fresh instance continued from the same point differs, so the check can fail.
        /// Returns the continued parameters.
        /// </summary>
        private static double[] AssertResumes<TOwner>(Func<TOwner> make, Func<TOwner> other, Action<TOwner, double[], long, long> run,
            Func<TOwner, byte[]> save, Action<TOwner, byte[]> load, Func<TOwner, long> stepCount, int length, int cut, int total)
        {
            var whole = make();
            var straight = Start(length);
            run(whole, straight, 0, total);

            var first = make();
            var theta = Start(length);
            run(first, theta, 0, cut);
            byte[] state = save(first);
            run(first, (double[])theta.Clone(), cut, cut + 3);   // steps after the save are not in it

            var resumed = other();
            load(resumed, state);
            Assert.Equal(cut, stepCount(resumed));
            var continued = (double[])theta.Clone();
            run(resumed, continued, cut, total);
            Assert.Equal(Bits(straight), Bits(continued));
            Assert.Equal(save(whole), save(resumed));

            var fresh = make();
            var differs = (double[])theta.Clone();
            run(fresh, differs, cut, total);
            Assert.NotEqual(Bits(straight), Bits(differs));
            return continued;
        }

        [Fact]
        public void A_generated_law_saved_and_restored_continues_bit_for_bit()
        {
            // Restored into a law built with another seed and other options: the state carries both.
            AssertResumes(() => NoisyAdam(seed: 5), () => NoisyAdam(seed: 99, initAlpha: 0.5), (law, theta, from, to) => Run(law, theta, from, to),
                law => LawState.Save(law), (law, state) => LawState.Load(law, state), law => law.StepCount, N, cut: 12, total: 30);
        }

        /// <summary>A state read from a stream that cannot seek (a GZipStream, a pipe) is the state written; a cut one is still one line.</summary>
        [Fact]
        public void A_state_reads_back_from_a_stream_that_cannot_seek()
        {
            var law = NoisyAdam(seed: 5);
            var theta = Start(N);
            Run(law, theta, 0, 12);
            using var packed = new MemoryStream();
            using (var zip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            using (var w = new BinaryWriter(zip)) LawState.Write(law, w);
            byte[] gz = packed.ToArray();

            var restored = NoisyAdam(seed: 99, initAlpha: 0.5);
            using (var zip = new System.IO.Compression.GZipStream(new MemoryStream(gz), System.IO.Compression.CompressionMode.Decompress))
            using (var r = new BinaryReader(zip))
            {
                Assert.False(zip.CanSeek);
                LawState.Read(restored, r);
            }
            Assert.Equal(LawState.Save(law), LawState.Save(restored));

            // The same state cut short, through a stream that cannot tell its length: truncated, and the instance as it was.
            var plain = LawState.Save(law);
            var untouched = NoisyAdam(seed: 99, initAlpha: 0.5);
            var before = LawState.Save(untouched);
            using var cut = new NonSeekable(plain.AsSpan(0, plain.Length - 100).ToArray());
            using var cutReader = new BinaryReader(cut);
            var ex = Assert.Throws<InvalidDataException>(() => LawState.Read(untouched, cutReader));
            Assert.Equal("the state of AeAdam is truncated", ex.Message);
            Assert.Equal(before, LawState.Save(untouched));
        }

        /// <summary>A stream over bytes that cannot seek or tell its length, as a pipe.</summary>
        private sealed class NonSeekable : Stream
        {
            private readonly MemoryStream _inner;
            public NonSeekable(byte[] bytes) { _inner = new MemoryStream(bytes, writable: false); }
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            protected override void Dispose(bool disposing) { if (disposing) _inner.Dispose(); base.Dispose(disposing); }
        }

        /// <summary>
        /// An instance that stepped in float, given the state of one that stepped in double, steps on in double as that
        /// one does (its cached float pass job is not reused), and the other way round. n = 4096 runs the threaded passes.
        /// </summary>
        [Fact]
        public void A_state_restored_over_an_instance_of_the_other_precision_steps_on()
        {
            const int n = 4096;
            IOptimizerLaw Make() => AdamLaw.Value.Create(n, Activator.CreateInstance(AdamLaw.Value.Type.GetNestedType("Options")!)!, 3);
            var straight = Start(n);
            var whole = Make();
            Run(whole, straight, 0, 20);

            var first = Make();
            var theta = Start(n);
            Run(first, theta, 0, 8);
            byte[] state = LawState.Save(first);

            var floatStepped = Make();
            var g32 = new float[n];
            var t32 = Start(n).Select(x => (float)x).ToArray();
            for (int s = 0; s < 3; s++) floatStepped.Step(1f, g32.Select((_, i) => t32[i]).ToArray(), t32);
            LawState.Load(floatStepped, state);
            Run(floatStepped, theta, 8, 20);
            Assert.Equal(Bits(straight), Bits(theta));

            // And back: the double instance given a float instance's state steps on in float.
            var floatRun = Make();
            var f = Start(n).Select(x => (float)x).ToArray();
            for (int s = 0; s < 3; s++) floatRun.Step(1f, f.ToArray(), f);
            var floatState = LawState.Save(floatRun);
            var doubleStepped = Make();
            Run(doubleStepped, Start(n), 0, 2);
            LawState.Load(doubleStepped, floatState);
            var f2 = f.ToArray();
            floatRun.Step(1f, f.ToArray(), f);
            doubleStepped.Step(1f, f2.ToArray(), f2);
            Assert.Equal(f.Select(BitConverter.SingleToInt32Bits), f2.Select(BitConverter.SingleToInt32Bits));
        }

        [Fact]
        public void A_generated_population_saved_and_restored_continues_bit_for_bit()
        {
            const int k = 6;   // two blocks of four lanes, two of them padding
            var continued = AssertResumes(() => Population(SgdmLaw.Value, k, seed: 3), () => Population(SgdmLaw.Value, k, seed: 8),
                (population, theta, from, to) => Run(population, theta, from, to), population => LawState.Save(population),
                (population, state) => LawState.Load(population, state), population => population.StepCount, N * k, cut: 9, total: 25);

            // Controller j of the restored population is still the law of options j and seed + j.
            var law = SgdmLaw.Value;
            var options = Activator.CreateInstance(law.Type.GetNestedType("Options")!)!;
            options.GetType().GetProperty("init_alpha")!.SetValue(options, 0.002 * 3);
            var single = law.Create(N, options, seed: 3 + 2);
            var mine = Enumerable.Range(0, N).Select(i => Start(N * k)[i * k + 2]).ToArray();
            var grad = new double[N];
            for (long s = 0; s < 25; s++)
            {
                for (int i = 0; i < N; i++)   // Gradient's formula for the lane of controller 2
                {
                    double scale = 1 + i % 5;
                    grad[i] = scale * mine[i] + 0.05 * Math.Sin(i + 0.3 * s + 1 * ((i * k + 2) % k));
                }
                single.Step(1.0 / (s + 2 + 1), grad, mine);
            }
            Assert.Equal(Bits(mine), Bits(Enumerable.Range(0, N).Select(i => continued[i * k + 2]).ToArray()));
        }

        private static void AssertOneLine(Exception ex, string expected)
        {
            Assert.IsType<InvalidDataException>(ex);
            Assert.DoesNotContain('\n', ex.Message);
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Another_laws_state_is_one_line_and_changes_nothing()
        {
            var adam = NoisyAdam(seed: 1);
            var theta = Start(N);
            Run(adam, theta, 0, 3);
            var before = LawState.Save(adam);

            var sgdm = SgdmLaw.Value.Create(N, Activator.CreateInstance(SgdmLaw.Value.Type.GetNestedType("Options")!)!, 1);
            Run(sgdm, Start(N), 0, 2);
            AssertOneLine(Assert.ThrowsAny<Exception>(() => LawState.Load(adam, LawState.Save(sgdm))), "the state is of AE.Replay.AeSgdm, not of AE.Replay.AeAdam");
            AssertOneLine(Assert.ThrowsAny<Exception>(() => LawState.Load(adam, LawState.Save(new Adam(N)))), "the state is of AE.Experiments.Baselines.Adam, not of AE.Replay.AeAdam");
            var population = Population(AdamLaw.Value, 4, 1);
            AssertOneLine(Assert.ThrowsAny<Exception>(() => LawState.Load(population, LawState.Save(adam))), "not of AE.Replay.AeAdamPopulation");
            AssertOneLine(Assert.ThrowsAny<Exception>(() => LawState.Load(Population(SgdmLaw.Value, 4, 1), LawState.Save(population))), "the state is of AE.Replay.AeAdamPopulation, not of AE.Replay.AeSgdmPopulation");
            // Another size: a dimension, a controller count within the same blocks.
            var dimension = Assert.ThrowsAny<Exception>(() => LawState.Load(NoisyAdamOf(N + 1), before));
            AssertOneLine(dimension, "another dimension");
            // named as the law names it, not by the generated field ('__st_m_f64', '<n>k__BackingField')
            Assert.DoesNotContain("__st_", dimension.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("k__BackingField", dimension.Message, StringComparison.Ordinal);
            var size = Assert.ThrowsAny<Exception>(() => LawState.Load(Population(AdamLaw.Value, 3, 1), LawState.Save(population)));
            AssertOneLine(size, "another size (the controller count: 4, this instance's 3)");
            Assert.Equal(before, LawState.Save(adam));
        }

        /// <summary>
        /// Every byte of a state flipped, one at a time: each load is refused in one line without a control character, and
        /// leaves the law as it was. Without the checksum a third of them loaded (a step count of -9.2e18, rule switches of
        /// no rule, a float precision where double was stepped) or named a field with the damaged bytes in the message.
        /// </summary>
        [Fact]
        public void A_state_with_any_byte_changed_is_refused_in_one_line_and_changes_nothing()
        {
            var law = NoisyAdam(seed: 3);
            Run(law, Start(N), 0, 5);
            var bytes = LawState.Save(law);
            var target = NoisyAdam(seed: 4);
            var before = LawState.Save(target);
            foreach (byte mask in new byte[] { 0x01, 0xFF })
                for (int i = 0; i < bytes.Length; i++)
                {
                    var damaged = (byte[])bytes.Clone();
                    damaged[i] ^= mask;
                    var ex = Assert.ThrowsAny<Exception>(() => LawState.Load(target, damaged));
                    Assert.True(ex is InvalidDataException, i + ": " + ex);
                    Assert.False(ex.Message.Any(char.IsControl), i + ": " + ex.Message);
                }
            Assert.Equal(before, LawState.Save(target));
            LawState.Load(target, bytes);
            Assert.Equal(bytes, LawState.Save(target));
        }

        /// <summary>
        /// States written one after another on one stream, and a value after them, read back in order: each read ends exactly
        /// after its checksum (the TorchSharp optimizer's state dict writes a law's state between its own fields).
        /// </summary>
        [Fact]
        public void States_written_back_to_back_read_back_in_order()
        {
            var first = NoisyAdam(seed: 5);
            Run(first, Start(N), 0, 3);
            var second = NoisyAdam(seed: 6);
            Run(second, Start(N), 0, 7);
            using var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                LawState.Write(first, w);
                w.Write(12345);
                LawState.Write(second, w);
                w.Write(-1);
            }
            Assert.Equal(LawState.Save(first).Length + 4 + LawState.Save(second).Length + 4, stream.Length);
            stream.Position = 0;
            var a = NoisyAdam(seed: 0);
            var b = NoisyAdam(seed: 0);
            using (var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true))
            {
                LawState.Read(a, r);
                Assert.Equal(12345, r.ReadInt32());
                LawState.Read(b, r);
                Assert.Equal(-1, r.ReadInt32());
            }
            Assert.Equal(LawState.Save(first), LawState.Save(a));
            Assert.Equal(LawState.Save(second), LawState.Save(b));
        }

        private enum Switches : ulong { None = 0, R1 = 1, R2 = 2 }

        private sealed class WithSwitches : IOptimizerLaw
        {
            private Switches _enabled = Switches.R1 | Switches.R2;
            public string LawName => "WithSwitches";
            public int Dimension => 1;
            public long StepCount => 0;
            public void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta) { }
            public void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta) { }
            public System.Collections.Generic.IReadOnlyList<string> SignalNames => Array.Empty<string>();
            public double ReadSignal(int index) => throw new ArgumentOutOfRangeException(nameof(index));
            public System.Collections.Generic.IReadOnlyList<string> RuleIds => new[] { "R1", "R2" };
            public void SetRule(string id, bool enabled) { }
            public override string ToString() => _enabled.ToString();
        }

        /// <summary>
        /// An enum field's members are part of the layout hash, as LayoutHash's text says: a generated law's rule switches
        /// are one flags value, and a rule inserted before others moves their bits, so a state saved before would switch
        /// the wrong rules where the hash said the layouts were the same.
        /// </summary>
        [Fact]
        public void The_layout_hash_holds_the_members_of_an_enum_field()
        {
            string text = typeof(WithSwitches).FullName + "\n_enabled " + typeof(WithSwitches).FullName!.Replace("WithSwitches", "Switches", StringComparison.Ordinal) + " {None=0,R1=1,R2=2}\n";
            Assert.Equal(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)), LawState.LayoutHash(typeof(WithSwitches)));
        }

        private static IOptimizerLaw NoisyAdamOf(int n) => AdamLaw.Value.Create(n, Activator.CreateInstance(AdamLaw.Value.Type.GetNestedType("Options")!)!, 0);

        [Fact]
        public void A_truncated_state_is_one_line_and_changes_nothing()
        {
            var population = Population(AdamLaw.Value, 5, 2);
            Run(population, Start(N * 5), 0, 4);
            var bytes = LawState.Save(population);
            var target = Population(AdamLaw.Value, 5, 2);
            var before = LawState.Save(target);
            for (int cut = 0; cut < bytes.Length; cut += cut < 200 ? 1 : 997)
            {
                var ex = Assert.ThrowsAny<Exception>(() => LawState.Load(target, bytes.AsSpan(0, cut).ToArray()));
                Assert.IsType<InvalidDataException>(ex);
                Assert.DoesNotContain('\n', ex.Message);
                if (cut > 12) Assert.True(ex.Message.Contains("truncated", StringComparison.Ordinal), cut + ": " + ex.Message);
            }
            AssertOneLine(Assert.ThrowsAny<Exception>(() => LawState.Load(target, bytes.Concat(new byte[] { 0 }).ToArray())), "1 bytes after its end");
            Assert.Equal(before, LawState.Save(target));
            LawState.Load(target, bytes);
            Assert.Equal(bytes, LawState.Save(target));
        }

        [Fact]
        public void A_state_of_another_format_version_or_layout_is_one_line()
        {
            var law = NoisyAdam(seed: 0);
            var before = LawState.Save(law);

            // Format version 1: the mark "AE.LawState/1", the type's name, then the fields without a hash.
            using (var stream = new MemoryStream())
            {
                using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                {
                    w.Write("AE.LawState/1");
                    w.Write(law.GetType().FullName!);
                    w.Write(0);
                }
                AssertOneLine(Assert.ThrowsAny<Exception>(() => LawState.Load(law, stream.ToArray())), "format version 1, which this build (version 3) does not read: resume it with the build that saved it, or start again");
            }

            // A later version, with the mark this build writes.
            var later = (byte[])before.Clone();
            int versionAt = 1 + "AE.LawState".Length;
            BitConverter.GetBytes(4).CopyTo(later, versionAt);
            AssertOneLine(Assert.ThrowsAny<Exception>(() => LawState.Load(law, later)), "format version 4; this build reads version 3");
            // An earlier one: saved before the checksum.
            var earlier = (byte[])before.Clone();
            BitConverter.GetBytes(2).CopyTo(earlier, versionAt);
            AssertOneLine(Assert.ThrowsAny<Exception>(() => LawState.Load(law, earlier)), "format version 2, which this build (version 3) does not read");

            // The same name with another layout hash (a law of the same name whose fields differ).
            var hashAt = versionAt + 4 + 1 + law.GetType().FullName!.Length;
            Assert.Equal(LawState.LayoutHash(law.GetType()), before.AsSpan(hashAt, 32).ToArray());
            var relaid = (byte[])before.Clone();
            relaid[hashAt + 7] ^= 1;
            AssertOneLine(Assert.ThrowsAny<Exception>(() => LawState.Load(law, relaid)), "has another layout");

            AssertOneLine(Assert.ThrowsAny<Exception>(() => LawState.Load(law, Encoding.UTF8.GetBytes("not a state at all"))), "not an AE law state");
            Assert.Equal(before, LawState.Save(law));
        }

        /// <summary>A law with fields of known names and types, for the hash's documented text.</summary>
        private sealed class Tiny : IOptimizerLaw
        {
            private double _rate = 0.5;
            private long[] _counts = new long[3];
            private readonly int _size = 3;

            public string LawName => "Tiny";
            public int Dimension => _size;
            public long StepCount => _counts[0];
            public void Step(double loss, ReadOnlySpan<double> grad, Span<double> theta) { _counts[0]++; _rate *= 0.5; }
            public void Step(float loss, ReadOnlySpan<float> grad, Span<float> theta) => _counts[0]++;
            public IReadOnlyList<string> SignalNames => Array.Empty<string>();
            public double ReadSignal(int index) => 0;
            public IReadOnlyList<string> RuleIds => Array.Empty<string>();
            public void SetRule(string id, bool enabled) { }
        }

        [Fact]
        public void The_layout_hash_is_sha256_of_the_type_name_and_its_fields_names_and_types()
        {
            string text = "AE.Experiments.Tests.LawStateTests+Tiny\n_counts System.Int64[]\n_rate System.Double\n_size System.Int32\n";
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(text)), LawState.LayoutHash(typeof(Tiny)));
            var generated = LawState.LayoutHash(AdamLaw.Value.Type);
            Assert.NotEqual(generated, LawState.LayoutHash(SgdmLaw.Value.Type));
            Assert.NotEqual(generated, LawState.LayoutHash(AdamLaw.Value.Type.Assembly.GetType(AdamLaw.Value.Type.FullName + "Population")!));
        }
    }
}
