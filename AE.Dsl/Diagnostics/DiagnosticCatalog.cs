using System.Collections.Generic;
using System.Linq;

namespace AE.Dsl.Diagnostics
{
    /// <summary>
    /// Every diagnostic the language reports. Ids are stable: a retired id is never reused.
    /// docs/diagnostics.md has one entry per id with a failing example and the fix.
    /// </summary>
    public static class DiagnosticCatalog
    {
        private static DiagnosticDescriptor E(string id, string title, string format) => new(id, Severity.Error, title, format);
        private static DiagnosticDescriptor W(string id, string title, string format) => new(id, Severity.Warning, title, format);

        // ---- lexical and syntax (AE00xx) ----
        public static readonly DiagnosticDescriptor UnexpectedCharacter =
            E("AE0001", "Unexpected character", "Unexpected character '{0}' (U+{1:X4}); it is not part of the language — remove it");
        public static readonly DiagnosticDescriptor UnterminatedToken =
            E("AE0002", "Unterminated string or comment", "Unterminated {0}: add the closing {1}");
        public static readonly DiagnosticDescriptor InvalidNumber =
            E("AE0003", "Invalid number", "Invalid number '{0}': {1}");
        public static readonly DiagnosticDescriptor SyntaxError =
            E("AE0004", "Syntax error", "Expected {0}, found {1}");
        public static readonly DiagnosticDescriptor NestingTooDeep =
            E("AE0005", "Nesting too deep", "{0} nesting exceeds {1} levels; {2}");
        public static readonly DiagnosticDescriptor NotText =
            E("AE0006", "Not a text file", "'{0}' is not a text file ({1}); an .ae file is UTF-8 text: check that the right file was named, or save it as UTF-8");
        public static readonly DiagnosticDescriptor NamespaceRewritten =
            W("AE0008", "Namespace rewritten", "AeNamespace '{0}' is not a C# namespace; the laws and cells are generated in '{1}' instead: set AeNamespace to a namespace such as '{1}'");
        public static readonly DiagnosticDescriptor TooManyErrors =
            E("AE0007", "Too many errors", "{0} in this file not shown: only the first {1} errors of a file are listed; fix those and check again");

        // ---- names (AE001x) ----
        public static readonly DiagnosticDescriptor UnknownName =
            E("AE0010", "Unknown name", "Unknown name '{0}'{1}");
        public static readonly DiagnosticDescriptor DuplicateName =
            E("AE0011", "Duplicate name", "'{0}' is already {1}; {2}");
        public static readonly DiagnosticDescriptor UseBeforeDefinition =
            E("AE0012", "Use before definition", "'{0}' is used before its definition at {1}; statements run in order, so move the definition above this use");
        public static readonly DiagnosticDescriptor CyclicDefinition =
            E("AE0013", "Cyclic definition", "Cyclic definition: {0}; {1}");

        /// <summary>AE0013's advice for values, params and dims, which a recurrence may be meant by.</summary>
        public const string ValueCycleAdvice = "a value cannot depend on itself within a step: for a recurrence declare it as state ('state h: real = 0;' and h' = ... h ...), or break the cycle";

        /// <summary>AE0013's advice for groups that use each other.</summary>
        public const string GroupCycleAdvice = "a group cannot use itself, directly or through others: move what they share into a group that both use, and remove one 'use'";

        /// <summary>AE0013's advice for variants based on each other.</summary>
        public const string VariantCycleAdvice = "a variant is based on a law or on a variant that is not based on it: name a law as the base of one of them";
        public static readonly DiagnosticDescriptor BadCall =
            E("AE0014", "Invalid call", "{0}");
        public static readonly DiagnosticDescriptor InvalidAssignment =
            E("AE0015", "Invalid assignment", "{0}");
        public static readonly DiagnosticDescriptor UnknownGroup =
            E("AE0016", "Unknown rule group", "Unknown rule group '{0}'{1}");

        public static readonly DiagnosticDescriptor SignalNeverDefined =
            E("AE0017", "Signal never defined", "{0} '{1}' is declared but no rule defines it{2}");
        public static readonly DiagnosticDescriptor ReservedName =
            E("AE0018", "Reserved name", "'{0}' contains '__', which is reserved for the names of generated code; rename it (a single '_' is fine)");

        /// <summary>AE0019: generated names carry the file's names, and .NET metadata takes names of at most 1023 UTF-8 bytes.</summary>
        public static readonly DiagnosticDescriptor NameTooLong =
            E("AE0019", "Name too long", "The name '{0}...' is {1} characters long; a name has at most {2} characters (generated C# carries it in longer names, which .NET limits): shorten it");

        // ---- types and shapes (AE002x) ----
        public static readonly DiagnosticDescriptor TypeMismatch =
            E("AE0020", "Type mismatch", "{0}");
        public static readonly DiagnosticDescriptor ShapeMismatch =
            E("AE0021", "Shape mismatch", "{0}");
        public static readonly DiagnosticDescriptor NetWidthMismatch =
            E("AE0022", "Net input width mismatch", "Net '{0}' takes an input of width {1}, but is given {2}; {3}");
        public static readonly DiagnosticDescriptor InvalidDimension =
            E("AE0023", "Invalid dimension", "{0}");
        public static readonly DiagnosticDescriptor NotConstant =
            E("AE0024", "Not a constant", "{0} must depend only on dims, params and literals; '{1}' is {2}");
        public static readonly DiagnosticDescriptor InvalidObjective =
            E("AE0025", "Invalid objective", "{0}");

        // ---- AE axioms and laws (AE003x, AE004x) ----
        public static readonly DiagnosticDescriptor UnboundedCoefficient =
            E("AE0030", "Unbounded coefficient (A4)", "Coefficient '{0}' {1}; axiom A4 requires every coefficient to stay bounded: declare 'coeff {0} in [lo, hi]' with finite lo and hi");
        public static readonly DiagnosticDescriptor LogBoundAllowsZero =
            E("AE0031", "Log-space bounds allow 0", "Log-space coefficient '{0}' has lower bound {1}, which allows values <= 0 where log is undefined; raise the lower bound above 0 (e.g. 1e-12) or drop 'log'");
        public static readonly DiagnosticDescriptor EmptyBounds =
            E("AE0032", "Empty bounds", "Bounds {1} of '{0}' are empty: no value lies between {2} and {3}");
        public static readonly DiagnosticDescriptor NonSmoothInSmooth =
            E("AE0040", "Non-smooth operator in smooth code (AE-9)", "'{0}' is not smooth, but {1} is declared smooth (law AE-9); use {2}");
        public static readonly DiagnosticDescriptor NonCausalRead =
            E("AE0041", "Non-causal read (A2)", "{0}");
        public static readonly DiagnosticDescriptor AblationHole =
            E("AE0042", "Ablation hole", "Switching off rule {0} leaves '{1}' undefined {2}; declare it with a neutral value ('{3}'), or mark rule {0} 'fixed'");
        public static readonly DiagnosticDescriptor RuleWithoutEffect =
            W("AE0043", "Rule without effect", "Rule {0} has no effect: nothing it defines is used, and it updates no state, coefficient, accumulator or signal");
        public static readonly DiagnosticDescriptor GroupNeverUsed =
            W("AE0044", "Rule group never used", "Rule group '{0}' is not used by any law or cell, so its rules never run; add 'use {0};' or remove it");
        public static readonly DiagnosticDescriptor DuplicateRuleId =
            E("AE0045", "Duplicate rule id", "Rule id '{0}' is already used at {1}; rule ids name ablation switches and must be unique in a {2}");

        public static readonly DiagnosticDescriptor BadVariant =
            E("AE0046", "Invalid variant", "{0}");

        // ---- hygiene (AE005x) ----
        public static readonly DiagnosticDescriptor Unused =
            W("AE0050", "Unused declaration", "{0} '{1}' is never used; remove it or use it");

        // ---- numeric hazards (AE006x) ----
        public static readonly DiagnosticDescriptor NotProvablyPositive =
            W("AE0060", "Argument outside the function's domain", "'{0}' of an argument that is not provably {1} (the checker can only bound it to {2}); {3}");
        public static readonly DiagnosticDescriptor DivisionMayBeZero =
            W("AE0061", "Division by a value that can be 0", "Division by a value that can be 0 (it lies in {0}); {1}");

        // ---- stability (AE007x) ----
        public static readonly DiagnosticDescriptor RequireFails =
            E("AE0070", "Declared bound does not hold (AE-10)", "Requirement '{0}' does not hold with the declared defaults ({1}); adjust the params or the bound");

        // ---- backends (AE008x) ----
        public static readonly DiagnosticDescriptor NotEmitted =
            W("AE0080", "Not emitted", "{0} '{1}' is checked but not emitted as C#: {2}");

        // ---- internal (AE009x) ----
        public static readonly DiagnosticDescriptor InternalError =
            E("AE0099", "Internal compiler error", "Internal compiler error while checking '{0}': {1} Please report it with this file");

        public static IReadOnlyList<DiagnosticDescriptor> All { get; } = typeof(DiagnosticCatalog)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Id, System.StringComparer.Ordinal)
            .ToList();
    }
}
