using System;
using System.Collections.Generic;
using System.Reflection;
using AE.Dsl.Emit;
using AE.Dsl.Text;
using AE.Experiments.Compilation;
using AE.Runtime.Cells;

namespace AE.Experiments.Cells
{
    /// <summary>A cell's C# (the generator's output for it) compiled in memory, as <see cref="LawCompiler"/> compiles laws.</summary>
    public static class CellCompiler
    {
        public const string Namespace = "AE.Generated";

        /// <summary>The generated cell type of <paramref name="target"/> at precision <typeparamref name="T"/>, as a factory of (batch, time, checkpointEvery).</summary>
        /// <exception cref="EmitNotSupportedException">the cell backend cannot emit the cell</exception>
        /// <exception cref="LawCompileException">the emitted code does not compile</exception>
        public static Func<int, int, int, ICell<T>> Compile<T>(EmitTarget target, IReadOnlyDictionary<string, SourceFile>? sources = null)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            => CompileCell<T>(target, sources).Make;

        /// <summary>The generated cell type of <paramref name="target"/>: its layout, which tells what a cell allocates before one is built, and its factory.</summary>
        /// <exception cref="EmitNotSupportedException">the cell backend cannot emit the cell</exception>
        /// <exception cref="LawCompileException">the emitted code does not compile</exception>
        public static CompiledCell<T> CompileCell<T>(EmitTarget target, IReadOnlyDictionary<string, SourceFile>? sources = null)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            if (target is null) throw new ArgumentNullException(nameof(target));
            string code = target.EmitCSharp(Namespace, sources ?? new Dictionary<string, SourceFile>());
            var compiled = LawCompiler.CompileCode(code, target.Name);
            string typeName = Names.CellTypeName(target.Name);
            var open = compiled.Assembly.GetType(Namespace + "." + typeName + "`1")
                ?? throw new LawCompileException(target.Name, new[] { "the compiled code has no type " + typeName + "<T>" });
            var type = open.MakeGenericType(typeof(T));
            var layout = type.GetField("Layout", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as CellLayout
                ?? throw new LawCompileException(target.Name, new[] { "the compiled type " + typeName + "<T> has no static Layout" });
            return new CompiledCell<T>(layout, (batch, time, every) => (ICell<T>)Activator.CreateInstance(type, batch, time, every)!);
        }
    }

    /// <summary>A compiled cell type: its layout and a factory of (batch, time, checkpointEvery).</summary>
    public sealed record CompiledCell<T>(CellLayout Layout, Func<int, int, int, ICell<T>> Make) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>;
}
