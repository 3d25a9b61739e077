using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.IR;
using System.Text;

namespace AE.Dsl.Emit
{
    /// <summary>
    /// The one mapping from .ae identifiers to the identifiers of every target language. Every
    /// emitter names things through it, so a name the lexer accepts is a name every backend can print.
    /// </summary>
    /// <remarks>
    /// The language reserves identifiers that contain <c>__</c> (AE0017), and every name an emitter
    /// makes up contains <c>__</c>: so a made-up name never equals a user's, and <see cref="Stem"/>,
    /// joined to a prefix or suffix that contains <c>__</c>, never equals another stem's.
    /// An identifier the lexer accepts starts with a letter or '_' and goes on with letters, decimal
    /// digits, '_' and combining marks (Mn, Mc): every such character is valid in a C# identifier, so C#
    /// keeps the name as written (<c>law.α</c>). C-family kernels (OpenCL) are ASCII: other characters
    /// are spelled <c>__uXXXX</c>.
    /// </remarks>
    public static class Names
    {
        /// <summary>The separator of made-up names: no .ae identifier contains it (AE0017).</summary>
        public const string Reserved = "__";

        /// <summary>Whether the language reserves <paramref name="name"/> for generated code.</summary>
        public static bool IsReserved(string name) => name.IndexOf(Reserved, StringComparison.Ordinal) >= 0;

        private static readonly string[] CSharpKeywords =
        {
            "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
            "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
            "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
            "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
            "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
            "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
            "using", "virtual", "void", "volatile", "while",
        };

        /// <summary>An .ae name as a C# identifier: the name itself, with '@' before a keyword.</summary>
        public static string CSharp(string name)
        {
            if (name == "_") return "@_"; // '_' alone is a discard in some positions
            return Array.IndexOf(CSharpKeywords, name) >= 0 ? "@" + name : name;
        }

        /// <summary>The C# local of an element value of the step schedule: its target's stem, <c>__next</c> for a next value, and its version.</summary>
        internal static string Element(Schedule.ElementItem e) =>
            "__e_" + Stem(e.Target) + (e.IsNext ? "__next" : "") + "__" + e.Version.ToString(CultureInfo.InvariantCulture);

        /// <summary>The local holding the value an element item replaces where its guard is false; null for the first version of its target.</summary>
        internal static string? PrevElement(Schedule.ElementItem e) => e.Prev != null ? Element(e.Prev) : null;

        /// <summary>No element values yet: what scalar code outside a step reads.</summary>
        internal static readonly IReadOnlyDictionary<string, Schedule.ElementItem> NoVersions = new Dictionary<string, Schedule.ElementItem>();

        /// <summary>The C# local of a reduction's value in the step.</summary>
        internal static string Reduction(Schedule.Reduction r) => "__r" + r.Id.ToString(CultureInfo.InvariantCulture);

        /// <summary>The C# local of a 'when' condition of the step schedule.</summary>
        internal static string Cond(int cond) => "__c" + cond.ToString(CultureInfo.InvariantCulture);

        /// <summary>The C# local that holds whether a rule's run-time switch is on.</summary>
        internal static string Switch(string ruleId) => "__on_" + ruleId;

        /// <summary>
        /// An .ae name, or a key the compiler makes from names (a filter's slot <c>T.ema2</c>, a next
        /// value <c>x'</c>), as the part of a made-up C# identifier (<c>__st_</c> + stem): the name
        /// without the keyword escape (a prefix already makes it no keyword), <c>'</c> spelled
        /// <c>__next</c>, '.' spelled <c>__</c>, any other character a C# identifier cannot hold <c>__uXXXX</c>.
        /// </summary>
        public static string Stem(string name)
        {
            var sb = new StringBuilder(name.Length + 8);
            foreach (var ch in name)
            {
                if (ch == '\'') sb.Append("__next");
                else if (ch == '.') sb.Append(Reserved);
                else if (IsCSharpIdentifierPart(ch)) sb.Append(ch);
                else sb.Append("__u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
            }
            return sb.ToString();
        }

        /// <summary>An .ae name or key as an ASCII C identifier part (OpenCL C): letters, digits and '_' kept, <c>'</c> and '.' as in <see cref="Stem"/>, any other character <c>__uXXXX</c>.</summary>
        public static string C(string name)
        {
            var sb = new StringBuilder(name.Length + 8);
            foreach (var ch in name)
            {
                if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_') sb.Append(ch);
                else if (ch == '\'') sb.Append("__next");
                else if (ch == '.') sb.Append(Reserved);
                else sb.Append("__u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
            }
            return sb.ToString();
        }

        /// <summary>
        /// An .ae name as a member of a generated type that has members of its own: a name that
        /// <paramref name="clashes"/> with one of them gets '_' appended until it equals neither a
        /// generated member nor another of the unit's names (<c>Step</c> → <c>Step_</c>, or
        /// <c>Step__</c> when the unit also declares <c>Step_</c>).
        /// </summary>
        internal static string Member(string name, Func<string, bool> clashes, IReadOnlyCollection<string> unitIds)
        {
            var id = CSharp(name);
            if (!clashes(id) && !Shadows(id)) return id;
            do id += "_"; while (clashes(id) || unitIds.Contains(id));
            return id;
        }

        /// <summary>Members every generated law type has; an AE name equal to one of them gets a trailing '_', a law named so a suffix.</summary>
        internal static readonly HashSet<string> LawMembers = new HashSet<string>(StringComparer.Ordinal)
        {
            "Options", "Rules", "Enabled", "StepCount", "Step", "MaxThreads", "Kernel", "ReadSignal", "SetRule", "SignalNames", "RuleIds",
            "ParamNames", "ParamProperties",
            "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize",
        };

        /// <summary>
        /// Names C# reads as a type of its own where a type may stand (<c>var</c>, <c>dynamic</c>, <c>nint</c>, <c>unmanaged</c>
        /// and <c>notnull</c> as constraints) or refuses for a type (<c>record</c>, <c>required</c>, <c>file</c>, <c>scoped</c>,
        /// <c>extension</c>, <c>field</c>, <c>partial</c>): a generated type named so would not compile, or would turn every
        /// <c>var x = ...</c> of its namespace into that type. A law or cell named so gets a suffix, as one named like a member does.
        /// </summary>
        private static readonly HashSet<string> TypeNamesCSharpTakes = new(StringComparer.Ordinal)
        {
            "var", "dynamic", "nint", "nuint", "unmanaged", "notnull", "managed", "allows",
            "record", "required", "file", "scoped", "extension", "field", "partial",
        };

        /// <summary>The C# type of a law (escaped where a keyword): its name, or with <c>Law</c> appended when it is named like a generated member ('Options', 'Step') or a name C# takes for a type ('var', 'record').</summary>
        public static string LawTypeName(string name) => LawMembers.Contains(name) || TypeNamesCSharpTakes.Contains(name) ? name + "Law" : CSharp(name);

        /// <summary>The class of the ILGPU backend's kernels of a law, in float32 or float64.</summary>
        public static string IlgpuKernelTypeName(string name, bool float32) => Stem(name) + (float32 ? "IlgpuF32" : "IlgpuF64");

        /// <summary>The C# type of a law's population (every unlagged law has one).</summary>
        public static string PopulationTypeName(string name) => LawTypeName(name).TrimStart('@') + "Population";

        /// <summary>
        /// The C# type name (unescaped, as reflection sees it) of a cell named <paramref name="name"/>: the name itself, but
        /// <c>T_</c> for <c>T</c>, which is the type parameter of every generated cell type (<c>Cell&lt;T&gt;</c>), and the
        /// name with <c>Cell</c> appended for the name of a member the cell type declares (<c>Step</c>, <c>Layout</c>,
        /// <c>Forward0</c>, ...), which C# does not allow a type to share with its members (CS0542), as a law named so
        /// becomes <c>StepLaw</c>; so is a name C# takes for a type (<c>record</c>, <c>file</c>).
        /// </summary>
        public static string CellTypeName(string name) => name == "T" ? "T_" : IsCellMember(name) || TypeNamesCSharpTakes.Contains(name) ? name + "Cell" : name;

        /// <summary>The members every generated cell type declares: its layout, its step and adjoint, and one method per block of each.</summary>
        private static bool IsCellMember(string name)
        {
            if (name is "Layout" or "Step" or "StepBackward") return true;
            string? digits = name.StartsWith("Forward", StringComparison.Ordinal) ? name.Substring(7)
                : name.StartsWith("Backward", StringComparison.Ordinal) ? name.Substring(8) : null;
            if (string.IsNullOrEmpty(digits)) return false;
            foreach (char c in digits!) if (c < '0' || c > '9') return false;
            return true;
        }

        /// <summary>A member named <c>nameof</c> would turn every <c>nameof(x)</c> of the type into a call of it.</summary>
        private static bool Shadows(string id) => id == "nameof";

        /// <summary>The C# identifiers of every name a unit declares (what a member of its type may not be renamed to).</summary>
        internal static HashSet<string> UnitIds(IrUnit unit) => new(
            unit.Dims.Select(x => x.Name)
                .Concat(unit.Params.Select(x => x.Name))
                .Concat(unit.Inputs.Select(x => x.Name))
                .Concat(unit.States.Select(x => x.Name))
                .Concat(unit.Signals.Select(x => x.Name))
                .Concat(unit.Accs.Select(x => x.Name))
                .Concat(unit.Locals.Select(x => x.Name))
                .Concat(unit.Nets.Select(x => x.Name))
                .Select(CSharp),
            StringComparer.Ordinal);

        /// <summary>Whether <paramref name="c"/> may stand in a C# identifier after its first character (what <see cref="CSharp"/> relies on).</summary>
        internal static bool IsCSharpIdentifierPart(char c) => c == '_' || CharUnicodeInfo.GetUnicodeCategory(c) is
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
            or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.Format;
    }
}
