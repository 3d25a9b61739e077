using AE.Dsl.Emit;
using Xunit;

namespace AE.Dsl.Tests.Emit
{
    /// <summary>Where the lines written after a '#line N' directive stop belonging to the .ae file.</summary>
    public class CodeWriterTests
    {
        [Fact]
        public void Consecutive_statements_share_one_line_default_before_the_next_code()
        {
            var w = new CodeWriter();
            w.Line("// a = 1");
            w.LineDirective(3, "\"x.ae\"");
            w.Line("a = 1;");
            w.EndLineMapping();
            w.Line("// b = 2");
            w.LineDirective(4, "\"x.ae\"");
            w.Line("b = 2;");
            w.EndLineMapping();
            w.Line();
            w.Line("// not the file's");
            w.Line("c = 3;");
            Assert.Equal("// a = 1\n#line 3 \"x.ae\"\na = 1;\n// b = 2\n#line 4 \"x.ae\"\nb = 2;\n\n// not the file's\n#line default\nc = 3;\n", w.ToString());
        }

        [Fact]
        public void A_mapping_still_open_ends_with_the_writers_text()
        {
            var inner = new CodeWriter();
            inner.LineDirective(7, "\"x.ae\"");
            inner.Line("a = 1;");
            inner.EndLineMapping();
            var outer = new CodeWriter();
            outer.Raw(inner.ToString());
            outer.Line("b = 2;");
            Assert.Equal("#line 7 \"x.ae\"\na = 1;\n#line default\nb = 2;\n", outer.ToString());
        }

        /// <summary>'#line N' maps the next line to N and each later one to N + 1, N + 2: every code line of a statement repeats it.</summary>
        [Fact]
        public void Every_code_line_of_a_statement_maps_to_its_line()
        {
            var w = new CodeWriter();
            w.LineDirective(5, "\"x.ae\"");
            w.Open("for (int i = 0; i < n; i++)");
            w.Line("// not code");
            w.Line("a[i] = 1;");
            w.Close();
            w.DefaultLines();
            w.Line("b = 2;");
            Assert.Equal("#line 5 \"x.ae\"\nfor (int i = 0; i < n; i++)\n#line 5\n{\n    // not code\n#line 5\n    a[i] = 1;\n#line 5\n}\n#line default\nb = 2;\n", w.ToString());
        }

        [Fact]
        public void A_brace_ends_a_mapping()
        {
            var w = new CodeWriter();
            w.Open("if (x)");
            w.LineDirective(2, "\"x.ae\"");
            w.Line("a = 1;");
            w.EndLineMapping();
            w.Close();
            Assert.Equal("if (x)\n{\n#line 2 \"x.ae\"\n    a = 1;\n#line default\n}\n", w.ToString());
        }
    }
}
