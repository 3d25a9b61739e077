using System;
using System.IO;
using System.Linq;

namespace AE.Cli.Tests
{
    /// <summary>The repository root (the folder holding AE.Compiler.sln), its laws, and the golden cases beside it.</summary>
    internal static class Repo
    {
        public static string Root { get; } = FindRoot();

        public static string Laws => Path.Combine(Root, "laws");

        public static string SgdmLaw => Path.Combine(Laws, "ae_sgdm.ae");

        public static string Golden => Path.GetFullPath(Path.Combine(Root, "..", "shared", "golden"));

        public static string Case(string name) => Path.Combine(Golden, name + ".json");

        /// <summary>The controller cases (every json but cell_*.json), sorted.</summary>
        public static string[] ControllerCases() => Directory.GetFiles(Golden, "*.json")
            .Where(f => !Path.GetFileName(f).StartsWith("cell_", StringComparison.Ordinal))
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "AE.Compiler.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("AE.Compiler.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
