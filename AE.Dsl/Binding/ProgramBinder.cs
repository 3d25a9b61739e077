using System.Collections.Generic;
using AE.Dsl.Diagnostics;
using AE.Dsl.IR;
using AE.Dsl.Syntax;

namespace AE.Dsl.Binding
{
    public static class ProgramBinder
    {
        public static IrProgram Bind(IReadOnlyList<(CompilationUnitSyntax Tree, DiagnosticBag Bag)> trees)
            => new IrProgram(EqArray<IrUnit>.Empty);
    }
}
