using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace AE.Dsl.Tests.Fuzz
{
    /// <summary>What the random-program generator may produce.</summary>
    internal sealed record GeneratorOptions
    {
        /// <summary>Non-ASCII identifiers: Greek letters, letters with combining marks, Cyrillic, CJK, non-ASCII digits.</summary>
        public bool Unicode { get; init; } = true;

        /// <summary>
        /// Now and then a scalar noise() inside a vector statement (issue "noise": the emitted law draws once
        /// per element, the interpreter once per step). Such laws are still compiled; the property test
        /// compares them with themselves (kernels, population), not with the interpreter.
        /// </summary>
        public bool ScalarSideEffectsInVectors { get; init; } = true;

        /// <summary>Now and then a scalar filter inside a vector statement or a reduction's argument (it updates once per step: FilterHoisting).</summary>
        public bool ScalarFiltersInVectors { get; init; } = true;

        /// <summary>Rule titles with U+2028, U+2029 or U+0085, which C# reads as line ends.</summary>
        public bool LineSeparatorsInTitles { get; init; } = true;

        /// <summary>Rule ids 'None' and 'All', the names of two members of the generated Rules enum.</summary>
        public bool RulesNamedNoneOrAll { get; init; } = true;

        /// <summary>Dims derived from a run-time dim: dim w = n + 2;</summary>
        public bool DerivedDims { get; init; } = true;

        /// <summary>State, coefficients and other values named 'options' or 'seed', like the constructor's parameters.</summary>
        public bool ConstructorParameterNames { get; init; } = true;

        /// <summary>x' = x'; and comparisons of a value with itself (a == a).</summary>
        public bool SelfAssignmentsAndComparisons { get; init; } = true;

        /// <summary>A name that is another's with '__next' appended (the C# name of a scalar state's next value).</summary>
        public bool NextSuffixNames { get; init; } = true;

        /// <summary>A name that is another's with 'ae' prepended when that one starts with '__' (the C# spelling of '__x').</summary>
        public bool AePrefixNames { get; init; } = true;

        /// <summary>Laws with no real input, no vector input and no host state (their double and float Step have one signature).</summary>
        public bool LawsWithoutRealData { get; init; } = true;

        /// <summary>Int values that are not params, dims or step (int state, inputs and locals) in vector statements.</summary>
        public bool IntValuesInVectorStatements { get; init; } = true;

        /// <summary>Names ending in '_' (the backend appends one to a name that clashes with a generated member).</summary>
        public bool TrailingUnderscoreNames { get; init; } = true;

        /// <summary>Names starting with '__c' (the step plan's prefix for 'when' conditions).</summary>
        public bool DoubleUnderscoreCNames { get; init; } = true;

        /// <summary>A bool state's next value read in a vector statement (it may need a snapshot).</summary>
        public bool BoolNextValuesInVectors { get; init; } = true;

        /// <summary>
        /// Int negation, products and remainders, and ints used directly as reals, which can give -0 (computed
        /// as doubles) or 0 (computed as longs). Off: ints enter real expressions as (i + 0).
        /// </summary>
        public bool IntNegativeZero { get; init; } = true;

        /// <summary>== and != between bools (the population's lane masks meet a JIT bug with AVX-512).</summary>
        public bool BoolEqualities { get; init; } = true;

        /// <summary>A value named 'nameof'.</summary>
        public bool NameofName { get; init; } = true;

        /// <summary>Bool vectors kept as values: bool[n] inputs, locals and signals.</summary>
        public bool BoolVectorValues { get; init; } = true;

        /// <summary>Lagged variants of laws whose reductions read a scalar next value or accumulator that later statements refine.</summary>
        public bool LaggedReadsOfRefinedScalars { get; init; } = true;

        /// <summary>
        /// Draws anywhere: several vector draws, vector draws in reductions, a scalar draw after a vector draw.
        /// Off: at most one noise(n), in the value of a vector state or signal, and no noise() after it.
        /// </summary>
        public bool DrawsInAnyOrder { get; init; } = true;

        /// <summary>logsumexp among the reductions (the law backends write it out of max and sum).</summary>
        public bool LogSumExp { get; init; } = true;
    }

    /// <summary>
    /// Random valid .ae programs, deterministic per seed: laws and cells (often optimizer-shaped),
    /// every kind of declaration, rules (fixed, switchable, smooth, update), rule groups with nested
    /// use, when/else chains, every builtin the C# backend emits, filters, draws, reductions, next
    /// values, variants (without, lagged, chains), and names chosen to collide with C# keywords and
    /// the members the backend generates. Domain guards (max(x, c), abs(x) + c, ...) keep the checker's
    /// interval analysis quiet and the values finite; a program that does not check clean is a
    /// generator problem, counted by the property test as a reject.
    /// </summary>
    internal sealed partial class ProgramGenerator
    {
        private readonly Random _r;
        private readonly GeneratorOptions _o;
        private readonly HashSet<string> _fileNames = new(StringComparer.Ordinal);
        private readonly List<string> _blocks = new();

        private ProgramGenerator(int seed, GeneratorOptions options)
        {
            _r = new Random(seed);
            _o = options;
        }

        public static string Generate(int seed, GeneratorOptions? options = null) => new ProgramGenerator(seed, options ?? new GeneratorOptions()).File();

        private string File()
        {
            int laws = Pick(new[] { 1, 1, 1, 1, 2, 2 });
            for (int i = 0; i < laws; i++) new LawGen(this).Generate();
            // Units, groups and variants may come in any order: shuffle the blocks a little.
            if (Chance(0.3)) Shuffle(_blocks);
            var sb = new StringBuilder();
            if (Chance(0.2)) sb.Append("// generated program\n");
            foreach (var b in _blocks) sb.Append(b).Append('\n');
            return sb.ToString();
        }

        // ------------------------------------------------------------ randomness

        private bool Chance(double p) => _r.NextDouble() < p;
        private int Int(int lo, int hiInclusive) => _r.Next(lo, hiInclusive + 1);
        private T Pick<T>(IReadOnlyList<T> items) => items[_r.Next(items.Count)];
        private void Shuffle<T>(List<T> items)
        {
            for (int i = items.Count - 1; i > 0; i--)
            {
                int j = _r.Next(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
        }

        /// <summary>A number in the many spellings the lexer accepts: 0.5, .5, 5e-1, 3., 2E+0.</summary>
        private string Num(double value)
        {
            var v = Math.Round(value, 4);
            if (v == 0) return Pick(new[] { "0", "0.0", "0.", ".0" });
            string Plain(double x) => x.ToString("0.####", CultureInfo.InvariantCulture);
            var abs = Math.Abs(v);
            string text = _r.Next(6) switch
            {
                0 when abs < 1 => Plain(abs).Substring(1),                                       // .25
                1 => abs.ToString("0.####e+0", CultureInfo.InvariantCulture),                      // 2.5e-1
                2 when abs == Math.Floor(abs) => Plain(abs) + ".",                               // 3.
                3 => abs.ToString("0.####E0", CultureInfo.InvariantCulture),                       // 2.5E-1
                _ => Plain(abs),
            };
            return v < 0 ? "(-" + text + ")" : text;
        }

        private string Lit(double lo, double hi) => Num(lo + _r.NextDouble() * (hi - lo));

        // ------------------------------------------------------------ names

        private static readonly string[] AsciiNames =
        {
            "a", "b", "c", "x", "y", "z", "g", "h", "u", "v", "w", "p", "q", "r", "s", "t", "m", "lr", "beta", "gain", "mu", "rho",
            "tau", "eps", "val", "tmp", "drive", "L", "T", "V", "S", "Gn", "alpha", "sigma", "x1", "x2", "y_3", "camelCase", "UPPER",
            "a_b_c", "kp", "err", "trend", "level", "rate", "gate", "bias", "scale", "decay", "mom", "vel",
        };

        /// <summary>Names that are C# keywords or contextual keywords, or that the backend uses itself.</summary>
        private static readonly string[] TrickyNames =
        {
            "double", "class", "object", "string", "void", "new", "this", "base", "return", "default", "event", "operator", "namespace",
            "var", "value", "nameof", "global", "dynamic", "async", "await", "yield", "record", "float", "long", "decimal", "checked",
            "_", "_x", "_step", "_rng", "_i", "ae_x", "_1",  // names with "__" are reserved (AE0018)
            "Step", "Options", "Rules", "Enabled", "StepCount", "MaxThreads", "Kernel", "ReadSignal", "SetRule", "SignalNames", "RuleIds",
            "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "Count", "SetEnabled", "LawName", "Dimension",
            "None", "All", "k", "seed", "options", "controllers", "Span", "System", "AE", "Math", "Vector256", "Step_", "Options_",
        };

        private static readonly string[] UnicodeNames =
        {
            "α", "β", "γ", "δ", "θ", "λ", "μ", "ρ", "σ", "τ", "ω", "Ω", "Δ", "ñ", "\u00e9", "e\u0301", "x\u0304", "д", "жук", "变量", "ǅ",
            "ʰa", "\u0915\u093f", "α\u0661", "ß", "\ufb01x", "θ_1", "_α", "Σg",
        };

        private static readonly string[] Reserved =
        {
            "law", "cell", "group", "use", "rule", "update", "smooth", "fixed", "dim", "param", "input", "state", "coeff", "signal",
            "acc", "net", "require", "in", "log", "when", "else", "true", "false", "inf", "real", "int", "bool", "named", "without",
            "step", "pi", "ema", "lp", "prev", "latch", "noise", "lagged",
        };

        private static readonly HashSet<string> NotAName = new(Reserved.Concat(AE.Dsl.IR.Builtins.AllNames), StringComparer.Ordinal);

        private string RawName(bool tricky = true)
        {
            double u = _r.NextDouble();
            if (_o.Unicode && u < 0.15) return Pick(UnicodeNames);
            if (tricky && u < 0.35)
            {
                var n = Pick(TrickyNames);
                if (!_o.ConstructorParameterNames && n is "options" or "seed") return Pick(AsciiNames);
                if (!_o.AePrefixNames && n.StartsWith("ae__", StringComparison.Ordinal)) return Pick(AsciiNames);
                if (!_o.NameofName && n == "nameof") return Pick(AsciiNames);
                return n;
            }
            return Pick(AsciiNames);
        }

        /// <summary>A name for a unit or group, unique in the file.</summary>
        private string UnitName()
        {
            string[] pool = { "Law", "Sgd", "Adamish", "Ctl", "Options", "Step", "Rules", "Population", "class", "double", "Fuzz", "AE", "System", "AeSgdm", "Gauge", "Kernel", "_L" };
            for (int attempt = 0; ; attempt++)
            {
                string n = attempt < 4 ? (_o.Unicode && Chance(0.1) ? Pick(new[] { "Λ", "Ωmega", "Zäh", "法則" }) : Pick(pool)) : "U" + attempt.ToString(CultureInfo.InvariantCulture);
                if (attempt >= 4 || Chance(0.5)) n += attempt.ToString(CultureInfo.InvariantCulture);
                if (!NotAName.Contains(n) && _fileNames.Add(n)) return n;
            }
        }

        private string Title()
        {
            var pool = new List<string>
            {
                "measurement", "a \\\"quoted\\\" title", "back\\\\slash", "<xml> & ampersand", "*/ not the end of a comment /*", "tab\there",
                "αβγ, unicode", "{braces} and {0}", "percent %d $x", "// slashes", "trailing backslash \\\\",
            };
            if (_o.LineSeparatorsInTitles) pool.AddRange(new[] { "line\u2028separator", "paragraph\u2029separator", "next\u0085line" });
            return "\"" + Pick(pool) + "\"";
        }
    }
}
