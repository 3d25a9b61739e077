using System;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace AE.Generators
{
    // Pipeline models: plain records of strings, ints and EquatableArray, so every step compares by
    // value and the generator's caches hold. No ISymbol, Compilation, SyntaxNode or Location here.

    /// <summary>One .ae additional file: its path and text (or why it could not be read, or why it is not text, as ae check says it).</summary>
    /// <param name="Missing">the compiler has no text for the item (a file that is not there): it is left out, and the compiler says why</param>
    internal sealed record AeFileInput(string Path, string Text, string? ReadError, string? NotText = null, bool Missing = false, int NotTextAt = 0)
    {
        public static AeFileInput Read(AdditionalText file, CancellationToken cancellationToken)
        {
            string path = file.Path ?? "";
            try
            {
                var text = file.GetText(cancellationToken);
                // No text: the item names a file that is not there (or cannot be opened), which the compiler itself reports
                // (CS2001); an AE0099 "internal error" beside it would send the user to report a bug that is theirs to fix.
                if (text is null) return new AeFileInput(path, "", null, Missing: true);
                // The compiler reads a file that is not UTF-8 as UTF-16 (by its BOM) or as Windows-1252. Its bytes, encoded back,
                // are read as ae check reads them: not text (AE0006), or UTF-8 with a stray byte as U+FFFD (AE0001 there).
                if (text.Encoding is { } e && e.WebName != "utf-8")
                {
                    var preamble = e.GetPreamble();
                    var body = e.GetBytes(text.ToString());
                    var bytes = new byte[preamble.Length + body.Length];
                    preamble.CopyTo(bytes, 0);
                    body.CopyTo(bytes, preamble.Length);
                    var read = AE.Dsl.Text.SourceFile.FromBytes(path, bytes);
                    return new AeFileInput(path, read.Text, null, read.NotText?.Detail, NotTextAt: read.NotText?.Offset ?? 0);
                }
                return new AeFileInput(path, text.ToString(), null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new AeFileInput(path, "", ex.GetType().Name + ": " + ex.Message);
            }
        }
    }

    /// <summary>The build properties the generator reads, and whether the compilation references ILGPU (then the ILGPU kernels are emitted too).</summary>
    /// <param name="GivenNamespace">the project's AeNamespace when it is not a C# namespace as written (then <paramref name="Namespace"/> is what it became)</param>
    /// <param name="PathMap">the build's path map (<c>/pathmap</c>, MSBuild's <c>PathMap</c>) as prefix, replacement, prefix, ...: applied to the .ae paths the generated code names</param>
    /// <param name="LanguageVersion">the compilation's C# version (<c>LanguageVersion</c> as a number: 1100 is C# 11); cells need 11</param>
    internal sealed record AeOptions(string Namespace, bool Ilgpu = false, string? GivenNamespace = null, EquatableArray<string> PathMap = default, int LanguageVersion = int.MaxValue)
    {
        /// <summary>A path with the first path-map prefix it starts with replaced, as the compiler maps its own source paths.</summary>
        public string MapPath(string path)
        {
            for (int i = 0; i + 1 < PathMap.Count; i += 2)
                if (PathMap[i].Length > 0 && path.StartsWith(PathMap[i], StringComparison.Ordinal))
                    return PathMap[i + 1] + path.Substring(PathMap[i].Length).Replace('\\', '/');
            return path;
        }
    }

    /// <summary>What the generator reads of the compilation: whether it references ILGPU, and its path map.</summary>
    internal sealed record AeCompilationFacts(bool Ilgpu, EquatableArray<string> PathMap, int LanguageVersion = int.MaxValue);

    /// <summary>What became of one law, cell or variant: its C# source, or why it has none.</summary>
    internal sealed record AeUnitOutput(string Name, string Kind, string HintName, string? Source, string? NotEmittedReason);

    /// <summary>A generated file, as handed to AddSource.</summary>
    internal sealed record AeGeneratedSource(string HintName, string Source);

    /// <summary>
    /// An AE diagnostic ready for Roslyn: severity 0 = warning, 1 = error; lines and columns
    /// 0-based (Roslyn's convention); span in characters of the file's text as Roslyn read it.
    /// An empty path means no location.
    /// </summary>
    internal sealed record AeDiagnosticInfo(
        string Id,
        int Severity,
        string Message,
        string Path,
        int SpanStart,
        int SpanEnd,
        int StartLine,
        int StartColumn,
        int EndLine,
        int EndColumn);

    /// <summary>The result of checking every .ae file of the compilation together.</summary>
    internal sealed record AeCheckModel(EquatableArray<AeUnitOutput> Units, EquatableArray<AeDiagnosticInfo> Diagnostics);
}
