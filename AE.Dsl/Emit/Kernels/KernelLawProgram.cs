using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit.OpenCl;

namespace AE.Dsl.Emit.Kernels
{
    /// <summary>What a device backend's emitter hands its program type: the source and the layout every device backend shares.</summary>
    internal sealed record KernelLayout(string Name, string Source, IReadOnlyList<OpenClLaunch> Launches, IReadOnlyList<OpenClScalarSlot> Slots,
        IReadOnlyList<OpenClVectorBuffer> Vectors, IReadOnlyList<string> RuntimeDims, IReadOnlyList<string> SignalNames, IReadOnlyList<string> RuleIds);

    /// <summary>
    /// A law as device kernels (OpenCL C or ILGPU's C#): the source and what a host needs to run it, the same
    /// for every device backend. All scalars of a step live in one buffer of doubles (<see cref="Slots"/>); a
    /// step is the launches of <see cref="Launches"/> in order, with the host's region of the scalar buffer and
    /// the input vectors written before them.
    /// </summary>
    public abstract class KernelLawProgram
    {
        private protected KernelLawProgram(KernelLayout layout)
        {
            Name = layout.Name;
            Source = layout.Source;
            Launches = layout.Launches;
            Slots = layout.Slots;
            Vectors = layout.Vectors;
            RuntimeDims = layout.RuntimeDims;
            SignalNames = layout.SignalNames;
            RuleIds = layout.RuleIds;
            HostSlotCount = Slots.TakeWhile(s => s.Kind is OpenClSlotKind.Input or OpenClSlotKind.RuleSwitch).Count();
            ReadableStart = HostSlotCount;
            MaxAccumulators = Math.Max(1, Launches.Select(l => l.Accumulators).DefaultIfEmpty(0).Max());
        }

        /// <summary>The law's (or variant's) name.</summary>
        public string Name { get; }

        /// <summary>The source: deterministic, '\\n' line ends.</summary>
        public string Source { get; }

        /// <summary>The launches of one step, in order.</summary>
        public IReadOnlyList<OpenClLaunch> Launches { get; }

        /// <summary>Every slot of the scalar buffer, by index.</summary>
        public IReadOnlyList<OpenClScalarSlot> Slots { get; }

        public int ScalarCount => Slots.Count;

        /// <summary>
        /// Slots [0, HostSlotCount) are the host's: scalar inputs, then one switch per rule of
        /// <see cref="RuleIds"/>. The host writes them before every step, in one transfer.
        /// </summary>
        public int HostSlotCount { get; }

        /// <summary>
        /// Slots [ReadableStart, ReadableStart + SignalNames.Count) hold the readable scalars in the order of
        /// <see cref="SignalNames"/>, so one transfer after a step reads them all.
        /// </summary>
        public int ReadableStart { get; }

        /// <summary>Every scalar readable after a step: signals, state and coefficients, accumulators (the C# law's order).</summary>
        public IReadOnlyList<string> SignalNames { get; }

        /// <summary>Rules that can be switched off at run time, in the order they run.</summary>
        public IReadOnlyList<string> RuleIds { get; }

        /// <summary>Vector buffers, in the order the kernels name them.</summary>
        public IReadOnlyList<OpenClVectorBuffer> Vectors { get; }

        /// <summary>The run-time dims, in kernel-argument order.</summary>
        public IReadOnlyList<string> RuntimeDims { get; }

        /// <summary>The most partial results one work-group of any pass writes (at least 1): partials need work-groups × this doubles.</summary>
        public int MaxAccumulators { get; }

        public OpenClScalarSlot Slot(OpenClSlotKind kind, string name) =>
            Slots.FirstOrDefault(s => s.Kind == kind && s.Name == name) ?? throw new KeyNotFoundException("no " + kind + " slot '" + name + "'");
    }
}
