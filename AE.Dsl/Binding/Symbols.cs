using System.Collections.Generic;
using AE.Dsl.IR;
using AE.Dsl.Text;

namespace AE.Dsl.Binding
{
    /// <summary>A name in a unit's scope while binding. Mutable bookkeeping; never leaves the binder.</summary>
    internal sealed class Symbol
    {
        public Symbol(string name, SymbolKind kind, TextSpan declSpan, string path)
        {
            Name = name;
            Kind = kind;
            DeclSpan = declSpan;
            Path = path;
        }

        public string Name { get; }
        public SymbolKind Kind { get; }
        public TextSpan DeclSpan { get; }
        public string Path { get; }
        public IrType Type { get; set; } = IrType.Real;
        public bool TypeKnown { get; set; }
        public bool Used { get; set; }
        /// <summary>For rule-defined values: read by a rule other than the one defining it.</summary>
        public bool UsedOutsideRule { get; set; }

        // dims
        public DimExpr? DimValue { get; set; }
        // params
        public double? ConstValue { get; set; }
        public IrRange? Range { get; set; }
        // signals, accs
        public bool HasNeutral { get; set; }
        // rule-defined values (locals and signals): where the definition is
        public Definition? Definition { get; set; }
        // nets
        public IrNet? Net { get; set; }

        public string KindText => Kind switch
        {
            SymbolKind.Dim => "dim",
            SymbolKind.Param => "param",
            SymbolKind.Input => "input",
            SymbolKind.State => "state",
            SymbolKind.Coeff => "coefficient",
            SymbolKind.Signal => "signal",
            SymbolKind.Acc => "accumulator",
            SymbolKind.Local => "local value",
            _ => "net",
        };
    }

    /// <summary>Where a rule defines a value: the rule, its position in rule order, and the statement span.</summary>
    internal sealed record Definition(string RuleId, int RuleIndex, bool RuleAblatable, int Order, TextSpan Span, string Path);

    internal static class NameSuggestions
    {
        /// <summary>The closest candidate by edit distance, if close enough to be a likely typo.</summary>
        public static string? Closest(string name, IEnumerable<string> candidates)
        {
            string? best = null;
            int bestDistance = int.MaxValue;
            foreach (var c in candidates)
            {
                if (c.Length == 0 || System.Math.Abs(c.Length - name.Length) > 3) continue;
                int d = Distance(name, c);
                if (d < bestDistance || (d == bestDistance && string.CompareOrdinal(c, best) < 0))
                {
                    best = c;
                    bestDistance = d;
                }
            }
            int limit = name.Length <= 3 ? 1 : name.Length <= 6 ? 2 : 3;
            return bestDistance <= limit ? best : null;
        }

        private static int Distance(string a, string b)
        {
            if (a.Length > 64 || b.Length > 64) return int.MaxValue;
            var prev = new int[b.Length + 1];
            var cur = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++) prev[j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                cur[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    cur[j] = System.Math.Min(System.Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                (prev, cur) = (cur, prev);
            }
            return prev[b.Length];
        }
    }
}
