using System.Collections.Generic;
using AE.Dsl.Syntax;

namespace AE.Dsl.Binding
{
    internal static class SyntaxWalker
    {
        /// <summary>Every name read by an expression (callees too where <paramref name="callees"/>: nets, filters), in order. Depth is bounded by the parser.</summary>
        public static void CollectNames(ExprSyntax e, ICollection<string> names, bool callees = false)
        {
            switch (e)
            {
                case NameExpr n: names.Add(n.Name.Text); break;
                case CallExpr c:
                    if (callees) names.Add(c.Callee.Text);
                    foreach (var a in c.Args) CollectNames(a, names, callees);
                    break;
                case ParenExpr p: CollectNames(p.Inner, names, callees); break;
                case UnaryExpr u: CollectNames(u.Operand, names, callees); break;
                case BinaryExpr b: CollectNames(b.Left, names, callees); CollectNames(b.Right, names, callees); break;
                case ConditionalExpr c: CollectNames(c.Condition, names, callees); CollectNames(c.WhenTrue, names, callees); CollectNames(c.WhenFalse, names, callees); break;
            }
        }
    }

    internal static class DependencyOrder
    {
        /// <summary>
        /// Kahn's algorithm: returns every node with its dependencies first. Nodes on cycles come
        /// last, and each distinct cycle is returned once (in the order found by following
        /// dependency edges), so it can be reported with its path.
        /// </summary>
        public static List<string> Sort(List<string> nodes, Dictionary<string, List<string>> deps, out List<List<string>> cycles)
        {
            var remaining = new Dictionary<string, int>(System.StringComparer.Ordinal);
            var dependents = new Dictionary<string, List<string>>(System.StringComparer.Ordinal);
            foreach (var n in nodes) { remaining[n] = 0; dependents[n] = new List<string>(); }
            foreach (var n in nodes)
                foreach (var d in deps[n])
                {
                    remaining[n]++;
                    dependents[d].Add(n);
                }

            var order = new List<string>();
            var ready = new Queue<string>();
            foreach (var n in nodes) if (remaining[n] == 0) ready.Enqueue(n);
            while (ready.Count > 0)
            {
                var n = ready.Dequeue();
                order.Add(n);
                foreach (var m in dependents[n]) if (--remaining[m] == 0) ready.Enqueue(m);
            }

            cycles = new List<List<string>>();
            var done = new HashSet<string>(order, System.StringComparer.Ordinal);
            var onCycle = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var start in nodes)
            {
                if (done.Contains(start) || onCycle.Contains(start)) continue;
                // Walk unresolved dependency edges until a node repeats: that suffix is a cycle.
                var path = new List<string>();
                var index = new Dictionary<string, int>(System.StringComparer.Ordinal);
                var cur = start;
                while (cur != null && !index.ContainsKey(cur) && !onCycle.Contains(cur))
                {
                    index[cur] = path.Count;
                    path.Add(cur);
                    string? next = null;
                    foreach (var d in deps[cur]) if (!done.Contains(d)) { next = d; break; }
                    cur = next!;
                }
                if (cur != null && index.TryGetValue(cur, out var at))
                {
                    var cycle = path.GetRange(at, path.Count - at);
                    foreach (var c in cycle) onCycle.Add(c);
                    cycles.Add(cycle);
                }
            }
            foreach (var n in nodes) if (!done.Contains(n)) order.Add(n);
            return order;
        }
    }
}
