using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Dsl.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Xunit;

namespace AE.Dsl.Tests.Emit
{
    /// <summary>
    /// Where a debugger and a stack trace land: every sequence point the compiler puts in the .ae file is on a line where a
    /// statement of the unit starts. A '#line N' maps only the line after it to N (the next to N + 1, ...), so a statement
    /// whose code spans several lines would otherwise land on the lines below it, some past the end of the file.
    /// </summary>
    public class LineMappingTests
    {
        [Theory]
        [InlineData("laws", "ae_sgdm.ae")]
        [InlineData("laws", "ae_adam.ae")]
        [InlineData("cells", "gru.ae")]
        [InlineData("cells", "amed_synth.ae")]
        public void Every_sequence_point_in_the_ae_file_is_on_a_line_where_a_statement_starts(string folder, string file)
        {
            var path = folder + "/" + file;
            var source = new SourceFile(path, File.ReadAllText(Path.Combine(RepoPaths.Root, folder, file)));
            var check = AeCompiler.Check(source);
            Assert.False(check.HasErrors, TestSupport.Format(check.Diagnostics));
            int units = 0;
            foreach (var unit in check.Program!.Units)
            {
                var statementLines = unit.Rules.Where(r => r.Origin.Path == path).SelectMany(r => Statements(r.Body))
                    .Select(s => source.GetPosition(s.Span.Start).Line).ToHashSet();
                var code = CSharpEmitter.Emit(unit, new CSharpEmitOptions { Namespace = "AE.Mapped", Sources = new Dictionary<string, SourceFile> { [path] = source } });
                var points = SequencePointLines(code, unit.Name, path);
                Assert.True(points.Count > 10, $"{unit.Name}: only {points.Count} sequence points in {path}");
                var stray = points.Where(l => !statementLines.Contains(l)).Distinct().OrderBy(l => l).ToList();
                Assert.True(stray.Count == 0, $"{unit.Name}: sequence points on lines {string.Join(", ", stray)} of {path}, where no statement starts (statements: {string.Join(", ", statementLines.OrderBy(l => l))})");
                units++;
            }
            Assert.True(units > 0);
        }

        private static IEnumerable<IrStmt> Statements(IEnumerable<IrStmt> body)
        {
            foreach (var s in body)
            {
                yield return s;
                if (s is IrWhen w)
                    foreach (var inner in Statements(w.Then).Concat(Statements(w.Else))) yield return inner;
            }
        }

        /// <summary>The lines of the sequence points that a Debug build of <paramref name="code"/> puts in <paramref name="document"/>.</summary>
        private static List<int> SequencePointLines(string code, string name, string document)
        {
            var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: name + ".g.cs", encoding: System.Text.Encoding.UTF8);
            var compilation = CSharpCompilation.Create(name + "Mapped", new[] { tree }, EmittedLaw.References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Debug, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
            using var pe = new MemoryStream();
            using var pdb = new MemoryStream();
            var result = compilation.Emit(pe, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
            Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            pdb.Position = 0;
            using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
            var reader = provider.GetMetadataReader();
            var lines = new List<int>();
            foreach (var handle in reader.MethodDebugInformation)
                foreach (var point in reader.GetMethodDebugInformation(handle).GetSequencePoints())
                    if (!point.IsHidden && reader.GetString(reader.GetDocument(point.Document).Name) == document) lines.Add(point.StartLine);
            return lines;
        }
    }
}
