using System.IO;
using System.Linq;
using AE.Dsl.IR;
using AE.Dsl.Passes;
using AE.Dsl.Text;
using Xunit;

namespace AE.Dsl.Tests
{
    public class IrTests
    {
        private static IrUnit Unit(string text)
        {
            var result = TestSupport.AssertClean(text);
            return Assert.Single(result.Program!.Units);
        }

        [Fact]
        public void Time_filters_and_shapes_are_explicit_in_the_ir()
        {
            var u = Unit(@"law A {
  dim n;
  param beta in [0, 1) = 0.9;
  input loss: real;
  input grad: real[n];
  state m: real[n] = 0;
  signal T: real;
  fixed rule M ""measure"" {
    T = ema(beta, loss - prev(loss, loss));
  }
  update {
    m' = beta * m + grad;
    r = norm(m');
    m' = m' / (r + 1);
  }
}");
            Assert.Equal(
@"law A
  dim n
  param beta: real in [0, 1) = 0.9
  input loss: real
  input grad: real[n]
  state m: real[n] = 0
  signal T: real
  slot T.prev: prev real
  slot T.ema: ema real
  fixed rule M
    T: real = ema@T.ema(beta, loss - prev@T.prev(loss, loss))
  update
    m' = (beta * m) + grad
    r: real = norm(m')
    m' = m' / (r + 1)
".Replace("\r\n", "\n"), IrPrinter.Print(u));
        }

        [Fact]
        public void Dims_are_linear_forms_so_concat_widths_are_compared_exactly()
        {
            var u = Unit(@"cell C {
  dim a = 3, b = 2 * a + 1;
  input x: real[a];
  state h: real[b] = 0;
  net f: mlp(a + b -> 4 -> b, tanh);
  update { h' = f(concat(x, h)); }
}");
            var net = Assert.Single(u.Nets);
            Assert.Equal(DimExpr.Const(10), net.InputWidth);
            Assert.Equal(new[] { "f.0.weight", "f.2.weight" }, net.Layers.Select(l => l.WeightName));
            Assert.Equal((DimExpr.Const(4), DimExpr.Const(10)), (net.Layers[0].Out, net.Layers[0].In));
        }

        [Fact]
        public void Symbolic_dims_add_up_in_any_order()
        {
            var a = DimExpr.Symbol("n") + DimExpr.Symbol("k") + DimExpr.Const(1);
            var b = DimExpr.Const(1) + DimExpr.Symbol("k") + DimExpr.Symbol("n");
            Assert.Equal(a, b);
            Assert.NotEqual(a, DimExpr.Symbol("n") + DimExpr.Symbol("k"));
            Assert.Equal("k + n + 1", a.ToString());
        }

        [Fact]
        public void Ir_is_deterministic_and_value_equatable()
        {
            var text = File.ReadAllText(Path.Combine(RepoPaths.Laws, "ae_sgdm.ae"));
            var first = AeCompiler.Check(new SourceFile("laws/ae_sgdm.ae", text)).Program!;
            var second = AeCompiler.Check(new SourceFile("laws/ae_sgdm.ae", text)).Program!;
            Assert.Equal(first, second);
            Assert.Equal(first.GetHashCode(), second.GetHashCode());
            Assert.Equal(IrPrinter.Print(first.Units[0]), IrPrinter.Print(second.Units[0]));
        }

        [Fact]
        public void Ae_sgdm_follows_the_seed_order_of_evaluation()
        {
            var text = File.ReadAllText(Path.Combine(RepoPaths.Laws, "ae_sgdm.ae"));
            var u = AeCompiler.Check(new SourceFile("laws/ae_sgdm.ae", text)).Program!.Units[0];
            // Seed AEAgent.step: measurement, emergency brake, auto-gamma, alpha (drive, gauge, budget,
            // evolution), mu, sigma, resonance clamp, parameter update.
            Assert.Equal(new[] { "AE1", "brake", "AE8", "AE2", "AE4", "AE6", "AE3", "AE5", "update" }, u.Rules.Select(r => r.Id));
            Assert.Equal(new[] { false, true, true, true, true, true, true, true, false }, u.Rules.Select(r => r.Ablatable));
            Assert.Equal(new[] { "alpha", "mu", "sigma" }, u.States.Where(s => s.Kind == SymbolKind.Coeff).Select(s => s.Name));
            Assert.True(u.States.Single(s => s.Name == "alpha").LogSpace);
            // Every EMA of the seed's _EMA objects is its own slot, plus the trend's prev and the gamma latch.
            Assert.Equal(new[] { FilterKind.Prev, FilterKind.Ema, FilterKind.Ema, FilterKind.Ema, FilterKind.Ema, FilterKind.Ema, FilterKind.Ema, FilterKind.Ema, FilterKind.Latch },
                u.Filters.Select(f => f.Kind));
        }
    }
}
