using System.IO;
using System.Linq;
using AE.Dsl.Text;
using Xunit;

namespace AE.Dsl.Tests
{
    public class ShippedFilesTests
    {
        public static TheoryData<string> ShippedFiles()
        {
            var data = new TheoryData<string>();
            foreach (var dir in new[] { RepoPaths.Laws, RepoPaths.Cells })
                if (Directory.Exists(dir))
                    foreach (var f in Directory.GetFiles(dir, "*.ae").OrderBy(f => f, System.StringComparer.Ordinal))
                        data.Add(Path.GetRelativePath(RepoPaths.Root, f));
            return data;
        }

        [Theory]
        [MemberData(nameof(ShippedFiles))]
        public void Shipped_file_checks_clean(string relativePath)
        {
            var path = Path.Combine(RepoPaths.Root, relativePath);
            var result = AeCompiler.Check(SourceFile.FromBytes(relativePath, File.ReadAllBytes(path)));
            Assert.True(result.Diagnostics.Count == 0, TestSupport.Format(result.Diagnostics));
            Assert.NotNull(result.Program);
            Assert.NotEmpty(result.Program!.Units);
        }
    }
}
