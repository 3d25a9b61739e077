using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace AE.Generators.Tests
{
    /// <summary>
    /// One small input per construct the C# backend emits: each checks clean, compiles clean with
    /// AE.Runtime, and its generated code is kept as a snapshot in _snapshots/.
    /// </summary>
    public class ConstructSnapshotTests
    {
        /// <summary>Generates <paramref name="files"/> (name, text), asserts a clean run, snapshots each source under the test's name.</summary>
        private static Run Generate(string[] expectedHints, (string Name, string Text)[] files, [CallerMemberName] string method = "")
        {
            var run = Harness.Run(files.Select(f => (Microsoft.CodeAnalysis.AdditionalText)Harness.File(f.Name, f.Text)).ToArray());
            run.AssertNoGeneratorFailure();
            Assert.True(run.Diagnostics.IsEmpty, Harness.Format(run.Diagnostics));
            Assert.Equal(expectedHints, run.HintNames.OrderBy(h => h, System.StringComparer.Ordinal));
            var problems = Harness.CompileProblems(run.Output);
            Assert.True(problems.Count == 0, Harness.Format(problems));
            Snapshot.Verify(nameof(ConstructSnapshotTests), method,
                run.Result.GeneratedSources.OrderBy(s => s.HintName, System.StringComparer.Ordinal).Select(s => (s.HintName, s.SourceText.ToString())));
            return run;
        }

        private static Run Generate(string hint, string fileName, string text, [CallerMemberName] string method = "") =>
            Generate(new[] { hint }, new[] { (fileName, text) }, method);

        [Fact]
        public void Scalar_state() => Generate("ScalarState.g.cs", "scalar_state.ae", """
            law ScalarState "a scalar state and a scalar input" {
              input x: real;
              state count: real = 0;
              state total: real = 0;
              rule R "count and sum" {
                count' = count + 1;
                total' = total + x;
              }
            }
            """);

        [Fact]
        public void Vector_state() => Generate("VectorState.g.cs", "vector_state.ae", """
            law VectorState "heavy-ball momentum over a host-owned vector" {
              dim n;
              param beta in [0, 1) = 0.9;
              param lr = 0.01;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              state m: real[n] = 0;
              signal L: real;
              fixed rule measure { L = loss; }
              update "heavy ball" {
                m'     = beta * m + grad;
                theta' = theta - lr * m';
              }
            }
            """);

        [Fact]
        public void Coefficient_bounds_and_log() => Generate("Coefficients.g.cs", "coefficients.ae", """
            law Coefficients "bounded coefficients, one in log space" {
              dim n;
              param alpha_min in (0, 1] = 1e-4;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              coeff alpha in [alpha_min, 1] log = 0.01;
              coeff mu    in [0, 0.99]          = 0.5;
              signal L: real;
              fixed rule measure { L = loss; }
              rule adapt "alpha shrinks while the loss is positive, mu grows" {
                alpha' = alpha * exp(-0.01 * tanh(L));
                mu'    = mu + 0.01;
              }
              update "step" { theta' = theta - alpha' * (1 - mu') * grad; }
            }
            """);

        [Fact]
        public void When_else() => Generate("WhenElse.g.cs", "when_else.ae", """
            law WhenElse "a coefficient steered by a three-way condition" {
              input x: real;
              coeff k in [0.01, 100] = 1;
              rule steer {
                when x > 1 {
                  k' = k * 2;
                } else when x < -1 {
                  k' = k / 2;
                } else {
                  k' = k * 0.99;
                }
              }
            }
            """);

        [Fact]
        public void Acc() => Generate("Accumulate.g.cs", "acc.ae", """
            law Accumulate "two rules add to one drive" {
              input x: real;
              acc drive = 0;
              coeff k in [0, 1] = 0.5;
              rule up "pull toward the input" { drive += 0.1 * x; }
              rule decay "constant decay" { drive += -0.05; }
              update "apply the drive" { k' = k + drive; }
            }
            """);

        [Fact]
        public void Signal_with_neutral() => Generate("SignalNeutral.g.cs", "signal_neutral.ae", """
            law SignalNeutral "signals with neutral values, for ablation" {
              input x: real;
              acc du = 0;
              signal s: real = 0;
              signal d = du;
              coeff k in [0, 1] = 0.5;
              rule S "scaled input" { s = 2 * x; }
              rule D "drive" { du += x; }
              rule B "budget" { d = clamp(du, -0.1, 0.1); }
              update "apply" { k' = k + 0.01 * s + d; }
            }
            """);

        [Fact]
        public void Prev() => Generate("Prev.g.cs", "prev.ae", """
            law Prev "last step's value at a call site" {
              input x: real;
              signal dx: real;
              fixed rule diff { dx = x - prev(x, x); }
            }
            """);

        [Fact]
        public void Ema() => Generate("Ema.g.cs", "ema.ae", """
            law Ema "the seed's bias-corrected EMA" {
              input x: real;
              param beta in [0, 1) = 0.9;
              signal T: real;
              fixed rule trend { T = ema(beta, x); }
            }
            """);

        [Fact]
        public void Lp() => Generate("Lp.g.cs", "lp.ae", """
            law Lp "a plain low-pass filter" {
              input x: real;
              signal y: real;
              fixed rule smooth_it { y = lp(0.5, x); }
            }
            """);

        [Fact]
        public void Latch() => Generate("Latch.g.cs", "latch.ae", """
            law Latch "a value held from the first step its condition holds" {
              input x: real;
              param warmup: int = 3;
              signal held: real;
              fixed rule calibrate { held = latch(step > warmup, 0.8 * x, 1.0); }
            }
            """);

        [Fact]
        public void Noise() => Generate("Noise.g.cs", "noise.ae", """
            law Noise "scalar and vector draws, the vector only while sigma > 0" {
              dim n;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              coeff sigma in [0, 1] = 0.1;
              signal jitter: real;
              signal L: real;
              fixed rule measure { L = loss; jitter = noise(); }
              update "noisy step" {
                theta' = theta - 0.01 * grad + (sigma > 0 ? sigma * noise(n) : 0);
              }
            }
            """);

        [Fact]
        public void Reductions() => Generate("Reductions.g.cs", "reductions.ae", """
            law Reductions "every reduction of the language" {
              dim n;
              input loss: real;
              input grad: real[n];
              state theta: real[n];
              state m: real[n] = 0;
              signal s: real, avg: real, gm: real, gn: real, cs: real, hi: real, lo: real, L: real;
              fixed rule measure {
                L   = loss;
                s   = sum(grad);
                avg = mean(grad);
                gm  = dot(grad, m);
                gn  = norm(grad);
                cs  = cosine(grad, m);
                hi  = max(grad);
                lo  = min(grad);
              }
              update "momentum step" {
                m'     = 0.9 * m + grad;
                theta' = theta - 0.01 * m';
              }
            }
            """);

        [Fact]
        public void Variant()
        {
            var run = Generate(new[] { "Damped.g.cs", "Undamped.g.cs" }, new[] { ("variant.ae", """
                law Damped "a base law with a rule to remove" {
                  input x: real;
                  coeff k in [0, 10] = 1;
                  rule grow "k follows x up" { when x > 0 { k' = k * 1.1; } }
                  rule damp "k decays" { k' = k' * 0.9; }
                }

                law Undamped "the same law without its decay" = Damped without damp;
                """) });
            Assert.Contains("__on_damp", run.Source("Damped.g.cs"));
            Assert.DoesNotContain("__on_damp", run.Source("Undamped.g.cs"));
            Assert.DoesNotContain("k decays", run.Source("Undamped.g.cs"));
        }

        [Fact]
        public void Group_used_from_another_file()
        {
            var run = Generate(new[] { "UsesGroup.g.cs" }, new[]
            {
                ("group_def.ae", """
                    group Measure "measurement, written once" {
                      fixed rule measure { L = loss; T = ema(0.9, L - prev(L, L)); }
                    }
                    """),
                ("group_use.ae", """
                    law UsesGroup "a law whose measurement comes from a group in another file" {
                      dim n;
                      input loss: real;
                      input grad: real[n];
                      state theta: real[n];
                      signal L: real, T: real;
                      use Measure;
                      update "step" { theta' = theta - 0.01 * grad; }
                    }
                    """),
            });
            // The group's rule is located in its own file.
            Assert.Contains("#line 2 \"/ae/group_def.ae\"", run.Source("UsesGroup.g.cs"));
        }
    }
}
