using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Eval;
using AE.Experiments.Compilation;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>
    /// Rules switched off and on again between steps, in the generated law (SetRule) and in the reference interpreter
    /// (SetRule), bit for bit, lagged laws included: a lagged law computes a switched-off rule's reductions all the same,
    /// from the values its statements would read, the rule's signals at their neutral values.
    /// </summary>
    public class RuleSwitchTests
    {
        /// <summary>
        /// A signal whose neutral reads an accumulator (<c>signal s = a</c>), reduced in the rule that defines it: at the step
        /// the rule came back, the interpreter read s as left from the step before the last (w 6), the law its neutral (w 9).
        /// </summary>
        private const string Source = """
            law Q {
              dim n;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              acc a: real = 0;
              signal s = a;
              signal w: real = 0;
              rule X { a += step; }
              rule A { s = 1000 + a; w = sum(grad * 0 + s); }
              rule B { theta' = theta - 0.001 * mean(grad) * grad; }
              update { theta' = theta - 0.000001 * w * grad; }
            }
            law QLag = Q lagged;
            law QNoB = Q without B lagged;
            """;

        public static TheoryData<string, string> Laws() => new()
        {
            { "Q", "A" }, { "QLag", "A" }, { "QLag", "B" }, { "QNoB", "A" },
        };

        [Theory]
        [MemberData(nameof(Laws))]
        public void A_rule_switched_off_and_on_again_steps_as_the_interpreter_does(string name, string rule)
        {
            using var dir = new TempDirectory();
            dir.Write("q.ae", Source);
            var set = LawSet.Load(new[] { "q.ae" }, dir.Path);
            var target = set.Find(name);
            var compiled = set.Compile(target);
            const int N = 3;
            var law = compiled.Create(N, Activator.CreateInstance(compiled.Type.GetNestedType("Options")!)!);
            var interpreter = new Interpreter(target.Unit, new Dictionary<string, int> { ["n"] = N }, null,
                new Dictionary<string, double[]> { ["theta"] = new double[N] }, target.Ablate, 0, target.Lagged);
            var theta = new double[N];
            var rng = new Random(7);
            for (int step = 1; step <= 8; step++)
            {
                bool on = step is < 2 or > 3 and not 6;   // off at 2 and 3, on at 4 and 5, off at 6, on again from 7
                law.SetRule(rule, on);
                interpreter.SetRule(rule, on);
                var grad = Enumerable.Range(0, N).Select(_ => rng.NextDouble() - 0.5).ToArray();
                double loss = 1.0 / step;
                law.Step(loss, grad, theta);
                interpreter.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                for (int i = 0; i < law.SignalNames.Count; i++)
                    Assert.True(interpreter.Scalar(law.SignalNames[i]).Equals(law.ReadSignal(i)),
                        $"{name}, {rule} {(on ? "on" : "off")}, step {step}: {law.SignalNames[i]} {law.ReadSignal(i):R} against the interpreter's {interpreter.Scalar(law.SignalNames[i]):R}");
                Assert.Equal(interpreter.Get("theta"), theta);
            }
        }

        [Fact]
        public void The_interpreter_refuses_to_switch_a_rule_it_does_not_have_or_cannot_switch()
        {
            using var dir = new TempDirectory();
            dir.Write("q.ae", Source);
            var unit = LawSet.Load(new[] { "q.ae" }, dir.Path).Find("Q").Unit;
            var interpreter = new Interpreter(unit, new Dictionary<string, int> { ["n"] = 2 });
            Assert.Equal("no rule 'Z' in Q", Assert.Throws<ArgumentException>(() => interpreter.SetRule("Z", false)).Message);
            Assert.Equal("rule 'update' cannot be switched off", Assert.Throws<ArgumentException>(() => interpreter.SetRule("update", false)).Message);
        }
    }
}
