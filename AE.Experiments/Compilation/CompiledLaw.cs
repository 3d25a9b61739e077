using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit;
using AE.Experiments.Replay;
using AE.Runtime;

namespace AE.Experiments.Compilation
{
    /// <summary>
    /// A law of .ae files compiled in memory (<see cref="LawSet.Compile"/>), with where it came from:
    /// fresh instances for any dimension, settings and seed. Settings a law refuses are a
    /// <see cref="ReplayException"/> with a one-line message (see <see cref="LawSettings"/>).
    /// </summary>
    /// <param name="Type">The compiled law's type.</param>
    /// <param name="Target">The law, cell or variant it was emitted from.</param>
    /// <param name="LawFileDisplayPath">The .ae files as they were named, joined with ", ".</param>
    public sealed record CompiledLaw(Type Type, EmitTarget Target, string LawFileDisplayPath)
    {
        /// <summary>The namespace laws are compiled into unless the caller names another.</summary>
        public const string DefaultNamespace = "AE.Replay";

        /// <summary>The law's (or variant's) name.</summary>
        public string Name => Target.Name;

        /// <summary>
        /// Loads and checks the files <paramref name="lawPaths"/> name (paths or globs), picks the law of the
        /// optimizer shape named <paramref name="lawName"/> (the first one when null) and compiles it; see
        /// <see cref="LawSet.SelectOptimizer"/> and <see cref="LawSet.Compile"/> for the exceptions.
        /// </summary>
        public static CompiledLaw Load(IReadOnlyList<string> lawPaths, string? lawName, string currentDirectory)
        {
            var file = LawSet.Load(lawPaths, currentDirectory);
            return file.Compile(file.SelectOptimizer(lawName));
        }

        /// <summary>The rules of the target that can be switched off at run time (not the update, not removed by a variant), in the law's order.</summary>
        public static IReadOnlyList<string> SwitchableRules(EmitTarget target)
        {
            if (target is null) throw new ArgumentNullException(nameof(target));
            var removed = new HashSet<string>(target.Ablate, StringComparer.Ordinal);
            return target.Unit.Rules.Where(r => r.Ablatable && !r.IsUpdate && !removed.Contains(r.Id)).Select(r => r.Id).ToList();
        }

        /// <summary>A fresh instance for <paramref name="golden"/>'s dimension with its config and agent settings.</summary>
        public IOptimizerLaw Create(GoldenCase golden, ulong seed = 0)
        {
            if (golden is null) throw new ArgumentNullException(nameof(golden));
            return Create(golden.Theta0.Length, golden.Settings, seed);
        }

        /// <summary>A fresh instance for <paramref name="dimension"/> parameters with settings as a golden case gives them.</summary>
        public IOptimizerLaw Create(int dimension, IEnumerable<CaseSetting> settings, ulong seed = 0)
            => LawSettings.Create(Type, dimension, settings, seed);

        /// <summary>
        /// A fresh instance for <paramref name="dimension"/> parameters with <paramref name="options"/> (an instance
        /// of the law's Options), every rule on but <paramref name="ablated"/>.
        /// </summary>
        public IOptimizerLaw Create(int dimension, object options, ulong seed = 0, IEnumerable<string>? ablated = null)
        {
            var law = LawSettings.Create(Type, dimension, options, seed);
            foreach (var rule in ablated ?? Array.Empty<string>()) law.SetRule(rule, false);
            return law;
        }

        /// <summary>
        /// Why the law rejects <paramref name="options"/> at <paramref name="dimension"/> parameters (a value outside a range its
        /// file declares, a check over its dims that fails at that size), or null when it accepts them.
        /// </summary>
        public string? Refuses(object options, int dimension)
        {
            try
            {
                LawSettings.Create(Type, dimension, options, 0);
                return null;
            }
            catch (ReplayException ex)
            {
                return ex.Message;
            }
        }
    }
}
