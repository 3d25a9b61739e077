namespace AE.Dsl.Emit
{
    /// <summary>
    /// The <c>using</c> aliases a generated file declares inside its namespace block, so the code names
    /// the runtime and the BCL briefly and still cannot be captured by a law's names: every alias
    /// contains <c>__</c>, which no .ae name may (AE0018), and the generated members that contain it are
    /// none of these.
    /// </summary>
    internal static class Aliases
    {
        /// <summary><c>global::System</c> (spans, exceptions, arrays).</summary>
        public const string System = "__System";
        /// <summary><c>global::AE.Runtime</c> (what generated code calls).</summary>
        public const string Runtime = "__Runtime";
        /// <summary><c>global::System.Math</c>.</summary>
        public const string Math = "__Math";
        /// <summary><c>global::AE.Runtime.AeMath</c>: the scalar meaning of the builtins.</summary>
        public const string AeMath = "__AeMath";
        /// <summary><c>global::AE.Runtime.AeLanes</c>: the exact lane operations.</summary>
        public const string Lanes = "__Lanes";
        /// <summary><c>global::AE.Runtime.Simd.AeSimd</c>: chunking, loads and stores of either precision.</summary>
        public const string Simd = "__Simd";
        /// <summary><c>Vector256&lt;double&gt;</c>.</summary>
        public const string V = "__V";
        /// <summary><c>Vector256</c>, the static class.</summary>
        public const string Vx = "__Vx";
        /// <summary><c>IReadOnlyList&lt;string&gt;</c>.</summary>
        public const string Strings = "__Strings";

        /// <summary>The attribute every step and pass carries: compiled optimised once, so no tier-up runs (or allocates) mid-training.</summary>
        public const string Hot = "[__MethodImpl(__MethodImplOptions.AggressiveOptimization)]";

        public static void Declare(CodeWriter w)
        {
            w.Line($"using {System} = global::System;");
            w.Line($"using {Runtime} = global::AE.Runtime;");
            w.Line($"using {Math} = global::System.Math;");
            w.Line($"using {AeMath} = global::AE.Runtime.AeMath;");
            w.Line($"using {Lanes} = global::AE.Runtime.AeLanes;");
            w.Line($"using {Simd} = global::AE.Runtime.Simd.AeSimd;");
            w.Line($"using {V} = global::System.Runtime.Intrinsics.Vector256<double>;");
            w.Line($"using {Vx} = global::System.Runtime.Intrinsics.Vector256;");
            w.Line($"using {Strings} = global::System.Collections.Generic.IReadOnlyList<string>;");
            w.Line("using __MethodImpl = global::System.Runtime.CompilerServices.MethodImplAttribute;");
            w.Line("using __MethodImplOptions = global::System.Runtime.CompilerServices.MethodImplOptions;");
            w.Line();
        }
    }
}
