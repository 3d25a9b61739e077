using Xunit;

namespace AE.Dsl.Tests.Fuzz
{
    /// <summary>
    /// Bugs the random-program property found, each as the smallest program that shows it. Every test
    /// checks the program clean, emits every law and variant, compiles them (warnings fail), and steps
    /// them against the interpreter with the scalar and SIMD kernels and against their population, as
    /// the property does.
    /// </summary>
    public class FuzzRegressionTests
    {
        /// <summary>
        /// Bugs found and not fixed yet (docs/csharp-backend.md, "Known bugs"): their tests assert that the
        /// bug is still there, each with the failure it shows, so that a fix makes the test fail and says to
        /// move the test out of this list, where it then guards the fix. The property's generator keeps the
        /// constructs behind them off (<see cref="RandomProgramTests"/>).
        /// </summary>
        private static readonly System.Collections.Generic.Dictionary<string, string> KnownBugs = new()
        {
        };

        private static void AssertRunsLikeTheInterpreter(string text, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
        {
            TestSupport.AssertClean(text);
            var stats = new FuzzHarness.Stats();
            var failure = FuzzHarness.CheckEmitCompileRun(1, text, allowWarnings: false, stats);
            if (KnownBugs.TryGetValue(test, out var shows))
            {
                Assert.True(failure != null, test + " passes now: the bug is fixed, so take it out of KnownBugs (and docs/csharp-backend.md), where its test then guards the fix");
                Assert.Contains(shows!, failure!.ToString(), System.StringComparison.Ordinal);
                return;
            }
            Assert.True(failure == null, failure?.ToString());
            Assert.True(stats.NotEmitted == 0, string.Join("\n", stats.NotEmittedReasons));
            Assert.True(stats.Units > 0, "nothing was run");
        }

        /// <summary>The optimizer's declarations, for the programs below.</summary>
        private const string Optimizer = "dim n; input loss: real; input grad: real[n]; state theta: real[n];";

        // ---------- names

        [Fact]
        public void A_greek_coefficient_in_a_vector_statement_compiles() => AssertRunsLikeTheInterpreter(@"law Greek {
  " + Optimizer + @"
  coeff α in [1e-4, 1] = 0.01;
  rule adapt { α' = α * (1 + 0.01 * tanh(loss)); }
  update { theta' = theta - α' * grad; }
}");

        [Fact]
        public void A_non_ascii_signal_in_a_vector_statement_reads_this_steps_value() => AssertRunsLikeTheInterpreter(@"law Modifier {
  " + Optimizer + @"
  signal ʰa = 0;
  update {
    ʰa = ema(0.9, tanh(loss));
    theta' = theta - 0.01 * ʰa * grad;
  }
}");

        [Fact]
        public void A_non_ascii_rule_id_switches_its_vector_statement() => AssertRunsLikeTheInterpreter(@"law Switched {
  " + Optimizer + @"
  signal l = 0;
  rule ρ { theta' = theta - 0.01 * grad; }
  update { l = loss; }
}");

        [Fact]
        public void Rules_named_None_and_All_compile() => AssertRunsLikeTheInterpreter(@"law Switches {
  " + Optimizer + @"
  signal a = 0, b = 0;
  rule None { a = loss; }
  rule All { b = 2 * loss; }
  update { theta' = theta - 0.01 * (a + b) * grad; }
}");

        /// <summary>
        /// A law named like a member of its population (Count, SetEnabled) or a parameter of the population's methods
        /// (controller, rules) was that member inside the population, whose code names the law's Rules: the C# did not compile.
        /// </summary>
        [Theory]
        [InlineData("Count")]
        [InlineData("SetEnabled")]
        [InlineData("controller")]
        [InlineData("rules")]
        [InlineData("values")]
        public void A_law_named_like_a_member_of_its_population_compiles(string name) => AssertRunsLikeTheInterpreter("law " + name + @" {
  " + Optimizer + @"
  coeff c in [0, 1] = 0.5;
  rule R { c' = c * 0.5; }
  update { theta' = theta - 0.01 * c * grad; }
}");

        [Fact]
        public void State_named_like_the_constructors_parameters_is_initialised() => AssertRunsLikeTheInterpreter(@"law Ctor {
  " + Optimizer + @"
  state options = 0.5, seed = 2;
  update {
    options' = options * 0.9 + 0.1 * tanh(loss);
    seed' = seed + 1;
    theta' = theta - 0.01 * options * seed * grad;
  }
}");

        [Fact]
        public void Dims_named_like_the_constructors_parameters_compile() => AssertRunsLikeTheInterpreter(@"law CtorDims {
  dim options, seed, seed_, k;
  input loss: real;
  input grad: real[options];
  state theta: real[options];
  state a: real[seed] = 0.5, b: real[seed_] = 1, c: real[k] = 2;
  param p: real[seed] = 0.25;
  update {
    a' = a * 0.9 + p * loss;
    b' = b + loss;
    c' = c - loss;
    theta' = theta - 0.01 * (sum(a) + sum(b) + sum(c)) * grad;
  }
}");

        [Fact]
        public void A_name_ending_in_next_is_not_the_next_value_of_another_state() => AssertRunsLikeTheInterpreter(@"law Suffix {
  " + Optimizer + @"
  state g = 0, g_next = 5;
  signal r = 0;
  update {
    g' = g + loss;
    r = g_next;
    theta' = theta - 0.01 * r * grad;
  }
}");

        [Fact]
        public void Names_with_and_without_ae_before_an_underscore_are_two_names() => AssertRunsLikeTheInterpreter(@"law Prefix {
  " + Optimizer + @"
  param _k = 2, ae_k = 3;
  signal r = 0;
  update {
    r = _k * ae_k * loss;
    theta' = theta - 0.01 * r * grad;
  }
}");

        [Fact]
        public void A_name_with_a_trailing_underscore_is_not_a_renamed_member() => AssertRunsLikeTheInterpreter(@"law Twins {
  " + Optimizer + @"
  param Step = 0.5;
  signal r = 0;
  update {
    Step_ = 2 * loss;
    r = Step * Step_;
    theta' = theta - 0.01 * r * grad;
  }
}");

        /// <remarks>The state Step is the member Step__ (Step_ is the other state's): the harness reads it by the backend's rule.</remarks>
        [Fact]
        public void A_renamed_member_skips_the_names_the_unit_declares() => AssertRunsLikeTheInterpreter(@"law Clash {
  " + Optimizer + @"
  state Step: real[n] = 0, Step_: real[n] = 1;
  update {
    Step' = Step + grad;
    Step_' = Step_ - grad * loss;
    theta' = theta - 0.01 * (Step + Step_);
  }
}");

        [Fact]
        public void A_value_named_nameof_compiles() => AssertRunsLikeTheInterpreter(@"law Named {
  " + Optimizer + @"
  state nameof = 0;
  update {
    nameof' = nameof + loss;
    theta' = theta - 0.01 * nameof * grad;
  }
}");

        [Fact]
        public void A_name_starting_with_an_underscore_and_c_is_not_a_condition() => AssertRunsLikeTheInterpreter(@"law UnderC {
  " + Optimizer + @"
  acc _c1 = 0;
  signal s = 0;
  rule R { _c1 += loss; }
  update {
    s = sum(grad * _c1);
    theta' = theta - 0.01 * s * grad;
  }
}");

        // ---------- generated text

        [Fact]
        public void Titles_with_line_separators_stay_in_their_comments() => AssertRunsLikeTheInterpreter("law Titled \"one\u2028two\" {\n  " + Optimizer + @"
  signal l = 0;
  rule measure ""first line" + "\u2028" + @"second line"" { l = loss; }
  update ""step" + "\u2029" + "paragraph\u0085next\" { theta' = theta - 0.1 * l * grad; }\n}");

        [Fact]
        public void A_self_assignment_and_a_self_comparison_compile_without_warnings() => AssertRunsLikeTheInterpreter(@"law Selfish {
  " + Optimizer + @"
  state s = 1;
  signal nan = 0;
  rule keep {
    s' = s';
    nan = loss != loss ? 1 : 0;
  }
  update { theta' = theta - 0.01 * (s + nan) * grad; }
}");

        [Fact]
        public void A_law_without_real_inputs_or_host_state_has_one_step() => AssertRunsLikeTheInterpreter(@"law Counter {
  input on: bool;
  state c = 0;
  update { c' = on ? c + 1 : c; }
}");

        /// <remarks>A bool[n] input is a span of bools in both precisions: the law and its population have one Step each.</remarks>
        [Fact]
        public void A_law_whose_only_data_are_bools_and_ints_has_one_step() => AssertRunsLikeTheInterpreter(@"law Masked {
  dim n;
  input keep: bool[n];
  input on: bool;
  input k: int;
  state m: real[n] = 1;
  signal s = 0;
  update {
    m' = keep && on ? m * 0.5 + k : m;
    s = sum(m);
  }
}");

        // ---------- shapes and types

        [Fact]
        public void A_dim_derived_from_a_run_time_dim_compiles() => AssertRunsLikeTheInterpreter(@"law Wide {
  " + Optimizer + @"
  dim w = n + 2;
  state z: real[w] = 0.5;
  signal s = 0;
  rule measure { s = sum(z) + loss; }
  update {
    z' = z * 0.9;
    theta' = theta - 0.01 * s * grad;
  }
}");

        [Fact]
        public void An_int_state_in_a_vector_statement_compiles_for_simd() => AssertRunsLikeTheInterpreter(@"law Ticks {
  " + Optimizer + @"
  signal l = 0;
  state t: int = 0;
  update {
    t' = step;
    l = loss;
    theta' = theta - (t' + t') * grad * 0.001;
  }
}");

        [Fact]
        public void A_bool_vector_value_compiles() => AssertRunsLikeTheInterpreter(@"law Mask {
  " + Optimizer + @"
  update {
    up = grad > 0;
    theta' = up ? theta - 0.01 * grad * loss : theta;
  }
}");

        [Fact]
        public void A_bool_vector_input_compiles() => AssertRunsLikeTheInterpreter(@"law MaskIn {
  dim n;
  input loss: real;
  input grad: real[n];
  input keep: bool[n];
  state theta: real[n];
  update { theta' = keep ? theta - 0.01 * grad * loss : theta; }
}");

        [Fact]
        public void Bool_vector_params_state_and_signals_are_stored_as_ones_and_zeros() => AssertRunsLikeTheInterpreter(@"law MaskKept {
  " + Optimizer + @"
  param allow: bool[n] = true;
  state seen: bool[n] = false;
  signal up: bool[n];
  update {
    up = grad > 0;
    seen' = up || (allow && seen);
    theta' = seen ? theta - 0.01 * grad * loss : theta;
  }
}");

        [Fact]
        public void A_filter_in_a_vector_statement_no_pass_needs_leaves_no_unused_field() => AssertRunsLikeTheInterpreter(@"law DeadFilter {
  " + Optimizer + @"
  acc a: real[n] = 0;
  fixed rule collect { a += prev(loss, 0) * grad; }
  rule apply { theta' = theta - 0.01 * a; }
  update { theta' = theta' - 0.01 * grad; }
}
law NoApply = DeadFilter without apply;");

        /// <remarks>A filter whose argument draws stays in its vector statement (FilterHoisting): no pass computes it here.</remarks>
        [Fact]
        public void A_filter_that_draws_in_a_vector_statement_no_pass_needs_leaves_no_unused_field() => AssertRunsLikeTheInterpreter(@"law DeadNoisy {
  " + Optimizer + @"
  acc a: real[n] = 0;
  fixed rule collect { a += prev(0.1 * noise() + loss, 0) * grad; }
  rule apply { theta' = theta - 0.01 * a; }
  update { theta' = theta' - 0.01 * grad; }
}
law NoApply = DeadNoisy without apply;");

        // ---------- scalar filters in vector contexts: once per step, as the interpreter runs them

        [Fact]
        public void A_scalar_filter_of_a_draw_in_a_vector_statement_updates_once_per_step() => AssertRunsLikeTheInterpreter(@"law OnceDrawn {
  " + Optimizer + @"
  update {
    theta' = theta - 0.01 * grad + 0.001 * ema(0.9, noise()) * (noise() > 0 ? lp(0.5, loss + noise()) : 1) * noise(n);
  }
}");

        [Fact]
        public void A_scalar_filter_in_a_vector_statement_updates_once_per_step() => AssertRunsLikeTheInterpreter(@"law Once {
  " + Optimizer + @"
  state m: real[n] = 0;
  acc g: real[n] = 0;
  rule smooth_it {
    m' = 0.9 * m + lp(0.5, loss) * grad;
    when loss > 0 { g += prev(loss, 1) * grad; }
  }
  update {
    theta' = theta - 0.01 * ema(0.9, loss) * grad - 0.001 * latch(loss > 1, loss, 0) * (m + g);
  }
}");

        [Fact]
        public void A_scalar_filter_in_a_reductions_argument_updates_once_per_step() => AssertRunsLikeTheInterpreter(@"law InSums {
  " + Optimizer + @"
  signal s = 0, t = 0;
  rule measure {
    s = sum(grad * ema(0.5, loss));
    t = loss > 0 ? mean(grad + lp(0.5, loss)) : 0;
  }
  update {
    when max(grad * prev(loss, 0)) > 0 { theta' = theta - 0.01 * (s + t) * grad; }
  }
}");

        [Fact]
        public void A_scalar_filter_in_a_branch_updates_only_where_its_branch_is_taken() => AssertRunsLikeTheInterpreter(@"law Paths {
  " + Optimizer + @"
  state u: real[n] = 0, v: real[n] = 0, w: real[n] = 0;
  update {
    u' = loss > 0 ? u + ema(0.9, loss) * grad : u - lp(0.8, loss) * grad;
    v' = (prev(loss, 0) > 0 && ema(0.5, loss) > 0.1) ? v + grad : v;
    w' = grad > 0 ? w + prev(loss, 2) * grad : w - latch(loss < 0, loss, 1) * grad;
    theta' = theta - 0.01 * (u + v + w);
  }
}");

        /// <remarks>The inner condition updates a filter: it becomes a local of its own, computed only where the outer condition holds.</remarks>
        [Fact]
        public void A_condition_guarding_a_moved_filter_runs_only_where_it_is_evaluated() => AssertRunsLikeTheInterpreter(@"law Nested {
  " + Optimizer + @"
  signal s = 0;
  state u: real[n] = 0;
  update {
    s = loss > 0 ? (ema(0.9, loss) > 0.1 ? sum(grad * lp(0.5, loss)) : 0) : 1;
    u' = loss < 0.5 && (prev(loss, 0) > 0 || latch(loss > 1, loss, 2) > 1) ? u + ema(0.5, loss) * grad : u;
    theta' = theta - 0.01 * (s + u) * grad;
  }
}");

        [Fact]
        public void A_bool_next_value_read_by_a_vector_before_it_changes_compiles() => AssertRunsLikeTheInterpreter(@"law SnapBool {
  " + Optimizer + @"
  state f: bool = false;
  update {
    f' = loss > 0;
    u = f' ? grad : 0 * grad;
    f' = loss > 1;
    theta' = theta - 0.01 * u;
  }
}");

        [Fact]
        public void Int_arithmetic_gives_the_same_zero_whatever_stores_the_ints() => AssertRunsLikeTheInterpreter(@"law IntZero {
  " + Optimizer + @"
  state k: int = 1;
  signal l = 0, b = 1;
  update {
    l = loss;
    k' = -(step % n);
    b = tanh(-min(n, n - step));
    theta' = theta - 0.01 * grad;
  }
}");

        /// <remarks>
        /// The population compared bools as <c>~(a ^ b)</c> and <c>a ^ b</c>, which the .NET 10.0.12 JIT miscompiles
        /// where AVX-512 is used (fine with DOTNET_EnableAVX512=0): with x = y = 0, p = 1, q = 0,
        /// <c>~(Vector256&lt;double&gt;.AllBitsSet ^ ~(Vector256.GreaterThan(x, y) ^ (Vector256.LessThanOrEqual(p, q) ^ Vector256&lt;double&gt;.AllBitsSet)))</c>
        /// in a method with AggressiveOptimization, as the population's Step is, gave set lanes for clear ones.
        /// It now compares the masks as integers (AeLanes.MaskEquals); on a machine with AVX-512 this test guards that.
        /// </remarks>
        [Fact]
        public void A_population_compares_bools_as_its_law_does() => AssertRunsLikeTheInterpreter(@"law BoolEq {
  " + Optimizer + @"
  param small in (0, 1] = 0.001;
  acc p = 0;
  signal w: bool = true;
  rule measure {
    p += 0 * loss;
    w = true == ((n % n > 0) == ((small <= p) != true));
  }
  update { theta' = theta - 0.01 * grad; }
}");

        // ---------- lagged laws

        [Fact]
        public void A_lagged_reduction_reads_a_next_value_as_it_was_at_its_statement() => AssertRunsLikeTheInterpreter(@"law Lag {
  " + Optimizer + @"
  state s = 0;
  update {
    s' = 1;
    when loss > 0 { s' = sum(grad + s'); }
    s' = s' + 2;
    theta' = theta - 0.01 * s * grad;
  }
}
law LagLagged = Lag lagged;");

        // ---------- draws: found when draws came from one sequential stream, whose order every backend had to
        // keep; each draw is a function of (seed, step, site, element) now, so order cannot matter, and these
        // guard that every backend computes the same function.

        [Fact]
        public void A_scalar_draw_after_a_vector_draw_is_its_sites_draw_in_every_backend() => AssertRunsLikeTheInterpreter(@"law DrawAfter {
  " + Optimizer + @"
  signal s = 0;
  update {
    theta' = theta + 0.1 * noise(n) - 0.01 * grad;
    s = noise() + loss;
  }
}");

        [Fact]
        public void Two_vector_draws_in_one_pass_are_two_sites() => AssertRunsLikeTheInterpreter(@"law TwoDraws {
  " + Optimizer + @"
  state m: real[n] = 0;
  signal l = 0;
  update {
    l = loss;
    m' = m + 0.1 * noise(n);
    theta' = theta + 0.1 * noise(n) - 0.01 * grad;
  }
}");

        [Fact]
        public void A_vector_draw_in_a_reduction_and_an_earlier_scalar_draw_are_independent_of_their_order() => AssertRunsLikeTheInterpreter(@"law EarlyDraw {
  " + Optimizer + @"
  signal a = 0, b = 0;
  fixed rule first { a = sum(grad) + noise(); }
  fixed rule second { b = sum(noise(n)); }
  update { theta' = theta - 0.01 * (a + b + loss) * grad; }
}");

        [Fact]
        public void A_draw_that_only_a_skipped_reduction_reads_changes_no_other_draw() => AssertRunsLikeTheInterpreter(@"law SkippedDraw {
  " + Optimizer + @"
  signal s = 0, t = 0;
  fixed rule first {
    v = noise(n);
    s = loss > 100 ? sum(v) : 0;
  }
  update {
    t = noise();
    theta' = theta - 0.01 * (s + t) * grad;
  }
}");
    }
}
