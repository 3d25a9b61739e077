using System.Collections.Generic;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Experiments.Compilation;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>The cell a command runs: its .ae files checked (errors printed, then one line), and the cell named by <c>--name</c> or the only one.</summary>
    internal static class CellInput
    {
        public static (LawSet File, EmitTarget Target) Select(IReadOnlyList<string> paths, string? name, CliContext context)
        {
            var file = LawInput.Call(() => LawSet.Load(paths, context.CurrentDirectory));
            if (file.Result.HasErrors)
            {
                foreach (var d in file.Result.Diagnostics.Where(d => d.Severity == AE.Dsl.Diagnostics.Severity.Error)) context.Stderr.WriteLine(d.ToMsBuildString());
                throw new CliException(file.ErrorSummary("a cell that checks cleanly is needed"));
            }
            var cells = file.Targets.Where(t => t.Unit.Kind == UnitKind.Cell).ToList();
            var target = name is not null
                ? LawInput.Call(() => file.Find(name, t => t.Unit.Kind == UnitKind.Cell, "a cell"))
                : cells.Count == 1 ? cells[0]
                : throw new CliException(file.DisplayPath + (cells.Count == 0 ? (file.Inputs.Count > 1 ? " declare no cell" : " declares no cell") : (file.Inputs.Count > 1 ? " declare" : " declares") + " several cells; name one with --name: " + string.Join(", ", cells.Select(c => c.Name))));
            if (target.Lagged) throw new CliException(LaggedCell(target.Name));
            return (file, target);
        }

        /// <summary>Why a lagged cell does not run: no backend computes a cell's reductions a step late yet.</summary>
        public static string LaggedCell(string name) => "cell " + name + " is lagged; cells run and are differentiated unlagged only so far (no backend lags a cell's reductions)";
    }
}
