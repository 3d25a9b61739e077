using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace AE.Generators.Tests
{
    /// <summary>
    /// Snapshot files with Verify's layout: <c>_snapshots/{Class}.{Method}#{HintName}.verified.cs</c>
    /// (the hint name without its ".cs"). A mismatch writes <c>.received.cs</c> beside it and fails;
    /// <c>AE_ACCEPT_SNAPSHOTS=1</c> writes the verified file instead (review the diff before committing).
    /// </summary>
    internal static class Snapshot
    {
        public const string AcceptVariable = "AE_ACCEPT_SNAPSHOTS";

        private static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true";

        /// <summary>Checks every generated file of one test against its snapshot; fails once, naming all that differ.</summary>
        public static void Verify(string className, string method, IEnumerable<(string HintName, string Text)> sources)
        {
            var failures = sources.Select(s => Check(className, method, s.HintName, s.Text)).Where(f => f is not null).ToList();
            if (failures.Count > 0)
                Assert.Fail(string.Join("\n", failures) + $"\nIf the change is intended, rename the .received.cs files to .verified.cs or run the tests with {AcceptVariable}=1.");
        }

        public static string PathOf(string className, string method, string hintName)
        {
            string stem = hintName.EndsWith(".cs", StringComparison.Ordinal) ? hintName.Substring(0, hintName.Length - 3) : hintName;
            return Path.Combine(RepoPaths.Snapshots, $"{className}.{method}#{stem}.verified.cs");
        }

        /// <returns>null when the snapshot matches (or was accepted), else what is wrong.</returns>
        private static string? Check(string className, string method, string hintName, string actual)
        {
            string verified = PathOf(className, method, hintName);
            string received = verified.Substring(0, verified.Length - ".verified.cs".Length) + ".received.cs";
            actual = Normalize(actual);
            Directory.CreateDirectory(RepoPaths.Snapshots);

            if (Accepting)
            {
                File.WriteAllText(verified, actual);
                if (File.Exists(received)) File.Delete(received);
                return null;
            }

            if (!File.Exists(verified))
            {
                File.WriteAllText(received, actual);
                return $"No snapshot {Relative(verified)} yet: the output is in {Relative(received)}; review it.";
            }

            string expected = Normalize(File.ReadAllText(verified));
            if (expected == actual)
            {
                if (File.Exists(received)) File.Delete(received);
                return null;
            }

            File.WriteAllText(received, actual);
            return $"Generated code differs from {Relative(verified)} {FirstDifference(expected, actual)}" +
                   $"The new output is in {Relative(received)} (compare: diff -u the two files).";
        }

        // Git may check out text with CRLF on Windows despite .gitattributes; generated code uses LF.
        private static string Normalize(string text) => text.Replace("\r\n", "\n");

        private static string Relative(string path) => Path.GetRelativePath(RepoPaths.Root, path);

        private static string FirstDifference(string expected, string actual)
        {
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
            {
                string el = i < e.Length ? e[i] : "<end of file>";
                string al = i < a.Length ? a[i] : "<end of file>";
                if (el != al) return $"at line {i + 1}:\n  verified: {el}\n  received: {al}\n";
            }
            return "\n";
        }
    }
}
