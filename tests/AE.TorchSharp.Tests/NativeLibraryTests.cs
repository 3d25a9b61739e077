using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using AE.TorchSharp.Build;
using Xunit;
using static TorchSharp.torch;

namespace AE.TorchSharp.Tests
{
    /// <summary>
    /// TorchSharp's native library loads from this build's output (patched by build/AE.TorchSharp.targets
    /// where the host's libstdc++ is too old), and the patcher does exactly its two rewrites.
    /// </summary>
    public class NativeLibraryTests
    {
        const string Symbol = "_ZSt21ios_base_library_initv";
        const string Version = "GLIBCXX_3.4.32";

        static string PackageCopy =>
            typeof(NativeLibraryTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "TorchSharpNativeInPackage").Value!;

        static string OutputCopy => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

        static string HostLibstdcxx => ElfVersionPatch.FindHostLibrary("libstdc++.so.6")
            ?? throw new InvalidOperationException("no libstdc++.so.6 on this host");

        static bool HostHasVersion => ElfVersionPatch.DefinedVersions(File.ReadAllBytes(HostLibstdcxx))!.Contains(Version);

        [Fact]
        public void Libtorch_loads_and_autograd_gives_exact_gradients()
        {
            using var sum = ones(2).sum();
            Assert.Equal(2f, sum.item<float>());

            // d/dx sum(3 x^2 + x) = 6 x + 1, exact in float64 for these x.
            using var x = tensor(new[] { 0.5, -2.0, 3.25 }, requires_grad: true);
            using var f = (3 * x * x + x).sum();
            f.backward();
            using var g = x.grad!;
            Assert.Equal(new[] { 4.0, -11.0, 20.5 }, g.data<double>().ToArray());
        }

        [Fact]
        public void The_output_copy_is_patched_exactly_when_the_host_lacks_the_version()
        {
            var output = File.ReadAllBytes(OutputCopy);
            int flags = ElfVersionPatch.RequiredVersionFlags(output, Version);
            int index = ElfVersionPatch.SymbolVersionIndex(output, Symbol);
            if (HostHasVersion)
            {
                Assert.Equal(0, flags & ElfVersionPatch.VerFlagWeak);
                Assert.NotEqual(ElfVersionPatch.VerNdxGlobal, index);
            }
            else
            {
                Assert.Equal(ElfVersionPatch.VerFlagWeak, flags & ElfVersionPatch.VerFlagWeak);
                Assert.Equal(ElfVersionPatch.VerNdxGlobal, index);
            }
        }

        [Fact]
        public void Patching_a_copy_of_the_package_library_changes_two_fields_and_leaves_the_package_alone()
        {
            var original = File.ReadAllBytes(PackageCopy);
            // The package's library requires the version, not optionally, for that symbol.
            Assert.Equal(0, ElfVersionPatch.RequiredVersionFlags(original, Version) & ElfVersionPatch.VerFlagWeak);
            int versionIndex = ElfVersionPatch.SymbolVersionIndex(original, Symbol);
            Assert.True(versionIndex > 1, $"{Symbol} is bound to version index {versionIndex}");

            var dir = Directory.CreateTempSubdirectory("ae-elf-");
            try
            {
                var copy = Path.Combine(dir.FullName, "libLibTorchSharp.so");
                File.Copy(PackageCopy, copy);
                var allowed = new HashSet<string> { Symbol };
                var result = ElfVersionPatch.Apply(copy, HostLibstdcxx, allowed);
                if (HostHasVersion)
                {
                    Assert.Equal(ElfPatchOutcome.NothingToDo, result.Outcome);
                    Assert.Equal(original, File.ReadAllBytes(copy));
                    return;
                }
                Assert.Equal(ElfPatchOutcome.Patched, result.Outcome);
                var patched = File.ReadAllBytes(copy);
                Assert.Equal(ElfVersionPatch.VerNdxGlobal, ElfVersionPatch.SymbolVersionIndex(patched, Symbol));
                Assert.Equal(ElfVersionPatch.VerFlagWeak, ElfVersionPatch.RequiredVersionFlags(patched, Version) & ElfVersionPatch.VerFlagWeak);
                // Exactly two 16-bit fields differ (the symbol's .gnu.version entry and the entry's vna_flags).
                Assert.Equal(original.Length, patched.Length);
                var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
                Assert.InRange(differing.Length, 2, 4);
                Assert.True(differing.Max() - differing.Min() > 2, "the two rewrites are in two places");
                // Again: nothing left to do; the package's copy is untouched.
                Assert.Equal(ElfPatchOutcome.NothingToDo, ElfVersionPatch.Apply(copy, HostLibstdcxx, allowed).Outcome);
                Assert.Equal(original, File.ReadAllBytes(PackageCopy));

                // Without the symbol in the allowed list it cannot be fixed, and the file stays as it was.
                File.Copy(PackageCopy, copy, overwrite: true);
                var refused = ElfVersionPatch.Apply(copy, HostLibstdcxx, new HashSet<string>());
                Assert.Equal(ElfPatchOutcome.CannotFix, refused.Outcome);
                Assert.Contains(Symbol, refused.Message);
                Assert.Equal(original, File.ReadAllBytes(copy));
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        [Fact]
        public void A_file_that_is_not_elf_is_left_alone()
        {
            var path = Path.GetTempFileName();
            try
            {
                File.WriteAllText(path, "not a shared library");
                var r = ElfVersionPatch.Apply(path, HostLibstdcxx, new HashSet<string> { Symbol });
                Assert.Equal(ElfPatchOutcome.NotApplicable, r.Outcome);
                Assert.Equal("not a shared library", File.ReadAllText(path));
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
