using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Globalization;
using AE.Engine;
using AE.Experiments.Tasks;

namespace AE.Cli
{
    /// <summary>What <c>ae run</c>, <c>ae ablate</c> and <c>ae sweep</c> share: parsing their common options, tasks, settings.</summary>
    internal static class Experiment
    {
        /// <summary>A command that takes law files (run, ablate, sweep, swarm) was given none: a <see cref="CliException"/>.</summary>
        public static void RequireLawFile(CommandInput parsed, string command)
        {
            if (parsed.Positionals.Count == 0) throw CliException.BadUsage("no law file; name a .ae file such as laws/ae_sgdm.ae (or several, checked together)", command);
        }

        /// <summary>The database file unless <c>--db</c> names another, in the current directory.</summary>
        public const string DefaultDatabase = "ae-runs.db";

        /// <summary>Splits comma lists and repeated options into their items (empty items are an error).</summary>
        public static List<string> Items(IEnumerable<string> values, string option, string command)
        {
            var items = new List<string>();
            foreach (var value in values)
                foreach (var item in value.Split(','))
                {
                    string trimmed = item.Trim();
                    if (trimmed.Length == 0) throw CliException.BadUsage("empty item in '" + option + " " + value + "'", command);
                    items.Add(trimmed);
                }
            return items;
        }

        /// <summary>The <c>--set NAME=VALUE</c> items (comma lists and repeats).</summary>
        public static List<ParamSetting> ParseSettings(IEnumerable<string> values, string command)
        {
            var settings = new List<ParamSetting>();
            foreach (var (item, previous) in ItemsAfter(values, "--set", command))
            {
                int eq = item.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == item.Length - 1)
                    throw CliException.BadUsage("invalid --set '" + item + "'; expected NAME=VALUE, such as k_p=1.2" + DecimalCommaHint(previous, item), command);
                settings.Add(new ParamSetting(item.Substring(0, eq).Trim(), item.Substring(eq + 1).Trim()));
            }
            return settings;
        }

        /// <summary>
        /// <see cref="Items"/>, each with the item before it in the same argument (null for an argument's first): only a comma
        /// typed inside one argument can have split a number.
        /// </summary>
        public static List<(string Item, string? Previous)> ItemsAfter(IEnumerable<string> values, string option, string command)
        {
            var items = new List<(string, string?)>();
            foreach (var value in values)
            {
                string? previous = null;
                foreach (var item in Items(new[] { value }, option, command))
                {
                    items.Add((item, previous));
                    previous = item;
                }
            }
            return items;
        }

        /// <summary>
        /// Where an item of digits alone follows one that ends in a digit (<c>init_alpha=0,5</c>, <c>lr=1,000</c>), a
        /// decimal (or thousands) comma split one value: the refusal says so, since the item alone reads as nonsense.
        /// </summary>
        public static string DecimalCommaHint(string? previous, string item)
            => previous is { Length: > 0 } && char.IsAsciiDigit(previous[^1]) && item.Length > 0 && item.All(char.IsAsciiDigit)
                ? " (a comma separates settings, so '" + previous + "," + item + "' reads as two: numbers are written with a decimal point and no thousands separator, such as 0.5 or 1000)"
                : "";

        /// <summary>The task of <c>--task NAME</c> or <c>--case FILE</c> (exactly one of them).</summary>
        public static TaskSource ResolveTask(string? task, string? casePath, CliContext context, string command)
        {
            if (task is not null && casePath is not null) throw CliException.BadUsage("give --task or --case, not both", command);
            if (task is null && casePath is null)
                throw CliException.BadUsage("no task; give --task NAME (" + string.Join(", ", TaskCatalog.Names) + ") or --case FILE (a golden case .json)", command);
            if (task is not null) return TaskSource.FromCatalog(task);
            return TaskSource.FromCase(Path.GetFullPath(casePath!, context.CurrentDirectory));
        }

        /// <summary>
        /// Opens the run store at <paramref name="dbPath"/>, saying once on stderr (above a progress bar, if one is drawn) when it
        /// waits for another process that holds the database.
        /// </summary>
        public static RunStore OpenStore(string dbPath, CliContext context)
        {
            if (context is null) throw new ArgumentNullException(nameof(context));
            return RunStore.Open(dbPath, () => ProgressBar.WriteLine(context.Stderr, "ae: waiting for " + Display(dbPath, context.CurrentDirectory)
                + ": another process is using it (each wait lasts up to " + (RunStore.LockTimeoutSeconds / 60).ToString(CultureInfo.InvariantCulture) + " minutes)"));
        }

        /// <summary>
        /// The database path of <c>--db</c> (default <see cref="DefaultDatabase"/>), absolute; a folder, or a file in a folder
        /// that does not exist, is refused here, as every command reads its options, before any work.
        /// </summary>
        public static string DatabasePath(CommandInput parsed, CliContext context)
        {
            string path = Path.GetFullPath(parsed.Value("--db") ?? DefaultDatabase, context.CurrentDirectory);
            RunStore.CheckPath(path);
            return path;
        }

        /// <summary>How a path is shown: relative to the current directory when below it.</summary>
        public static string Display(string fullPath, string currentDirectory)
        {
            string relative = Path.GetRelativePath(currentDirectory, fullPath);
            return Path.IsPathRooted(relative) || relative.StartsWith("..", StringComparison.Ordinal) ? fullPath : relative.Replace(Path.DirectorySeparatorChar, '/');
        }
    }
}
