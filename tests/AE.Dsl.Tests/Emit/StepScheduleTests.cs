using System.IO;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Dsl.Schedule;
using AE.Dsl.Text;
using AE.Tests.Shared;
using Xunit;

namespace AE.Dsl.Tests.Emit
{
    /// <summary>The step schedule every law backend prints: its items, guards, passes, and what the SIMD loops cover.</summary>
    public class StepScheduleTests
    {
        private static IrUnit Sgdm()
        {
            var file = new SourceFile("laws/ae_sgdm.ae", File.ReadAllText(Path.Combine(RepoPaths.Laws, "ae_sgdm.ae")));
            var check = AeCompiler.Check(file);
            Assert.False(check.HasErrors, TestSupport.Format(check.Diagnostics));
            return check.Program!.Units[0];
        }

        [Fact]
        public void Guards_are_the_rules_switch_and_its_when_conditions()
        {
            var schedule = StepSchedule.Build(Sgdm(), lagged: false);
            // The fixed rule AE1 has no switch; brake's statements have its switch, and those inside its 'when' the condition too.
            Assert.All(schedule.Items.Where(i => i.Rule.Id == "AE1"), i => Assert.Null(i.Switch));
            var brake = schedule.Items.Where(i => i.Rule.Id == "brake").ToList();
            Assert.All(brake, i => Assert.Equal("brake", i.Switch));
            var cond = Assert.Single(brake.OfType<CondItem>());
            Assert.Empty(cond.Conds);
            Assert.All(brake.Where(i => i is not CondItem), i => Assert.Equal(new[] { new CondTest(cond.Cond, true) }, i.Conds));
            // AE-SGDm has two 'when' blocks (brake, AE5), numbered in program order.
            Assert.Equal(2, schedule.CondCount);
            Assert.Equal(new[] { 1, 2 }, schedule.Items.OfType<CondItem>().Select(c => c.Cond));
        }

        [Fact]
        public void Ae_sgdm_has_three_passes_and_the_first_takes_all_four_measurements()
        {
            var schedule = StepSchedule.Build(Sgdm(), lagged: false);
            Assert.Equal(3, schedule.Passes.Count);
            Assert.Equal(new[] { "sum", "sum", "norm", "dot" }, schedule.Passes[0].Reductions.Select(r => r.Call.Function));
            Assert.Equal(new[] { "norm" }, schedule.Passes[1].Reductions.Select(r => r.Call.Function));
            Assert.True(schedule.Passes[2].IsFinal);
            // The final pass writes m' and theta', each the last version of its target.
            var final = schedule.Passes[2].Elements;
            Assert.Contains(schedule.FinalVersions["m"], final);
            Assert.Contains(schedule.FinalVersions["theta"], final);
            Assert.All(final, e => Assert.True(e.Pos < schedule.Items.Count && ReferenceEquals(schedule.Items[e.Pos], e)));
        }

        [Fact]
        public void A_lagged_law_has_one_pass_with_every_reduction()
        {
            var schedule = StepSchedule.Build(Sgdm(), lagged: true);
            var pass = Assert.Single(schedule.Passes);
            Assert.True(pass.IsFinal);
            Assert.Equal(schedule.Reductions, pass.Reductions);
        }

        [Fact]
        public void The_step_norm_cap_is_needed_only_under_its_condition()
        {
            var schedule = StepSchedule.Build(Sgdm(), lagged: false);
            var pass = schedule.Passes[1];
            var need = schedule.NeedOf(Assert.Single(pass.Reductions), pass);
            // The update is a fixed rule outside any 'when'; the cap's '?:' condition is known before the pass.
            Assert.Null(need.Switch);
            Assert.Empty(need.Conds);
            var (condition, holds) = Assert.Single(need.Path);
            Assert.True(holds);
            Assert.Equal("step_norm_max < inf", IrPrinter.Expr(condition));
        }

        [Fact]
        public void Element_values_are_named_from_their_target_and_version()
        {
            var schedule = StepSchedule.Build(Sgdm(), lagged: false);
            var m = schedule.FinalVersions["m"];
            Assert.True(m.IsNext);
            Assert.Equal("__e_m__next__" + m.Version, Names.Element(m));
            var g = schedule.Items.OfType<ElementItem>().First(e => e.Target == "g0");
            Assert.Equal("__e_g0__1", Names.Element(g));
            Assert.Null(Names.PrevElement(g));
        }

        [Fact]
        public void A_reduction_repeated_where_it_has_the_same_value_is_computed_once()
        {
            var check = AeCompiler.Check(new SourceFile("repeated.ae", TestLaws.RepeatedReduction));
            Assert.False(check.HasErrors, TestSupport.Format(check.Diagnostics));
            var schedule = StepSchedule.Build(check.Program!.Units[0], lagged: false);
            // norm(m) in a and b: one; sum(grad * k) before and after k changes: two; norm(m) in d after m' is written,
            // but m itself unchanged: the same as a's; norm(m') in d: one; norm(m) under the other rule's switch: its own.
            var printed = schedule.Reductions.Select(r => r.Owner.Rule.Id + ": " + IrPrinter.Expr(r.Call)).ToList();
            Assert.Equal(new[] { "measure: norm(m)", "measure: sum(grad * k)", "measure: sum(grad * k)", "measure: norm(m')", "again: norm(m)" }, printed);
        }

        [Theory]
        [InlineData("param on: bool[n] = true;", "update { theta' = on ? theta - 0.1 * grad : theta; }", "bool vector on")]
        [InlineData("", "update { theta' = theta - 0.1 * grad + 0.01 * noise(n); }", null)]
        [InlineData("", "update { theta' = theta - 0.1 * grad; }", null)]
        public void Simd_coverage_is_decided_on_the_schedule(string decl, string update, string? reason)
        {
            var unit = TestSupport.AssertClean($@"law L {{
  dim n;
  {decl}
  input grad: real[n];
  state theta: real[n];
  {update}
}}").Program!.Units[0];
            unit = FilterHoistingFor(unit);
            var schedule = StepSchedule.Build(unit, lagged: false);
            var final = schedule.Passes.Single(p => p.IsFinal);
            var why = SimdCoverage.WhyNot(unit, final);
            if (reason == null) Assert.Null(why);
            else Assert.Equal(reason, why);
        }

        private static IrUnit FilterHoistingFor(IrUnit unit) => AE.Dsl.Passes.FilterHoisting.Apply(unit, lagged: false);
    }
}
