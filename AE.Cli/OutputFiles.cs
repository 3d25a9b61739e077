using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using AE.Engine;
using AE.Experiments.Training;

namespace AE.Cli
{
    /// <summary>
    /// The files the commands write under <c>--out</c>: the folder made when missing, each file written whole or not at
    /// all, and a failure as one <see cref="CliException"/> naming the folder or the file.
    /// </summary>
    internal static class OutputFiles
    {
        /// <summary>Creates <paramref name="dir"/> (and the folders above it) when missing.</summary>
        public static void CreateFolder(string dir)
        {
            try
            {
                Directory.CreateDirectory(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException("cannot create the folder '" + dir + "': " + ex.Message, ex);
            }
        }

        /// <summary>The file a run holds locked in its <c>--out</c> folder while it writes there.</summary>
        public const string LockFile = ".ae-lock";

        /// <summary>
        /// Holds <paramref name="dir"/> for this process until disposed: two runs writing one folder at once would each replace
        /// the other's files and checkpoint, with no error. The lock is the operating system's on <see cref="LockFile"/> (it
        /// goes with the process, so a killed run leaves the file but not the lock); the file is removed when released.
        /// </summary>
        public static IDisposable LockFolder(string dir, CliContext context)
        {
            if (context is null) throw new ArgumentNullException(nameof(context));
            string path = Path.Combine(dir, LockFile);
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new FolderLock(stream, path);
            }
            catch (IOException)
            {
                throw new CliException("another ae process is writing to " + Experiment.Display(dir, context.CurrentDirectory)
                    + " (it holds " + LockFile + "); wait for it, or give another --out");
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new CliException("cannot write to the folder '" + dir + "': " + ex.Message, ex);
            }
        }

        /// <summary>
        /// Takes <paramref name="outDir"/> (made when missing, and held: <see cref="LockFolder"/>), then opens the run store and
        /// runs <paramref name="check"/> on it. The folder comes first, so that a refusal for it leaves no database, and no
        /// database is ever removed (another process may have made the same new one meanwhile); a failure after it releases the
        /// folder and takes it away again when this call made it and it is still empty.
        /// </summary>
        /// <param name="folderLock">the folder held until disposed; null without <paramref name="outDir"/></param>
        /// <param name="ownName">the names of the files the command writes there: the temporaries of those that a killed writer
        /// left are removed once the folder is held (<see cref="AtomicFile.RemoveOrphansIn"/>)</param>
        public static RunStore OpenStoreAfterFolder(string dbPath, string? outDir, CliContext context, out IDisposable? folderLock, Func<string, bool> ownName,
            Action<RunStore>? check = null)
        {
            bool made = outDir is not null && !Directory.Exists(outDir);
            folderLock = null;
            RunStore? store = null;
            try
            {
                if (outDir is not null)
                {
                    CreateFolder(outDir);
                    folderLock = LockFolder(outDir, context);
                    AtomicFile.RemoveOrphansIn(outDir, ownName);
                }
                store = Experiment.OpenStore(dbPath, context);
                check?.Invoke(store);
                return store;
            }
            catch
            {
                store?.Dispose();
                folderLock?.Dispose();
                folderLock = null;
                if (made) RemoveIfEmpty(outDir!);
                throw;
            }
        }

        /// <summary>Removes <paramref name="dir"/> when it is empty; one that holds anything is left as it is.</summary>
        private static void RemoveIfEmpty(string dir)
        {
            try { Directory.Delete(dir, recursive: false); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        }

        private sealed class FolderLock : IDisposable
        {
            private readonly FileStream _stream;
            private readonly string _path;

            public FolderLock(FileStream stream, string path) { _stream = stream; _path = path; }

            public void Dispose()
            {
                try { File.Delete(_path); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
                _stream.Dispose();
            }
        }

        /// <summary>
        /// Refuses a run whose checkpoint would overwrite <paramref name="path"/> when that is not the file it resumes from:
        /// another run's checkpoint, which could still be resumed (<paramref name="owner"/> says whose), a file that is not a
        /// checkpoint this build reads, or this same run's own, whose progress a fresh start (stopped or shorter) would lose.
        /// </summary>
        /// <param name="identityOf">the identity the checkpoint at a path holds, or null when it is not an intact one</param>
        public static void KeepOtherCheckpoint<TIdentity>(string path, string? resume, TIdentity identity, Func<string, TIdentity?> identityOf, Func<TIdentity, string> owner, CliContext context)
            where TIdentity : class
        {
            if (identityOf is null) throw new ArgumentNullException(nameof(identityOf));
            if (owner is null) throw new ArgumentNullException(nameof(owner));
            if (context is null) throw new ArgumentNullException(nameof(context));
            if (!File.Exists(path) || SamePath(path, resume)) return;
            var other = identityOf(path);
            string shown = Experiment.Display(path, context.CurrentDirectory);
            if (Equals(other, identity))
                throw new CliException(resume is null
                    ? shown + " holds this run's progress, which a fresh start would overwrite: continue it with --resume " + shown + ", or give another --out to start over"
                    : shown + " holds this run's progress too, which resuming from " + Experiment.Display(resume, context.CurrentDirectory)
                      + " would overwrite: resume from " + shown + " instead, or move it");
            throw new CliException(other is null
                ? shown + " exists and is not a checkpoint of this run (damaged, or of another format version), and this run would overwrite it: move it, or give another --out"
                : shown + " is the checkpoint of another run (" + owner(other) + "), which this run would overwrite: resume that run with --resume " + shown + ", or give another --out");
        }

        /// <summary>
        /// Removes the checkpoint at <paramref name="path"/> when it is this run's: the run is complete and stored, and resuming
        /// the checkpoint would only run it and store it again. A file that is not this run's is left alone.
        /// </summary>
        public static void DeleteOwnCheckpoint<TIdentity>(string path, TIdentity identity, Func<string, TIdentity?> identityOf)
            where TIdentity : class
        {
            if (identityOf is null) throw new ArgumentNullException(nameof(identityOf));
            if (!File.Exists(path) || !Equals(identityOf(path), identity)) return;
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The run is stored; a checkpoint left behind costs a refusal later, which names it.
            }
        }

        /// <summary>
        /// Refuses a run store at a path the command writes or removes in its <c>--out</c> folder (its CSV replaced the database,
        /// or the lock file's removal took it away, with every run it held), before anything is opened.
        /// </summary>
        /// <param name="written">whether the command writes (or removes) a file of this name in <paramref name="outDir"/>; the lock file is always one</param>
        public static void KeepDatabaseOutOf(string dbPath, string outDir, Func<string, bool> written, CliContext context)
        {
            if (written is null) throw new ArgumentNullException(nameof(written));
            if (context is null) throw new ArgumentNullException(nameof(context));
            string name = Path.GetFileName(dbPath);
            // A killed writer's leftover of one of the command's files (NAME.tmp-PID) is removed when the command meets it.
            if (!SamePath(Path.Combine(outDir, name), dbPath)
                || !(Names.Equals(name, LockFile) || written(name) || AtomicFile.TemporaryOf(name) is (string file, _) && written(file))) return;
            throw new CliException("--db " + Experiment.Display(dbPath, context.CurrentDirectory) + " is a file this command writes in its --out folder, which would destroy the database: give the database another name");
        }

        /// <summary>Whether the file system compares names without case: on Windows and macOS (their default file systems).</summary>
        public static readonly bool IgnoresCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

        /// <summary>How the file system compares names (<see cref="IgnoresCase"/>).</summary>
        public static readonly StringComparer Names = IgnoresCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

        /// <summary>Whether two full paths name one file (as the file system compares names).</summary>
        public static bool SamePath(string a, string? b) => b is not null && Names.Equals(Path.GetFullPath(a), Path.GetFullPath(b));

        /// <summary>
        /// The first of <paramref name="names"/> that exists in <paramref name="dir"/>, as the command line shows it, or null:
        /// files a run would write that another run wrote (run ids restart in every database), or a folder in the way of one.
        /// </summary>
        public static string? FirstExisting(string dir, IEnumerable<string> names, CliContext context) => AllExisting(dir, names, context).FirstOrDefault();

        /// <summary>Every one of <paramref name="names"/> that exists in <paramref name="dir"/>, as the command line shows them.</summary>
        public static IReadOnlyList<string> AllExisting(string dir, IEnumerable<string> names, CliContext context)
        {
            if (context is null) throw new ArgumentNullException(nameof(context));
            var found = new List<string>();
            foreach (var name in names)
            {
                string path = Path.Combine(dir, name);
                if (File.Exists(path) || Directory.Exists(path)) found.Add(Experiment.Display(path, context.CurrentDirectory));
            }
            return found;
        }

        /// <summary>
        /// Refuses a run that would replace <paramref name="names"/> in <paramref name="dir"/>, naming them all (one at a time,
        /// the user moved one and was refused for the next): <paramref name="why"/> says whose they could be.
        /// </summary>
        public static void KeepFiles(string dir, IEnumerable<string> names, string why, CliContext context)
        {
            var taken = AllExisting(dir, names, context);
            if (taken.Count == 0) return;
            string list = taken.Count <= 4 ? string.Join(", ", taken) : string.Join(", ", taken.Take(3)) + " and " + (taken.Count - 3).ToString(CultureInfo.InvariantCulture) + " more";
            throw new CliException(list + (taken.Count == 1 ? " exists" : " exist") + " and this run would overwrite " + (taken.Count == 1 ? "it" : "them") + why
                + ": give another --out, or move " + (taken.Count == 1 ? "the file" : "them"));
        }

        /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> whole or not at all.</summary>
        public static void WriteBytes(string path, byte[] bytes)
        {
            try
            {
                AtomicFile.Write(path, stream => stream.Write(bytes));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException("cannot write '" + path + "': " + ex.Message, ex);
            }
        }

        /// <summary>Writes the text <paramref name="write"/> produces (UTF-8) as <c>DIR/NAME</c>, making DIR; returns the path as the command line shows it.</summary>
        public static string Text(string dir, string name, Action<TextWriter> write, CliContext context)
        {
            if (write is null) throw new ArgumentNullException(nameof(write));
            if (context is null) throw new ArgumentNullException(nameof(context));
            using var content = new StringWriter(CultureInfo.InvariantCulture);
            write(content);
            CreateFolder(dir);
            string path = Path.Combine(dir, name);
            WriteBytes(path, new UTF8Encoding(false).GetBytes(content.ToString()));
            return Experiment.Display(path, context.CurrentDirectory);
        }
    }
}
