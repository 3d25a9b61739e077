using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit.Kernels;
using AE.Dsl.IR;
using AE.Dsl.Schedule;
using AE.Dsl.Text;

namespace AE.Dsl.Emit.OpenCl
{
    /// <summary>How the vectors of a law are stored on the device; scalars and element arithmetic are always double.</summary>
    public enum OpenClVectorType { Double, Float }

    /// <summary>How a unit becomes an OpenCL program.</summary>
    public sealed class OpenClEmitOptions
    {
        /// <summary>The element type of the state and input vectors (float: arithmetic in double, stored rounded, as the C# float step).</summary>
        public OpenClVectorType VectorType { get; set; } = OpenClVectorType.Double;

        /// <summary>The name the program goes by (a variant's); the unit's name when null.</summary>
        public string? Name { get; set; }

        /// <summary>Rules removed at compile time: the program has no trace of their code.</summary>
        public IReadOnlyCollection<string> Ablate { get; set; } = Array.Empty<string>();

        /// <summary>A lagged variant: not emitted for OpenCL yet (<see cref="OpenClEmitter.Emit"/> says so rather than run the unlagged law).</summary>
        public bool Lagged { get; set; }

        /// <summary>The .ae files the unit came from: statement comments then name the line of each equation.</summary>
        public IReadOnlyDictionary<string, SourceFile> Sources { get; set; } = new Dictionary<string, SourceFile>();
    }

    /// <summary>What a slot of the scalar buffer holds.</summary>
    public enum OpenClSlotKind
    {
        /// <summary>A scalar input, written by the host before each step.</summary>
        Input,
        /// <summary>1 when a switchable rule runs, 0 when it is off; written by the host.</summary>
        RuleSwitch,
        Signal,
        State,
        Coefficient,
        Accumulator,
        /// <summary>The number of the step being computed (1-based), counted by the device.</summary>
        Step,
        Param,
        /// <summary>A filter's held value (ema/lp mean, prev's last value, latch's held value).</summary>
        FilterValue,
        /// <summary>A filter's count (ema/lp/prev) or latched flag (latch).</summary>
        FilterCount,
        /// <summary>The value being built for t+1 of a scalar state.</summary>
        Next,
        Local,
        /// <summary>A 'when' condition, kept for the statements inside it.</summary>
        Condition,
        /// <summary>A scalar copied where a vector element reads it, before the scalar moves on.</summary>
        Snapshot,
        /// <summary>A completed reduction (or one of cosine's three sums).</summary>
        Reduction,
        /// <summary>Whether a pass, or one reduction of it, runs this step.</summary>
        Guard,
    }

    /// <summary>One double of the scalar buffer. Booleans are 0 and 1; ints are exact up to 2^53.</summary>
    /// <param name="Index">the position in the buffer</param>
    /// <param name="Name">the AE name (a rule id for a switch, a filter slot's name, an internal name for the rest)</param>
    /// <param name="Macro">the name the OpenCL source gives it (<c>#define SIG_T sc[3]</c>)</param>
    public sealed record OpenClScalarSlot(int Index, string Name, OpenClSlotKind Kind, ScalarType Type, string Macro);

    /// <summary>What a vector buffer is to the law.</summary>
    public enum OpenClVectorRole
    {
        /// <summary>A vector input (the gradient), written by the host before each step.</summary>
        Input,
        /// <summary>State the host owns and passes to every step (theta): written before and read after.</summary>
        HostState,
        /// <summary>State the law owns (a momentum buffer): initialised once, then the device's.</summary>
        State,
        /// <summary>A vector param (always double), written once.</summary>
        Param,
        /// <summary>A vector signal (always double), written by the final pass.</summary>
        Signal,
    }

    /// <summary>A vector buffer, passed to every kernel as argument <paramref name="Argument"/>.</summary>
    /// <param name="Length">its length, a linear form over the run-time dims</param>
    /// <param name="IsFloat">whether it holds floats (else doubles)</param>
    public sealed record OpenClVectorBuffer(int Argument, string Name, OpenClVectorRole Role, DimExpr Length, bool IsFloat)
    {
        public int ElementSize => IsFloat ? 4 : 8;
    }

    public enum OpenClLaunchKind
    {
        /// <summary>One work item: scalar statements (and the combination of the previous pass's partial reductions).</summary>
        Scalar,
        /// <summary>One work item per element of the longest of <see cref="OpenClLaunch.Lengths"/>, in work-groups.</summary>
        Pass,
    }

    /// <summary>One kernel launch of a step, in the order the host enqueues them.</summary>
    /// <param name="Lengths">a pass's vector lengths (it runs max(Lengths) work items, rounded up to whole work-groups); empty for a scalar kernel</param>
    /// <param name="Accumulators">how many partial results each work-group of a pass writes</param>
    /// <param name="Description">what it does, as the source's comment says</param>
    public sealed record OpenClLaunch(string Kernel, OpenClLaunchKind Kind, IReadOnlyList<DimExpr> Lengths, int Accumulators, string Description);

    /// <summary>
    /// A law compiled for OpenCL: the program text and everything a host needs to run it. Every kernel
    /// takes the same arguments, in this order: the scalar buffer (doubles), the partials buffer
    /// (doubles), the noise seed (ulong), the work-group size (int), each run-time dim (long), each
    /// vector buffer of <see cref="KernelLawProgram.Vectors"/>, and a local-memory scratch of work-group size ×
    /// <see cref="KernelLawProgram.MaxAccumulators"/> doubles. A step is the launches of <see cref="KernelLawProgram.Launches"/> in order,
    /// with the host's region of the scalar buffer and the input vectors written before them.
    /// </summary>
    public sealed class OpenClLawProgram : KernelLawProgram
    {
        internal OpenClLawProgram(KernelLayout layout, OpenClVectorType vectorType)
            : base(layout)
        {
            VectorType = vectorType;
        }

        public OpenClVectorType VectorType { get; }

        public const int ScalarBufferArgument = 0;
        public const int PartialsArgument = 1;
        public const int SeedArgument = 2;
        public const int WorkGroupArgument = 3;
        public const int FirstDimArgument = 4;

        public int FirstVectorArgument => FirstDimArgument + RuntimeDims.Count;

        public int ScratchArgument => FirstVectorArgument + Vectors.Count;
    }
}
