using System;
using System.Collections.Generic;
using AE.Dsl.Eval;
using Xunit;

namespace AE.Dsl.Tests.Fuzz
{
    /// <summary>Reference-interpreter bugs the random-program property found; the expected values are worked by hand.</summary>
    public class InterpreterRegressionTests
    {
        private static Dictionary<string, double[]> Loss(double loss) => new() { ["loss"] = new[] { loss } };

        [Fact]
        public void A_next_value_set_to_a_param_is_projected_without_changing_the_param()
        {
            // c' = m: projecting c onto [0.01, 1] used to clamp m's own array, so m read 1 from the second step on.
            var unit = TestSupport.AssertClean(@"law Alias {
  input loss: real;
  param m: int in [1, 10] = 3;
  coeff c in [0.01, 1] = 0.03;
  state g: real in [-1, 1] = 0;
  rule R { g' = tanh(m * 0.3) + 0 * loss; }
  update { c' = m; }
}").Program!.Units[0];
            var interp = new Interpreter(unit);
            for (int step = 0; step < 3; step++)
            {
                interp.Step(Loss(0.5));
                Assert.Equal(3.0, interp.Scalar("m"));
                Assert.Equal(1.0, interp.Scalar("c"));
                Assert.Equal(Math.Tanh(0.9), interp.Scalar("g"));
            }
        }

        [Fact]
        public void A_param_default_may_read_a_param_declared_after_it()
        {
            // b = 2 * a with a declared below: the interpreter evaluated defaults in declaration order and threw.
            var unit = TestSupport.AssertClean(@"law Later {
  input loss: real;
  param b = 2 * a;
  param w: real[n] = b + 1;
  param a = 0.25;
  dim n;
  signal s = 0;
  update { s = b * loss + sum(w); }
}").Program!.Units[0];
            var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = 2 });
            interp.Step(Loss(4));
            Assert.Equal(0.5, interp.Scalar("b"));
            Assert.Equal(new[] { 1.5, 1.5 }, interp.Get("w"));
            Assert.Equal(0.5 * 4 + 3.0, interp.Scalar("s"));
        }

        [Fact]
        public void A_dim_derived_from_a_run_time_dim_is_computed()
        {
            // dim w = 2*n + 1 is not given by the host; the interpreter asked for it ("dim 'w' needs a value").
            var unit = TestSupport.AssertClean(@"law Wide {
  input loss: real;
  dim n;
  dim w = 2*n + 1;
  state z: real[w] = 0.5;
  signal s = 0, width = 0;
  update {
    s = sum(z) * loss;
    width = w;
  }
}").Program!.Units[0];
            var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = 3 });
            interp.Step(Loss(2));
            Assert.Equal(7, interp.Get("z").Length);
            Assert.Equal(7.0, interp.Scalar("width"));
            Assert.Equal(7.0, interp.Scalar("s"));
        }

        [Fact]
        public void Projecting_a_next_value_leaves_the_value_it_was_copied_from_alone()
        {
            // a' = b': a is projected onto [0, 1], b is not; b keeps 5.
            var unit = TestSupport.AssertClean(@"law Copy {
  input loss: real;
  state a: real in [0, 1] = 0, b = 0;
  update {
    b' = 5 + 0 * loss;
    a' = b';
  }
}").Program!.Units[0];
            var interp = new Interpreter(unit);
            interp.Step(Loss(1));
            Assert.Equal(1.0, interp.Scalar("a"));
            Assert.Equal(5.0, interp.Scalar("b"));
        }
    }
}
