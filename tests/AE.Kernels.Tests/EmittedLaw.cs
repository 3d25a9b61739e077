using System;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Experiments.Compilation;
using AE.Runtime;
using Xunit;

namespace AE.Kernels.Tests
{
    /// <summary>The C# backend's law for a unit, compiled in memory by AE.Experiments' <see cref="LawCompiler"/>: the reference for float steps.</summary>
    internal static class EmittedLaw
    {
        private static Type Compile(IrUnit unit)
        {
            var options = new CSharpEmitOptions { Namespace = "AE.Kernels.Tests.Emitted" };
            var code = CSharpEmitter.Emit(unit, options);
            try
            {
                return LawCompiler.Compile(code, options.Namespace + "." + unit.Name);
            }
            catch (LawCompileException ex)
            {
                Assert.Fail(ex.Message + "\n" + string.Join("\n", ex.Errors));
                throw;
            }
        }

        /// <summary>The C# law with scalar params set (bools as 0/1, ints as whole numbers).</summary>
        public static IOptimizerLaw Create(IrUnit unit, int n, System.Collections.Generic.IReadOnlyDictionary<string, double> parameters, ulong seed = 0)
        {
            var type = Compile(unit);
            var optionsType = type.GetNestedType("Options")!;
            var options = Activator.CreateInstance(optionsType)!;
            foreach (var (name, value) in parameters)
            {
                var property = optionsType.GetProperty(name)!;
                var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                property.SetValue(options, t == typeof(bool) ? value != 0 : t == typeof(long) ? (object)(long)value : value);
            }
            return (IOptimizerLaw)Activator.CreateInstance(type, n, options, seed)!;
        }
    }
}
