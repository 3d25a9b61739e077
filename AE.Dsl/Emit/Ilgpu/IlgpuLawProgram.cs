using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit.Kernels;
using AE.Dsl.Emit.OpenCl;
using AE.Dsl.Text;

namespace AE.Dsl.Emit.Ilgpu
{
    /// <summary>How a unit becomes ILGPU kernels.</summary>
    public sealed class IlgpuEmitOptions
    {
        /// <summary>Store the gradient, theta and the law's own vectors as float (arithmetic in double, rounded once on store, as the C# float step); else double.</summary>
        public bool Float { get; set; }

        /// <summary>The name the kernels go by (a variant's); the unit's name when null.</summary>
        public string? Name { get; set; }

        /// <summary>The namespace of the kernels' class.</summary>
        public string Namespace { get; set; } = "AE.Generated.Ilgpu";

        /// <summary>Rules removed at compile time: the kernels have no trace of their code.</summary>
        public IReadOnlyCollection<string> Ablate { get; set; } = Array.Empty<string>();

        /// <summary>A lagged variant: not emitted for ILGPU yet (<see cref="IlgpuEmitter.Emit"/> says so rather than run the unlagged law).</summary>
        public bool Lagged { get; set; }

        /// <summary>The .ae files the unit came from: statement comments then name the line of each equation.</summary>
        public IReadOnlyDictionary<string, SourceFile> Sources { get; set; } = new Dictionary<string, SourceFile>();

        /// <summary>The .ae file's path as the header names it (a build's path map applied; default: as given).</summary>
        public Func<string, string> ShownPath { get; set; } = p => p;
    }

    /// <summary>
    /// A law as ILGPU kernels: C# source with one static class (<see cref="TypeName"/>) whose public static
    /// methods are the kernels of <see cref="KernelLawProgram.Launches"/>, every one explicitly grouped and taking
    /// the same arguments, in this order: the scalar buffer (<c>ArrayView&lt;double&gt;</c>), the partials
    /// (<c>ArrayView&lt;double&gt;</c>), the gradient and theta (<c>ArrayView&lt;T&gt;</c>, T float or double), the
    /// law's own vectors one after another (<see cref="StateVectors"/>, <c>ArrayView&lt;T&gt;</c>), the vector params
    /// and vector signals one after another (<see cref="ExtraVectors"/>, <c>ArrayView&lt;double&gt;</c>), the noise
    /// seed (<c>ulong</c>), the group size (<c>int</c>) and the run-time dim (<c>long</c>). A pass launches whole
    /// groups with group size × <see cref="KernelLawProgram.MaxAccumulators"/> doubles of dynamic shared memory;
    /// a scalar kernel one group of one thread.
    /// </summary>
    public sealed class IlgpuLawProgram : KernelLawProgram
    {
        internal IlgpuLawProgram(KernelLayout layout, string typeName, bool isFloat)
            : base(layout)
        {
            TypeName = typeName;
            IsFloat = isFloat;
            StateVectors = Vectors.Where(v => v.Role == OpenClVectorRole.State).ToList();
            ExtraVectors = Vectors.Where(v => v.Role is OpenClVectorRole.Param or OpenClVectorRole.Signal).ToList();
        }

        /// <summary>The kernels' class, with its namespace.</summary>
        public string TypeName { get; }

        /// <summary>Whether the gradient, theta and the law's own vectors are float (else double).</summary>
        public bool IsFloat { get; }

        /// <summary>The law's own vectors (a momentum), in the order the states buffer holds them.</summary>
        public IReadOnlyList<OpenClVectorBuffer> StateVectors { get; }

        /// <summary>Vector params and vector signals (doubles), in the order the extras buffer holds them.</summary>
        public IReadOnlyList<OpenClVectorBuffer> ExtraVectors { get; }
    }
}
