using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace AE.Generators.Tests
{
    /// <summary>
    /// The props in a real incremental build: a project that imports AE.Compiler.props and loads the generator as an
    /// analyzer, built with dotnet build, then built again after an .ae file is deleted. MSBuild recompiles only when an
    /// input is newer than the assembly or the hash of the compile inputs changes, and a deleted file is newer than
    /// nothing: without the .ae paths in that hash, the deleted variant's type stayed in the assembly.
    /// </summary>
    public sealed class MsBuildIncrementalTests
    {
        private const string Base = "law Base {\n  dim n;\n  param lr = 0.1;\n  input loss: real;\n  input grad: real[n];\n  state theta: real[n];\n"
            + "  signal s: real = 0;\n  rule S { s = loss * 2; }\n  update { theta' = theta - lr * grad; }\n}\n";

        [Fact]
        public void Deleting_an_ae_file_removes_its_types_in_an_incremental_build()
        {
            string dir = Path.Combine(Path.GetTempPath(), "ae-msbuild-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path.Combine(dir, "laws"));
            try
            {
                string generator = typeof(AeGenerator).Assembly.Location;
                string runtime = typeof(AE.Runtime.AeMath).Assembly.Location;
                string props = Path.Combine(RepoPaths.Root, "AE.Generators", "build", "AE.Compiler.props");
                File.WriteAllText(Path.Combine(dir, "probe.csproj"), $"""
                    <Project Sdk="Microsoft.NET.Sdk">
                      <PropertyGroup>
                        <TargetFramework>net10.0</TargetFramework>
                        <AeNamespace>Probe.Laws</AeNamespace>
                        <Nullable>enable</Nullable>
                      </PropertyGroup>
                      <Import Project="{props}" />
                      <ItemGroup>
                        <Analyzer Include="{generator}" />
                        <Reference Include="{runtime}" />
                      </ItemGroup>
                    </Project>
                    """);
                File.WriteAllText(Path.Combine(dir, "laws", "base.ae"), Base);
                File.WriteAllText(Path.Combine(dir, "laws", "variant.ae"), "law BaseNoS = Base without S;\n");

                Build(dir);
                Assert.Contains("BaseNoS", LawTypes(dir));
                File.Delete(Path.Combine(dir, "laws", "variant.ae"));
                Build(dir);
                var after = LawTypes(dir);
                Assert.Contains("Base", after);
                Assert.DoesNotContain("BaseNoS", after);
            }
            finally
            {
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        private static void Build(string dir)
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "build", "-c", "Release", "-nologo", "-v", "q", "-p:TreatWarningsAsErrors=true" }) start.ArgumentList.Add(a);
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(300_000), "dotnet build did not finish in 5 minutes");
            Assert.True(process.ExitCode == 0, "dotnet build failed:\n" + stdout.Result + stderr.Result);
        }

        /// <summary>The public types of the namespace Probe.Laws in the built assembly, read from its metadata (not loaded).</summary>
        private static List<string> LawTypes(string dir)
        {
            using var stream = File.OpenRead(Path.Combine(dir, "bin", "Release", "net10.0", "probe.dll"));
            using var pe = new PEReader(stream);
            var md = pe.GetMetadataReader();
            return md.TypeDefinitions.Select(md.GetTypeDefinition)
                .Where(t => md.GetString(t.Namespace) == "Probe.Laws" && t.GetDeclaringType().IsNil)
                .Select(t => md.GetString(t.Name)).ToList();
        }
    }
}
