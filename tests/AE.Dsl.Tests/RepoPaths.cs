using System;
using System.IO;

namespace AE.Dsl.Tests
{
    /// <summary>Locates the repository root (the folder holding AE.Compiler.sln) and the shared reference data beside it.</summary>
    internal static class RepoPaths
    {
        public static string Root { get; } = FindRoot();

        public static string Laws => Path.Combine(Root, "laws");
        public static string Cells => Path.Combine(Root, "cells");

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "AE.Compiler.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("AE.Compiler.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
