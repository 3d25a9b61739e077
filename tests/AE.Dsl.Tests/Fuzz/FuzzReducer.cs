using System;
using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Diagnostics;
using AE.Dsl.Text;

namespace AE.Dsl.Tests.Fuzz
{
    /// <summary>
    /// Shrinks a failing program: removes blocks (a rule, a when, a group, a unit), lines and items of
    /// declaration lists while the program still checks without errors and fails the same way.
    /// </summary>
    internal static class FuzzReducer
    {
        /// <summary>The whole pipeline for one program: check, emit, compile, run. Null when it passes (or does not check).</summary>
        public static FuzzFailure? Test(int seed, string text, bool allowWarnings) => FuzzHarness.CheckEmitCompileRun(seed, text, allowWarnings);

        /// <summary>What makes two failures the same: the kind, the compiler's error code or the comparison that differs.</summary>
        public static string Signature(FuzzFailure f)
        {
            var first = f.Detail.Split('\n')[0];
            if (f.Kind == "compile error") return f.Kind + " " + first.Split(' ')[0];
            if (f.Kind == "divergence") return f.Kind + " " + first.Split(':')[0];
            return f.Kind + " " + first.Split(':')[0];
        }

        public static (string Text, FuzzFailure Failure) Reduce(int seed, string text, FuzzFailure failure, int budget = 400)
        {
            var signature = Signature(failure);
            var lines = text.Split('\n').ToList();
            int tries = 0;
            bool Keeps(List<string> candidate, out FuzzFailure? f)
            {
                f = null;
                if (tries++ >= budget) return false;
                f = Test(seed, string.Join("\n", candidate), allowWarnings: true);
                return f != null && Signature(f) == signature;
            }
            var best = failure;
            bool progress = true;
            while (progress && tries < budget)
            {
                progress = false;
                // blocks: from a line ending in '{' to its matching '}'
                for (int i = 0; i < lines.Count && tries < budget; i++)
                {
                    if (!lines[i].TrimEnd().EndsWith("{", StringComparison.Ordinal)) continue;
                    int end = Match(lines, i);
                    if (end < 0) continue;
                    var candidate = lines.Take(i).Concat(lines.Skip(end + 1)).ToList();
                    if (Keeps(candidate, out var f)) { lines = candidate; best = f!; progress = true; i--; }
                }
                // single lines
                for (int i = 0; i < lines.Count && tries < budget; i++)
                {
                    var t = lines[i].Trim();
                    if (t.Length == 0 || t.EndsWith("{", StringComparison.Ordinal) || t.StartsWith("}", StringComparison.Ordinal)) continue;
                    var candidate = lines.Take(i).Concat(lines.Skip(i + 1)).ToList();
                    if (Keeps(candidate, out var f)) { lines = candidate; best = f!; progress = true; i--; }
                }
                // items of a declaration list: "param a = 1, b = 2;"
                for (int i = 0; i < lines.Count && tries < budget; i++)
                {
                    var parts = SplitItems(lines[i]);
                    if (parts == null || parts.Value.Items.Count < 2) continue;
                    for (int k = 0; k < parts.Value.Items.Count && tries < budget; k++)
                    {
                        var items = parts.Value.Items.Where((_, j) => j != k).ToList();
                        var candidate = lines.ToList();
                        candidate[i] = parts.Value.Head + string.Join(", ", items) + ";";
                        if (Keeps(candidate, out var f)) { lines = candidate; best = f!; progress = true; break; }
                    }
                }
            }
            // Leave out blank lines and comments-only lines for the report.
            var text2 = string.Join("\n", lines.Where(l => l.Trim().Length > 0));
            return (text2, best);
        }

        private static int Match(List<string> lines, int open)
        {
            int depth = 0;
            for (int j = open; j < lines.Count; j++)
            {
                foreach (var ch in lines[j])
                {
                    if (ch == '{') depth++;
                    else if (ch == '}') depth--;
                }
                if (depth == 0) return j;
                if (depth < 0) return -1;
            }
            return -1;
        }

        /// <summary>"  param a = 1, b = f(x, y);" as ("  param ", ["a = 1", "b = f(x, y)"]); null for other lines.</summary>
        private static (string Head, List<string> Items)? SplitItems(string line)
        {
            var t = line.TrimStart();
            var keyword = new[] { "dim ", "param ", "input ", "state ", "coeff ", "signal ", "acc " }.FirstOrDefault(k => t.StartsWith(k, StringComparison.Ordinal));
            if (keyword == null || !t.EndsWith(";", StringComparison.Ordinal)) return null;
            var head = line.Substring(0, line.Length - t.Length) + keyword;
            var body = t.Substring(keyword.Length, t.Length - keyword.Length - 1);
            var items = new List<string>();
            int depth = 0, start = 0;
            bool quoted = false;
            for (int i = 0; i < body.Length; i++)
            {
                char c = body[i];
                if (c == '"') quoted = !quoted;
                if (quoted) continue;
                if (c is '(' or '[') depth++;
                else if (c is ')' or ']') depth--;
                else if (c == ',' && depth == 0) { items.Add(body.Substring(start, i - start).Trim()); start = i + 1; }
            }
            items.Add(body.Substring(start).Trim());
            return (head, items);
        }

        /// <summary>The diagnostics of a reduced program (it may have warnings the original did not).</summary>
        public static string Diagnostics(int seed, string text) =>
            string.Join("\n", AeCompiler.Check(new SourceFile("fuzz/seed" + seed + ".ae", text)).Diagnostics.Select(d => d.ToMsBuildString()));
    }
}
