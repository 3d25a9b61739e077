using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.Eval;
using AE.Dsl.IR;
using AE.Dsl.Syntax;
using AE.Dsl.Text;
using AE.Runtime;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>
    /// The one mapping from .ae names to target names (<see cref="Names"/>), on every class of
    /// identifier the lexer accepts: a name that checks clean compiles, runs like the interpreter, and
    /// prints as ASCII in OpenCL C.
    /// </summary>
    public class NamesTests
    {
        /// <summary>One identifier of each class the lexer accepts (letter or '_' first; letters, digits, '_', Mn, Mc after).</summary>
        public static TheoryData<string, string> Identifiers() => new()
        {
            { "ascii", "rate" },
            { "leading underscore", "_rate" },
            { "underscore alone", "_" },
            { "digits", "r2d2" },
            { "C# keyword", "double" },
            { "C# keyword 2", "class" },
            { "generated member", "Step" },
            { "generated member and its escape", "Options" },
            { "Greek", "α" },
            { "Greek with digits", "β2" },
            { "combining mark (Mn)", "e\u0301ta" },            // e + combining acute
            { "spacing mark (Mc)", "\u0915\u093F" },          // Devanagari KA + vowel sign I
            { "CJK (Lo)", "学习率" },
            { "titlecase (Lt)", "\u01C5x" },
            { "modifier letter (Lm)", "x\u02B0" },
            { "other-script digit (Nd)", "x\u0663" },          // Arabic-Indic three
            { "Cyrillic that looks Latin", "\u0430lpha" },
        };

        private static string Law(string name) => $@"law N {{
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  state m: real[n] = 0;
  param gain in (0, 1] = 0.5;
  coeff {name} in [1e-4, 1] log = 0.01;
  signal seen = 0;
  rule R1 ""momentum"" {{
    m' = gain * m + grad;
  }}
  rule R2 ""rate"" {{
    {name}' = clamp({name} * (1 + 0.1 * tanh(loss)), 1e-4, 1);
    seen = {name}' * 2;
  }}
  update {{
    theta' = theta - {name}' * m';
  }}
}}
";

        [Theory]
        [MemberData(nameof(Identifiers))]
        public void A_name_of_every_class_checks_compiles_and_runs_like_the_interpreter(string what, string name)
        {
            Assert.True(Lexer.IsIdentifierStart(name[0]) && name.Skip(1).All(Lexer.IsIdentifierPart), what + ": the lexer does not accept '" + name + "'");
            var file = new SourceFile("names.ae", Law(name));
            var check = AeCompiler.Check(file);
            Assert.False(check.HasErrors, what + ":\n" + TestSupport.Format(check.Diagnostics));
            var unit = check.Program!.Units.Single();
            var options = new CSharpEmitOptions { Namespace = "AE.Names", Sources = new Dictionary<string, SourceFile> { [file.Path] = file } };
            var code = CSharpEmitter.Emit(unit, options);
            var type = EmittedLaw.Compile(code, "N").GetType("AE.Names.N")!;

            foreach (int n in new[] { 5, 300 }) // the scalar loop, and SIMD chunks with a tail
            {
                var law = (IOptimizerLaw)Activator.CreateInstance(type, n, null, 0UL)!;
                var interp = new Interpreter(unit, new Dictionary<string, int> { ["n"] = n }, new Dictionary<string, double[]>(),
                    new Dictionary<string, double[]> { ["theta"] = Enumerable.Range(0, n).Select(i => 1.0 + i * 0.01).ToArray() });
                var theta = Enumerable.Range(0, n).Select(i => 1.0 + i * 0.01).ToArray();
                for (int step = 0; step < 4; step++)
                {
                    var grad = theta.Select((t, i) => 2 * t + Math.Sin(i + step)).ToArray();
                    double loss = theta.Sum(t => t * t);
                    law.Step(loss, grad, theta);
                    interp.Step(new Dictionary<string, double[]> { ["loss"] = new[] { loss }, ["grad"] = grad });
                    Assert.Equal(interp.Get("theta"), theta);
                    Assert.Equal(interp.Scalar(name), law.ReadSignal(law.SignalNames.ToList().IndexOf(name)));
                    Assert.Equal(interp.Scalar("seen"), law.ReadSignal(law.SignalNames.ToList().IndexOf("seen")));
                }
            }

            var population = Activator.CreateInstance(type.Assembly.GetType("AE.Names.NPopulation")!, 3, 5, null, 0UL);
            Assert.NotNull(population);
        }

        [Theory]
        [MemberData(nameof(Identifiers))]
        public void A_name_of_every_class_prints_as_ascii_in_OpenCL(string what, string name)
        {
            var file = new SourceFile("names.ae", Law(name));
            var unit = AeCompiler.Check(file).Program!.Units.Single();
            var program = AE.Dsl.Emit.OpenCl.OpenClEmitter.Emit(unit);
            var bad = program.Source.Where(c => c > 127).Distinct().ToList();
            Assert.True(bad.Count == 0 || OnlyInComments(program.Source), what + ": non-ASCII outside comments in the OpenCL program");
        }

        private static bool OnlyInComments(string source)
            => source.Split('\n').All(line => line.IndexOf("//", StringComparison.Ordinal) is int c && (c < 0 ? line : line.Substring(0, c)).All(ch => ch <= 127));

        [Fact]
        public void The_C_spelling_is_ascii_and_tells_every_accepted_name_apart()
        {
            var names = Identifiers().Select(row => (string)row[1]).Concat(new[] { "x_u03b1", "xα", "x_x3b1_", "T.ema", "T_ema", "x'", "x_next" }).ToList();
            var spelled = names.Select(Names.C).ToList();
            Assert.All(spelled, s => Assert.True(s.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_')), s));
            Assert.Equal(names.Count, spelled.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal("x__u03b1", Names.C("xα"));
        }

        [Fact]
        public void Stems_are_csharp_identifier_parts_and_tell_names_keys_and_next_values_apart()
        {
            var keys = new[] { "m", "m'", "m_next", "T.ema", "T_ema", "T.ema2", "α", "α'", "e\u0301" };
            var stems = keys.Select(Names.Stem).ToList();
            Assert.Equal(keys.Length, stems.Distinct(StringComparer.Ordinal).Count());
            Assert.All(stems, s => Assert.True(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier("__e_" + s), s));
        }

        [Fact]
        public void CSharp_names_escape_keywords_and_keep_unicode()
        {
            Assert.Equal("@double", Names.CSharp("double"));
            Assert.Equal("α", Names.CSharp("α"));
            Assert.Equal("@_", Names.CSharp("_"));
            foreach (var row in Identifiers())
            {
                var id = Names.CSharp((string)row[1]);
                Assert.True(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(id.TrimStart('@')), id);
            }
        }

        [Fact]
        public void A_name_equal_to_a_generated_member_and_its_escape_both_get_members()
        {
            // 'Step' becomes Step_ (the type has a Step method); a param already called Step_ pushes it to Step__.
            var text = @"law M {
  dim n;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  param Step = 0.5;
  param Step_ = 0.25;
  update {
    theta' = theta - (Step + Step_) * grad;
  }
}
";
            var file = new SourceFile("m.ae", text);
            var check = AeCompiler.Check(file);
            Assert.False(check.HasErrors, TestSupport.Format(check.Diagnostics));
            var code = CSharpEmitter.Emit(check.Program!.Units.Single(), new CSharpEmitOptions { Namespace = "AE.Names" });
            var type = EmittedLaw.Compile(code, "M").GetType("AE.Names.M")!;
            var options = type.GetNestedType("Options")!;
            Assert.NotNull(options.GetProperty("Step__"));
            Assert.NotNull(options.GetProperty("Step_"));
            var opts = Activator.CreateInstance(options)!;
            options.GetProperty("Step__")!.SetValue(opts, 1.0);
            var law = (IOptimizerLaw)Activator.CreateInstance(type, 1, opts, 0UL)!;
            var theta = new[] { 1.0 };
            law.Step(0, new[] { 1.0 }, theta);
            Assert.Equal(1.0 - (1.0 + 0.25), theta[0]); // Step__ is the .ae param Step, Step_ the param Step_
        }
    }
}
