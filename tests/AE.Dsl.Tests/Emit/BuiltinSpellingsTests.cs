using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using Xunit;

namespace AE.Dsl.Tests
{
    /// <summary>The one table of builtin spellings covers exactly the language's elementwise builtins, in every backend.</summary>
    public class BuiltinSpellingsTests
    {
        [Fact]
        public void Every_elementwise_builtin_has_a_spelling_in_every_backend_and_nothing_else_does()
        {
            var elementwise = Builtins.Pure.Values
                .Where(b => b.Shape is BuiltinShape.Elementwise or BuiltinShape.ElementwisePredicate)
                .Select(b => b.Name).OrderBy(x => x, System.StringComparer.Ordinal).ToList();
            Assert.Equal(elementwise, BuiltinSpellings.Elementwise.Keys.OrderBy(x => x, System.StringComparer.Ordinal).ToList());
            foreach (var (name, s) in BuiltinSpellings.Elementwise)
            {
                Assert.False(string.IsNullOrWhiteSpace(s.Scalar), name);
                Assert.False(string.IsNullOrWhiteSpace(s.Lanes), name);
                Assert.False(string.IsNullOrWhiteSpace(s.OpenCl), name);
                Assert.False(string.IsNullOrWhiteSpace(s.Generic), name);
                Assert.False(string.IsNullOrWhiteSpace(s.Ilgpu), name);
            }
        }

        [Fact]
        public void A_call_is_the_backends_function_applied_to_the_arguments_in_order()
        {
            Assert.Equal("__AeMath.Clamp(x, 0, 1)", BuiltinSpellings.Call("clamp", new[] { "x", "0", "1" }, s => s.Scalar));
            Assert.Equal("__Lanes.Clamp(x, 0, 1)", BuiltinSpellings.Call("clamp", new[] { "x", "0", "1" }, s => s.Lanes));
            Assert.Equal("fabs(x)", BuiltinSpellings.Call("abs", new[] { "x" }, s => s.OpenCl));
            // ILGPU's column is the C# one but where ILGPU cannot compile the call (Math.Sign throws on NaN)
            Assert.Equal("__Math.Abs(x)", BuiltinSpellings.Call("abs", new[] { "x" }, s => s.Ilgpu));
            Assert.Equal("ae_sign(x)", BuiltinSpellings.Call("sign", new[] { "x" }, s => s.Ilgpu));
            Assert.Null(BuiltinSpellings.Call("softmax", new[] { "v" }, s => s.Scalar));
        }
    }
}
