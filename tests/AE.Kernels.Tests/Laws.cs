using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl;
using AE.Dsl.IR;
using AE.Dsl.Text;

namespace AE.Kernels.Tests
{
    /// <summary>The repository's laws, checked once per test run.</summary>
    internal static class Laws
    {
        public static string Root { get; } = FindRoot();

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "AE.Compiler.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("AE.Compiler.sln not found above " + AppContext.BaseDirectory);
        }

        public static string Golden => Path.GetFullPath(Path.Combine(Root, "..", "shared", "golden"));

        private static readonly Dictionary<string, (IrUnit Unit, SourceFile File)> Cache = new();

        /// <summary>The first unit of laws/<paramref name="file"/>.</summary>
        public static IrUnit Unit(string file) => Load(file).Unit;

        public static (IrUnit Unit, SourceFile File) Load(string file)
        {
            lock (Cache)
            {
                if (Cache.TryGetValue(file, out var cached)) return cached;
                var path = Path.Combine(Root, "laws", file);
                var source = new SourceFile("laws/" + file, File.ReadAllText(path));
                var result = AeCompiler.Check(source);
                if (result.HasErrors || result.Program is null)
                    throw new InvalidOperationException(file + " does not check: " + string.Join("\n", result.Diagnostics.Select(d => d.ToMsBuildString())));
                var loaded = (result.Program.Units[0], source);
                Cache[file] = loaded;
                return loaded;
            }
        }

        /// <summary>A law whose checks read its run-time dim n: refused at n = 4 to 8 for a different check each, runs at 9.</summary>
        public const string SizedLaw = @"law Sized {
  dim n;
  dim w = n - 2;
  param k = 1;
  input loss: real;
  input grad: real[n];
  state theta: real[n];
  coeff a in [0, n - 5] = 0.5;
  require wide: w > 5;
  require product: k * n > 8;
  fixed rule M { theta' = theta - a * grad * ema(6 / n, loss); }
}";

        /// <summary>A unit from source text (tests of single constructs).</summary>
        public static IrUnit FromText(string text)
        {
            var result = AeCompiler.Check(new SourceFile("test.ae", text));
            if (result.HasErrors || result.Program is null)
                throw new InvalidOperationException("does not check: " + string.Join("\n", result.Diagnostics.Select(d => d.ToMsBuildString())));
            return result.Program.Units[0];
        }
    }
}
