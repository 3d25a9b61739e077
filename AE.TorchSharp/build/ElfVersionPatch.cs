// Makes an ELF shared library's requirement of a symbol version optional, so that it loads on a host
// whose library lacks that version, when every symbol bound to the missing version is in a given
// list (symbols the library references but never calls). Compiled twice: into the MSBuild task below
// (build/AE.TorchSharp.targets, by RoslynCodeTaskFactory, on netstandard: no spans) and into the
// tests (AE_ELF_PATCH_NO_TASK). ELF64 little-endian only; anything else is left alone.
#if AE_ELF_PATCH_NO_TASK
#nullable disable
#endif
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace AE.TorchSharp.Build
{
    /// <summary>What <see cref="ElfVersionPatch.Apply"/> did to a file.</summary>
    public enum ElfPatchOutcome
    {
        /// <summary>Not an ELF64 little-endian shared library with symbol versions: left alone.</summary>
        NotApplicable,
        /// <summary>Every version the file requires of the host library is there (or already optional): left alone.</summary>
        NothingToDo,
        /// <summary>The missing versions were made optional and their symbols unversioned.</summary>
        Patched,
        /// <summary>A missing version binds a symbol outside the allowed list: left alone (it would not load).</summary>
        CannotFix,
    }

    /// <summary>The outcome and one line saying why.</summary>
    public sealed class ElfPatchResult
    {
        public ElfPatchResult(ElfPatchOutcome outcome, string message)
        {
            Outcome = outcome;
            Message = message;
        }

        public ElfPatchOutcome Outcome { get; }

        public string Message { get; }
    }

    /// <summary>The reading and the two-byte rewrites of .dynsym, .gnu.version and .gnu.version_r.</summary>
    public static class ElfVersionPatch
    {
        const uint ShtDynsym = 11;
        const uint ShtGnuVerdef = 0x6ffffffd;
        const uint ShtGnuVerneed = 0x6ffffffe;
        const uint ShtGnuVersym = 0x6fffffff;
        /// <summary>Vernaux.vna_flags: the version is optional (the loader only warns when it is missing).</summary>
        public const ushort VerFlagWeak = 2;
        /// <summary>A .gnu.version entry: the symbol is global, bound to no version.</summary>
        public const ushort VerNdxGlobal = 1;

        /// <summary>The first libstdc++.so.6 found in the usual library folders of this host, or null.</summary>
        public static string FindHostLibrary(string soname)
        {
            string[] dirs =
            {
                "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            };
            foreach (var dir in dirs)
            {
                var path = Path.Combine(dir, soname);
                if (File.Exists(path)) return path;
            }
            return null;
        }

        /// <summary>
        /// Rewrites <paramref name="path"/> (through a new file moved over it, so a hard link to another
        /// copy is never written through) when it requires of <paramref name="hostLibraryPath"/>'s
        /// soname a version that library does not define, and every symbol of that version is one of
        /// <paramref name="allowedSymbols"/>: those symbols' .gnu.version entries become 1 (global) and
        /// the version's .gnu.version_r entry gets VER_FLG_WEAK. Running it again does nothing.
        /// </summary>
        public static ElfPatchResult Apply(string path, string hostLibraryPath, ICollection<string> allowedSymbols)
        {
            var host = File.ReadAllBytes(hostLibraryPath);
            var hostVersions = DefinedVersions(host);
            if (hostVersions == null)
                return new ElfPatchResult(ElfPatchOutcome.NotApplicable, hostLibraryPath + " defines no symbol versions");
            var soname = Path.GetFileName(hostLibraryPath);

            var lib = File.ReadAllBytes(path);
            var sections = Sections(lib);
            if (sections == null) return new ElfPatchResult(ElfPatchOutcome.NotApplicable, "not an ELF64 little-endian file");
            var dynsym = Find(sections, ShtDynsym);
            var versym = Find(sections, ShtGnuVersym);
            var verneed = Find(sections, ShtGnuVerneed);
            if (dynsym == null || versym == null || verneed == null)
                return new ElfPatchResult(ElfPatchOutcome.NotApplicable, "no versioned dynamic symbols");

            // Versions required of the host library's soname, missing there and not already optional.
            var missing = new Dictionary<ushort, string>();
            var flagOffsets = new Dictionary<ushort, long>();
            var needStrings = sections[(int)verneed.Link];
            long vn = verneed.Offset;
            for (uint i = 0; i < verneed.Info; i++)
            {
                ushort cnt = U16(lib, vn + 2);
                string file = Str(lib, needStrings.Offset + U32(lib, vn + 4));
                long va = vn + U32(lib, vn + 8);
                for (int j = 0; j < cnt; j++)
                {
                    ushort flags = U16(lib, va + 4);
                    ushort index = U16(lib, va + 6);
                    string name = Str(lib, needStrings.Offset + U32(lib, va + 8));
                    if (file == soname && (flags & VerFlagWeak) == 0 && !hostVersions.Contains(name))
                    {
                        missing[index] = name;
                        flagOffsets[index] = va + 4;
                    }
                    va += U32(lib, va + 12);
                }
                vn += U32(lib, vn + 12);
            }
            if (missing.Count == 0)
                return new ElfPatchResult(ElfPatchOutcome.NothingToDo, "every version required of " + soname + " is defined by " + hostLibraryPath + " or optional");

            // The symbols bound to a missing version: all must be allowed.
            var symStrings = sections[(int)dynsym.Link];
            long count = dynsym.Size / 24;
            var toClear = new List<long>();
            var names = new List<string>();
            for (long s = 0; s < count; s++)
            {
                long vs = versym.Offset + 2 * s;
                ushort v = (ushort)(U16(lib, vs) & 0x7fff);
                if (!missing.ContainsKey(v)) continue;
                string name = Str(lib, symStrings.Offset + U32(lib, dynsym.Offset + 24 * s));
                if (!allowedSymbols.Contains(name))
                    return new ElfPatchResult(ElfPatchOutcome.CannotFix, "symbol " + name + " needs " + missing[v] + ", which " + hostLibraryPath + " lacks");
                toClear.Add(vs);
                names.Add(name);
            }

            foreach (var vs in toClear) Put16(lib, vs, VerNdxGlobal);
            foreach (var kv in flagOffsets) Put16(lib, kv.Value, (ushort)(U16(lib, kv.Value) | VerFlagWeak));
            // The original's time stamp, so that MSBuild's incremental copy (same size and time: unchanged)
            // keeps the patched file instead of copying the package's over it on every build.
            var stamp = File.GetLastWriteTimeUtc(path);
            var temp = path + ".ae-patch.tmp";
            File.WriteAllBytes(temp, lib);
            File.SetLastWriteTimeUtc(temp, stamp);
            File.Delete(path);
            File.Move(temp, path);
            return new ElfPatchResult(ElfPatchOutcome.Patched,
                "made " + string.Join(", ", missing.Values) + " optional (symbols: " + string.Join(", ", names) + ") since " + hostLibraryPath + " lacks it");
        }

        /// <summary>The version a symbol is bound to in .gnu.version (0 local, 1 global, else a .gnu.version_r or .gnu.version_d index), or -1 if absent.</summary>
        public static int SymbolVersionIndex(byte[] elf, string symbol)
        {
            var sections = Sections(elf);
            if (sections == null) return -1;
            var dynsym = Find(sections, ShtDynsym);
            var versym = Find(sections, ShtGnuVersym);
            if (dynsym == null || versym == null) return -1;
            var symStrings = sections[(int)dynsym.Link];
            for (long s = 0; s < dynsym.Size / 24; s++)
                if (Str(elf, symStrings.Offset + U32(elf, dynsym.Offset + 24 * s)) == symbol)
                    return U16(elf, versym.Offset + 2 * s) & 0x7fff;
            return -1;
        }

        /// <summary>The vna_flags of a required version by name (in .gnu.version_r), or -1 if absent.</summary>
        public static int RequiredVersionFlags(byte[] elf, string version)
        {
            var sections = Sections(elf);
            var verneed = sections == null ? null : Find(sections, ShtGnuVerneed);
            if (verneed == null) return -1;
            var strings = sections[(int)verneed.Link];
            long vn = verneed.Offset;
            for (uint i = 0; i < verneed.Info; i++)
            {
                long va = vn + U32(elf, vn + 8);
                for (int j = 0; j < U16(elf, vn + 2); j++)
                {
                    if (Str(elf, strings.Offset + U32(elf, va + 8)) == version) return U16(elf, va + 4);
                    va += U32(elf, va + 12);
                }
                vn += U32(elf, vn + 12);
            }
            return -1;
        }

        /// <summary>The version names a library defines (.gnu.version_d), or null if it has none.</summary>
        public static HashSet<string> DefinedVersions(byte[] elf)
        {
            var sections = Sections(elf);
            var verdef = sections == null ? null : Find(sections, ShtGnuVerdef);
            if (verdef == null) return null;
            var strings = sections[(int)verdef.Link];
            var result = new HashSet<string>(StringComparer.Ordinal);
            long vd = verdef.Offset;
            for (uint i = 0; i < verdef.Info; i++)
            {
                long vda = vd + U32(elf, vd + 12);
                result.Add(Str(elf, strings.Offset + U32(elf, vda)));
                vd += U32(elf, vd + 16);
            }
            return result;
        }

        sealed class Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
        }

        static Section[] Sections(byte[] b)
        {
            if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
                return null;
            long shoff = (long)U64(b, 0x28);
            int shentsize = U16(b, 0x3a), shnum = U16(b, 0x3c);
            if (shentsize != 64 || shoff <= 0 || shoff + (long)shnum * 64 > b.Length) return null;
            var result = new Section[shnum];
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + 64L * i;
                result[i] = new Section
                {
                    Type = U32(b, h + 4),
                    Offset = (long)U64(b, h + 24),
                    Size = (long)U64(b, h + 32),
                    Link = U32(b, h + 40),
                    Info = U32(b, h + 44),
                };
            }
            return result;
        }

        static Section Find(Section[] sections, uint type)
        {
            foreach (var s in sections) if (s.Type == type) return s;
            return null;
        }

        static ushort U16(byte[] b, long o) => (ushort)(b[o] | b[o + 1] << 8);

        static uint U32(byte[] b, long o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);

        static ulong U64(byte[] b, long o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;

        static void Put16(byte[] b, long o, ushort v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
        }

        static string Str(byte[] b, long o)
        {
            long end = o;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }
    }

#if !AE_ELF_PATCH_NO_TASK
    /// <summary>
    /// The build step: patches each file of <see cref="Files"/> against this host's
    /// <see cref="HostLibrary"/> (found in the usual folders), allowing <see cref="AllowedSymbols"/>.
    /// Not Linux, no such host library, or nothing missing: it only says so (low importance).
    /// </summary>
    public sealed class AePatchElfVersions : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; }

        [Microsoft.Build.Framework.Required]
        public string HostLibrary { get; set; }

        [Microsoft.Build.Framework.Required]
        public string AllowedSymbols { get; set; }

        public override bool Execute()
        {
            var host = ElfVersionPatch.FindHostLibrary(HostLibrary);
            if (host == null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "AE.TorchSharp: no " + HostLibrary + " found; native libraries left as they are");
                return true;
            }
            var allowed = new HashSet<string>(AllowedSymbols.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
            foreach (var item in Files)
            {
                var path = item.GetMetadata("FullPath");
                if (!File.Exists(path)) continue;
                try
                {
                    var r = ElfVersionPatch.Apply(path, host, allowed);
                    var importance = r.Outcome == ElfPatchOutcome.Patched
                        ? Microsoft.Build.Framework.MessageImportance.High
                        : Microsoft.Build.Framework.MessageImportance.Low;
                    if (r.Outcome == ElfPatchOutcome.CannotFix)
                        Log.LogWarning("AE.TorchSharp: " + path + ": " + r.Message);
                    else
                        Log.LogMessage(importance, "AE.TorchSharp: " + path + ": " + r.Message);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is IndexOutOfRangeException)
                {
                    Log.LogWarning("AE.TorchSharp: could not patch " + path + ": " + e.Message);
                }
            }
            return true;
        }
    }
#endif
}
