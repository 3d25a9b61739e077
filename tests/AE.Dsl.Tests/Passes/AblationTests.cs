using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Passes;
using AE.Dsl.Text;
using Xunit;

namespace AE.Dsl.Tests
{
    public class AblationTests
    {
        private static IEnumerable<IrUnit> ShippedUnits()
        {
            foreach (var dir in new[] { RepoPaths.Laws, RepoPaths.Cells })
            {
                if (!Directory.Exists(dir)) continue;
                foreach (var f in Directory.GetFiles(dir, "*.ae").OrderBy(f => f, StringComparer.Ordinal))
                {
                    var result = AeCompiler.Check(SourceFile.FromBytes(f, File.ReadAllBytes(f)));
                    Assert.False(result.HasErrors, TestSupport.Format(result.Diagnostics));
                    foreach (var u in result.Program!.Units) yield return u;
                }
            }
        }

        [Fact]
        public void Every_shipped_unit_verifies_with_each_rule_switched_off_and_with_all_switched_off()
        {
            int checkedVariants = 0;
            foreach (var unit in ShippedUnits())
            {
                Assert.Empty(IrVerifier.Verify(unit));
                var ablatable = unit.Rules.Where(r => r.Ablatable).Select(r => r.Id).ToList();
                foreach (var id in ablatable)
                {
                    var ablated = Ablation.Apply(unit, new[] { id });
                    Assert.True(IrVerifier.Verify(ablated).Count == 0, $"{unit.Name} without {id}: " + string.Join("; ", IrVerifier.Verify(ablated)));
                    Assert.DoesNotContain(ablated.Rules, r => r.Id == id && r.Ablatable);
                    checkedVariants++;
                }
                var none = Ablation.Apply(unit, ablatable);
                Assert.True(IrVerifier.Verify(none).Count == 0, $"{unit.Name} without all: " + string.Join("; ", IrVerifier.Verify(none)));
            }
            Assert.True(checkedVariants >= 7, "expected the shipped laws to have ablatable rules");
        }

        [Fact]
        public void Switching_off_a_rule_replaces_its_signals_by_their_neutral_values_in_place()
        {
            var result = TestSupport.AssertClean(@"law A {
  input x: real;
  acc u = 0;
  signal d = u;
  state s: real = 0;
  rule Drive { u += x; }
  rule Budget { d = clamp(u, -1, 1); }
  update { s' = s + d; }
}");
            var unit = result.Program!.Units[0];
            var ablated = Ablation.Apply(unit, new[] { "Budget" });
            Assert.Empty(IrVerifier.Verify(ablated));
            var text = IrPrinter.Print(ablated);
            Assert.Contains("    d: real = u\n", text);
            Assert.DoesNotContain("clamp", text);
            var noDrive = IrPrinter.Print(Ablation.Apply(unit, new[] { "Drive" }));
            Assert.DoesNotContain("u += x", noDrive);
            Assert.Contains("d: real = clamp(u, -1, 1)", noDrive);
        }

        [Fact]
        public void The_verifier_catches_a_read_of_a_value_whose_rule_was_removed()
        {
            // The checker rejects this program (AE0042) and produces no IR for it...
            var rejected = TestSupport.Check(@"law A {
  input x: real;
  state s: real = 0;
  rule R { y = x * 2; }
  update { s' = y; }
}");
            Assert.Contains(rejected.Diagnostics, d => d.Id == "AE0042");
            Assert.Empty(rejected.Program!.Units);
            // ...and a pass that removed a fixed rule by mistake is caught by the verifier.
            var ok = TestSupport.AssertClean(@"law A {
  input x: real;
  state s: real = 0;
  fixed rule R { y = x * 2; }
  update { s' = y; }
}").Program!.Units[0];
            var broken = ok with { Rules = EqArray.From(ok.Rules.Where(r => r.Id != "R")) };
            Assert.Contains(IrVerifier.Verify(broken), p => p.Contains("reads 'y' before any definition"));
        }

        [Fact]
        public void Fixed_and_update_rules_cannot_be_switched_off()
        {
            var unit = TestSupport.AssertClean(@"law A {
  input x: real;
  state s: real = 0;
  fixed rule R { y = x * 2; }
  update { s' = y; }
}").Program!.Units[0];
            Assert.Throws<ArgumentException>(() => Ablation.Apply(unit, new[] { "R" }));
            Assert.Throws<ArgumentException>(() => Ablation.Apply(unit, new[] { "update" }));
            Assert.Throws<ArgumentException>(() => Ablation.Apply(unit, new[] { "nope" }));
        }
    }
}
