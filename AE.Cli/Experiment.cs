using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using AE.Dsl.Emit;
using AE.Experiments.Compilation;
using AE.Experiments.Replay;
using AE.Experiments.Tasks;
using AE.Runtime;

namespace AE.Cli
{
    /// <summary>One <c>--set NAME=VALUE</c>, as written.</summary>
    internal sealed record ParamSetting(string Name, string Text);

    /// <summary>
    /// A law of .ae files, compiled (AE.Experiments' <see cref="CompiledLaw"/>) for <c>ae run</c>, <c>ae ablate</c>,
    /// <c>ae sweep</c> and <c>ae bench</c>, with its <c>--set</c> values applied: fresh instances for any dimension and seed.
    /// </summary>
    internal sealed class ExperimentLaw
    {
        private readonly object _options;

        private ExperimentLaw(CompiledLaw compiled, string sha256, IReadOnlyList<ParamSetting> settings, object options, IReadOnlyList<string> rules)
        {
            Compiled = compiled;
            Sha256 = sha256;
            Settings = settings;
            _options = options;
            RuleIds = rules;
        }

        public CompiledLaw Compiled { get; }

        /// <summary>The law's (or variant's) name.</summary>
        public string Name => Compiled.Name;

        /// <summary>The .ae files as the user named them.</summary>
        public string FilePath => Compiled.LawFileDisplayPath;

        /// <summary>SHA-256 of the .ae files' bytes (<see cref="LawSet.Sha256"/>), lower-case hex.</summary>
        public string Sha256 { get; }

        /// <summary>The <c>--set</c> values, in the order given.</summary>
        public IReadOnlyList<ParamSetting> Settings { get; }

        /// <summary>The <c>--set</c> values as the law's Options hold them after parsing and validation (a bool as 0 or 1).</summary>
        public IReadOnlyDictionary<string, double> SettingValues()
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var s in Settings)
            {
                var value = _options.GetType().GetProperty(s.Name)?.GetValue(_options);
                values[s.Name] = value switch { bool b => b ? 1 : 0, long l => l, double d => d, _ => double.NaN };
            }
            return values;
        }

        /// <summary>The rules that can be switched off at run time, in the law's order.</summary>
        public IReadOnlyList<string> RuleIds { get; }

        /// <summary>A fresh instance for <paramref name="dimension"/> parameters, the settings applied, every rule on but <paramref name="ablated"/>.</summary>
        public IOptimizerLaw Create(int dimension, ulong seed, IEnumerable<string>? ablated = null, object? options = null)
        {
            try
            {
                return Compiled.Create(dimension, options ?? _options, seed, ablated);
            }
            catch (ReplayException ex)
            {
                throw new CliException(ex.Message, ex);
            }
        }

        /// <summary>Why the law rejects <paramref name="options"/> (a value outside a range its file declares), or null when it accepts them.</summary>
        public string? Refuses(object options) => Compiled.Refuses(options);

        /// <summary>The settings with one more param set to <paramref name="value"/> (the sweep's initial learning rate).</summary>
        public object OptionsWith(string param, double value) => OptionsWith((param, value));

        /// <summary>The settings with more real params set (the coupling grid's initial rate and momentum).</summary>
        public object OptionsWith(params (string Param, double Value)[] values)
        {
            var options = Experiment.BuildOptions(Compiled.Type, Settings, Name);
            foreach (var (param, value) in values)
            {
                var property = LawSettings.OptionsType(Compiled.Type).GetProperty(param, BindingFlags.Public | BindingFlags.Instance)
                    ?? throw new CliException("the law " + Name + " has no param '" + param + "'");
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (type != typeof(double)) throw new CliException("the param " + param + " of " + Name + " is not a real");
                property.SetValue(options, value);
            }
            return options;
        }

        /// <summary>The settings as a JSON object (values as written, numbers as numbers).</summary>
        public string SettingsJson(params (string Name, double Value)[] extra) => Experiment.SettingsJson(Settings, extra);

        /// <summary>
        /// Loads, checks and compiles the law; checks <paramref name="settings"/> against its params and
        /// <paramref name="ablate"/> against its switchable rules before compiling, then builds one instance
        /// (dimension <paramref name="validationDimension"/>) so that a value out of range is reported now.
        /// </summary>
        public static ExperimentLaw Load(IReadOnlyList<string> paths, string? name, IReadOnlyList<ParamSetting> settings, IReadOnlyList<string> ablate,
            CliContext context, string command, int validationDimension)
        {
            var file = LawInput.Call(() => LawSet.Load(paths, context.CurrentDirectory));
            EmitTarget target = LawInput.Call(() => file.SelectOptimizer(name, "'ae " + command + "' needs a law that checks cleanly"), context.Stderr);

            // Names first, against the checked program: no compilation is spent on a typo.
            var paramNames = target.Unit.Params.Select(p => p.Name).ToList();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in settings)
            {
                if (!paramNames.Contains(s.Name, StringComparer.Ordinal))
                    throw new CliException("unknown param '" + s.Name + "' in --set; the params of " + target.Name + ": " + string.Join(", ", paramNames));
                if (!seen.Add(s.Name)) throw new CliException("--set sets the param " + s.Name + " twice");
            }
            var removed = new HashSet<string>(target.Ablate, StringComparer.Ordinal);
            CheckRules(ablate, CompiledLaw.SwitchableRules(target), target, removed);

            CompiledLaw compiled;
            try
            {
                compiled = LawInput.Call(() => file.Compile(target, ReplayCommand.Namespace));
            }
            catch (LawCompileException ex)
            {
                // A backend bug, not bad input: the caller reports it as an internal error.
                throw new InvalidOperationException(ex.Message, ex);
            }

            var options = Experiment.BuildOptions(compiled.Type, settings, target.Name);
            IOptimizerLaw probe;
            try
            {
                probe = compiled.Create(validationDimension, options, 0);
            }
            catch (ReplayException ex)
            {
                throw new CliException(ex.Message, ex);
            }
            var rules = probe.RuleIds.ToList();
            string sha = LawInput.Call(file.Sha256);
            return new ExperimentLaw(compiled, sha, settings, options, rules);
        }

        private static void CheckRules(IReadOnlyList<string> ablate, IReadOnlyList<string> switchable, EmitTarget target, HashSet<string> removed)
        {
            string valid = switchable.Count == 0 ? "none" : string.Join(", ", switchable);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in ablate)
            {
                if (switchable.Contains(id, StringComparer.Ordinal))
                {
                    if (!seen.Add(id)) throw new CliException("--ablate names the rule " + id + " twice");
                    continue;
                }
                var rule = target.Unit.Rules.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.Ordinal));
                if (removed.Contains(id))
                    throw new CliException("the rule " + id + " is already removed from " + target.Name + " at compile time; switchable rules of " + target.Name + ": " + valid);
                if (rule is not null && rule.IsUpdate)
                    throw new CliException("'" + id + "' is the update of " + target.Name + " and cannot be switched off; switchable rules: " + valid);
                if (rule is not null)
                    throw new CliException("'" + id + "' is a fixed rule of " + target.Name + " and cannot be switched off; switchable rules: " + valid);
                throw new CliException("unknown rule '" + id + "' in --ablate; switchable rules of " + target.Name + ": " + valid);
            }
        }
    }

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
            foreach (var item in Items(values, "--set", command))
            {
                int eq = item.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == item.Length - 1)
                    throw CliException.BadUsage("invalid --set '" + item + "'; expected NAME=VALUE, such as k_p=1.2", command);
                settings.Add(new ParamSetting(item.Substring(0, eq).Trim(), item.Substring(eq + 1).Trim()));
            }
            return settings;
        }

        /// <summary>An <c>Options</c> instance of the law with the settings converted to each param's type.</summary>
        public static object BuildOptions(Type lawType, IReadOnlyList<ParamSetting> settings, string law)
        {
            var optionsType = LawSettings.OptionsType(lawType);
            var options = Activator.CreateInstance(optionsType)!;
            foreach (var s in settings)
            {
                var property = optionsType.GetProperty(s.Name, BindingFlags.Public | BindingFlags.Instance);
                if (property is null || !property.CanWrite)
                    throw new CliException("unknown param '" + s.Name + "' in --set; the params of " + law + ": " + string.Join(", ", LawSettings.ParamNames(lawType)));
                property.SetValue(options, ConvertValue(s, property.PropertyType, law));
            }
            return options;
        }

        private static object ConvertValue(ParamSetting s, Type propertyType, string law)
        {
            var type = Nullable.GetUnderlyingType(propertyType) ?? propertyType;
            string text = s.Text;
            if (type == typeof(bool))
            {
                return text switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw new CliException("invalid value '" + text + "' for the bool param " + s.Name + " of " + law + "; expected true or false"),
                };
            }
            if (type == typeof(long) || type == typeof(int))
            {
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole)
                    && (type == typeof(long) || (whole >= int.MinValue && whole <= int.MaxValue)))
                    return type == typeof(long) ? whole : (object)(int)whole;
                throw new CliException("invalid value '" + text + "' for the int param " + s.Name + " of " + law + "; expected a whole number");
            }
            if (type == typeof(double))
            {
                if (text is "none" or "None" or "null")
                {
                    if (LawSettings.NoneMeans.TryGetValue(s.Name, out double none)) return none;
                    throw new CliException("invalid value '" + text + "' for the real param " + s.Name + " of " + law + "; none is allowed only for "
                        + string.Join(", ", LawSettings.NoneMeans.Keys));
                }
                if (TryParseReal(text, out double v)) return v;
                throw new CliException("invalid value '" + text + "' for the real param " + s.Name + " of " + law + "; expected a number such as 1.2, 3e-4 or inf");
            }
            throw new CliException("the param " + s.Name + " of " + law + " is a vector; --set sets scalar params only");
        }

        /// <summary>A finite number or <c>inf</c>/<c>-inf</c> (invariant culture); NaN is rejected.</summary>
        public static bool TryParseReal(string text, out double value)
        {
            switch (text)
            {
                case "inf":
                case "+inf":
                case "Infinity":
                    value = double.PositiveInfinity;
                    return true;
                case "-inf":
                case "-Infinity":
                    value = double.NegativeInfinity;
                    return true;
            }
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && AeMath.IsFinite(value);
        }

        /// <summary>The settings as a JSON object: numbers and bools as JSON values, anything else as a string.</summary>
        public static string SettingsJson(IReadOnlyList<ParamSetting> settings, params (string Name, double Value)[] extra)
        {
            var parts = new List<string>();
            foreach (var s in settings)
            {
                string value = s.Text is "true" or "false" ? s.Text
                    : double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && AeMath.IsFinite(d) ? Json.Number(d)
                    : Json.String(s.Text);
                parts.Add(Json.String(s.Name) + ":" + value);
            }
            foreach (var (name, v) in extra) parts.Add(Json.String(name) + ":" + Json.Number(v));
            return "{" + string.Join(",", parts) + "}";
        }

        /// <summary>The task of <c>--task NAME</c> or <c>--case FILE</c> (exactly one of them).</summary>
        public static TaskSource ResolveTask(string? task, string? casePath, CliContext context, string command)
        {
            if (task is not null && casePath is not null) throw CliException.BadUsage("give --task or --case, not both", command);
            if (task is null && casePath is null)
                throw CliException.BadUsage("no task; give --task NAME (" + string.Join(", ", TaskCatalog.Names) + ") or --case FILE (a golden case .json)", command);
            if (task is not null) return TaskSource.FromCatalog(task);
            var golden = ReplayCommand.LoadCase(casePath!, context.CurrentDirectory);
            return new TaskSource("case:" + golden.Name, () => new GoldenCaseTask(golden));
        }

        /// <summary>The database path of <c>--db</c> (default <see cref="DefaultDatabase"/>), absolute.</summary>
        public static string DatabasePath(CommandInput parsed, CliContext context)
            => Path.GetFullPath(parsed.Value("--db") ?? DefaultDatabase, context.CurrentDirectory);

        /// <summary>How a path is shown: relative to the current directory when below it.</summary>
        public static string Display(string fullPath, string currentDirectory)
        {
            string relative = Path.GetRelativePath(currentDirectory, fullPath);
            return Path.IsPathRooted(relative) || relative.StartsWith("..", StringComparison.Ordinal) ? fullPath : relative.Replace(Path.DirectorySeparatorChar, '/');
        }
    }

    /// <summary>Where fresh instances of a task come from: the catalog or a golden case.</summary>
    internal sealed class TaskSource
    {
        private readonly Func<ITask> _create;

        public TaskSource(string name, Func<ITask> create)
        {
            Name = name;
            _create = create;
        }

        public string Name { get; }

        /// <summary>A catalog task; an unknown name is one line listing the valid ones.</summary>
        public static TaskSource FromCatalog(string name)
        {
            if (!TaskCatalog.Contains(name)) throw new CliException("unknown task '" + name + "'; valid tasks: " + string.Join(", ", TaskCatalog.Names));
            return new TaskSource(name, () => TaskCatalog.Create(name));
        }

        /// <summary>A fresh instance; a missing data set is a <see cref="CliException"/>.</summary>
        public ITask Create()
        {
            try
            {
                return _create();
            }
            catch (DatasetNotFoundException ex)
            {
                throw new CliException(ex.Message, ex);
            }
        }
    }
}
