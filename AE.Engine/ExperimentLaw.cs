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

namespace AE.Engine
{
    /// <summary>One <c>--set NAME=VALUE</c>, as written.</summary>
    public sealed record ParamSetting(string Name, string Text);

    /// <summary>
    /// A law of .ae files, compiled (AE.Experiments' <see cref="CompiledLaw"/>) for <c>ae run</c>, <c>ae ablate</c>,
    /// <c>ae sweep</c> and <c>ae bench</c>, with its <c>--set</c> values applied: fresh instances for any dimension and seed.
    /// </summary>
    public sealed class ExperimentLaw
    {
        private readonly object _options;

        private ExperimentLaw(LawSource source, CompiledLaw compiled, string sha256, IReadOnlyList<ParamSetting> settings, object options, IReadOnlyList<string> rules)
        {
            Source = source;
            Compiled = compiled;
            Sha256 = sha256;
            Settings = settings;
            _options = options;
            RuleIds = rules;
        }

        /// <summary>Where the law was loaded from: a worker of a cluster loads it again from this.</summary>
        public LawSource Source { get; }

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
                var value = LawSettings.ParamProperty(_options.GetType(), s.Name)?.GetValue(_options);
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
                throw new EngineException(ex.Message, ex);
            }
        }

        /// <summary>
        /// Why the law rejects <paramref name="options"/> (the settings when null) at <paramref name="dimension"/> parameters
        /// (a value outside a range its file declares, a check over its dims that fails at that size), or null when it accepts them.
        /// </summary>
        public string? Refuses(int dimension, object? options = null) => Compiled.Refuses(options ?? _options, dimension);

        /// <summary>The settings with one more param set to <paramref name="value"/> (the sweep's initial learning rate).</summary>
        public object OptionsWith(string param, double value) => OptionsWith((param, value));

        /// <summary>The settings with more real params set (the coupling grid's initial rate and momentum).</summary>
        public object OptionsWith(params (string Param, double Value)[] values)
        {
            var options = LawOptions.BuildOptions(Compiled.Type, Settings, Name);
            foreach (var (param, value) in values)
            {
                var property = LawSettings.ParamProperty(LawSettings.OptionsType(Compiled.Type), param)
                    ?? throw new EngineException("the law " + Name + " has no param '" + param + "'");
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (type != typeof(double))
                    throw new EngineException("the param " + param + " of " + Name + " is not a real scalar" + (type.IsArray ? " (it is a vector)" : ""));
                property.SetValue(options, value);
            }
            return options;
        }

        /// <summary>
        /// The settings that change the run, as a checkpoint's identity holds them: those whose value differs from the
        /// param's default, by name. `--set init_alpha=3e-4` where 3e-4 is the default, or two settings given in the other
        /// order, are the same run.
        /// </summary>
        public string IdentitySettingsJson()
        {
            var type = LawSettings.OptionsType(Compiled.Type);
            var defaults = Activator.CreateInstance(type);
            var changed = Settings.Where(s => LawSettings.ParamProperty(type, s.Name) is not { } p || !Equals(p.GetValue(_options), p.GetValue(defaults)))
                .OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
            return LawOptions.SettingsJson(changed);
        }

        /// <summary>The settings as a JSON object (values as written, numbers as numbers).</summary>
        public string SettingsJson(params (string Name, double Value)[] extra) => LawOptions.SettingsJson(Settings, extra);

        /// <summary>
        /// Loads, checks and compiles the law; checks <paramref name="settings"/> against its params and
        /// <paramref name="ablate"/> against its switchable rules before compiling, then builds one instance
        /// (dimension <paramref name="validationDimension"/>) so that a value out of range is reported now. A caller whose
        /// tasks' sizes are not known yet passes null: the instance is built at the least size its dims allow (a law with
        /// <c>dim w = n - 3</c> at n = 4), and a task too small for the law is refused when it runs.
        /// </summary>
        /// <param name="beforeCompile">
        /// a check of the selected law before its C# is compiled: a device backend's, which emits it first, so that a construct
        /// that backend cannot emit is named as its (the C# law is compiled all the same, to check the settings)
        /// </param>
        public static ExperimentLaw Load(IReadOnlyList<string> paths, string? name, IReadOnlyList<ParamSetting> settings, IReadOnlyList<string> ablate,
            string currentDirectory, TextWriter stderr, string command, int? validationDimension, Action<EmitTarget>? beforeCompile = null)
        {
            var file = LawInput.Call(() => LawSet.Load(paths, currentDirectory));
            EmitTarget target = LawInput.Call(() => file.SelectOptimizer(name, "'ae " + command + "' needs a law that checks cleanly"), stderr);

            // Names first, against the checked program: no compilation is spent on a typo.
            var paramNames = target.Unit.Params.Select(p => p.Name).ToList();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in settings)
            {
                if (!paramNames.Contains(s.Name, StringComparer.Ordinal))
                    throw new EngineException("unknown param '" + s.Name + "' in --set; " + LawOptions.ParamsOf(target.Name, paramNames));
                if (!seen.Add(s.Name)) throw new EngineException("--set sets the param " + s.Name + " twice");
            }
            var removed = new HashSet<string>(target.Ablate, StringComparer.Ordinal);
            CheckRules(ablate, CompiledLaw.SwitchableRules(target), target, removed);
            beforeCompile?.Invoke(target);

            CompiledLaw compiled;
            try
            {
                compiled = LawInput.Call(() => file.Compile(target, CompiledLaw.DefaultNamespace));
            }
            catch (LawCompileException ex)
            {
                // A backend bug, not bad input: the caller reports it as an internal error.
                throw new InvalidOperationException(ex.Message, ex);
            }

            var options = LawOptions.BuildOptions(compiled.Type, settings, target.Name);
            try
            {
                compiled.Create(validationDimension is int n ? ProbeDimension(target.Unit, n) : LeastDimension(target.Unit), options, 0);
            }
            catch (ReplayException ex) when (validationDimension is null && RefusesTheSize(ex, target.Unit))
            {
                // No size was given (the tasks come later, or each job brings its own): a check over the dims that fails at
                // the probe's size says nothing about the tasks', where each run is checked when it is built.
            }
            catch (ReplayException ex)
            {
                throw new EngineException(ex.Message, ex);
            }
            var rules = LawSettings.RuleIds(compiled.Type);
            string sha = LawInput.Call(file.Sha256);
            return new ExperimentLaw(new LawSource(paths, name, settings, currentDirectory), compiled, sha, settings, options, rules);
        }

        /// <summary>The size a probe instance is built at when the law's dims allow it: it allocates n elements per vector.</summary>
        public const int SmallProbe = 1 << 16;

        /// <summary>The size to build an instance at that stands for one of <paramref name="dimension"/> (<see cref="ProbeDimension(AE.Dsl.IR.IrUnit, int)"/>).</summary>
        public int ProbeDimension(int dimension) => ProbeDimension(Compiled.Target.Unit, dimension);

        /// <summary>
        /// Where to build the instance that checks the settings: at <paramref name="dimension"/> when it is small or its dims
        /// are out of range there (the constructor says so before it allocates), otherwise at <see cref="SmallProbe"/> when
        /// the dims are valid there too, so that `ae bench --n 1e9` checks its law without taking a billion elements of
        /// memory per vector.
        /// </summary>
        private static int ProbeDimension(AE.Dsl.IR.IrUnit unit, int dimension)
        {
            if (dimension <= SmallProbe || !DimsValid(unit, dimension) || !DimsValid(unit, SmallProbe)) return dimension;
            return SmallProbe;
        }

        /// <summary>Whether a refusal is of the size rather than the settings: a dim's, or a check that reads a dim.</summary>
        private static bool RefusesTheSize(ReplayException ex, AE.Dsl.IR.IrUnit unit) => ex.InnerException switch
        {
            DimOutOfRangeException => true,
            ParamOutOfRangeException p => p.Param.Split(", ").Any(name => unit.Dims.Any(d => d.Name == name)),
            _ => false,
        };

        /// <summary>The least size at which the law's dims resolve, up to <see cref="SmallProbe"/> (beyond, 1: its constructor then says why).</summary>
        private static int LeastDimension(AE.Dsl.IR.IrUnit unit)
        {
            for (int n = 1; n <= SmallProbe; n++) if (DimsValid(unit, n)) return n;
            return 1;
        }

        private static bool DimsValid(AE.Dsl.IR.IrUnit unit, int n)
        {
            try
            {
                AE.Dsl.IR.DimValues.Resolve(unit, unit.Dims.Where(d => d.IsRuntime).ToDictionary(d => d.Name, _ => n, StringComparer.Ordinal));
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private static void CheckRules(IReadOnlyList<string> ablate, IReadOnlyList<string> switchable, EmitTarget target, HashSet<string> removed)
        {
            string valid = switchable.Count == 0 ? "none" : string.Join(", ", switchable);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in ablate)
            {
                if (switchable.Contains(id, StringComparer.Ordinal))
                {
                    if (!seen.Add(id)) throw new EngineException("--ablate names the rule " + id + " twice");
                    continue;
                }
                var rule = target.Unit.Rules.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.Ordinal));
                if (removed.Contains(id))
                    throw new EngineException("the rule " + id + " is already removed from " + target.Name + " at compile time; switchable rules of " + target.Name + ": " + valid);
                if (rule is not null && rule.IsUpdate)
                    throw new EngineException("'" + id + "' is the update of " + target.Name + " and cannot be switched off; switchable rules: " + valid);
                if (rule is not null)
                    throw new EngineException("'" + id + "' is a fixed rule of " + target.Name + " and cannot be switched off; switchable rules: " + valid);
                throw new EngineException("unknown rule '" + id + "' in --ablate; switchable rules of " + target.Name + ": " + valid);
            }
        }
    }

    /// <summary>A law's <c>Options</c> from <c>--set</c> values, and the settings as JSON.</summary>
    public static class LawOptions
    {
        /// <summary>An <c>Options</c> instance of the law with the settings converted to each param's type.</summary>
        /// <summary>What a message about an unknown param lists: <c>the params of L: a, b</c>, or <c>L has no params</c>.</summary>
        public static string ParamsOf(string law, IEnumerable<string> names)
        {
            var list = names.ToList();
            return list.Count == 0 ? law + " has no params" : "the params of " + law + ": " + string.Join(", ", list);
        }

        public static object BuildOptions(Type lawType, IReadOnlyList<ParamSetting> settings, string law)
        {
            var optionsType = LawSettings.OptionsType(lawType);
            var options = Activator.CreateInstance(optionsType)!;
            foreach (var s in settings)
            {
                var property = LawSettings.ParamProperty(optionsType, s.Name);
                if (property is null || !property.CanWrite)
                    throw new EngineException("unknown param '" + s.Name + "' in --set; " + ParamsOf(law, LawSettings.ParamNames(lawType)));
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
                    _ => throw new EngineException("invalid value '" + text + "' for the bool param " + s.Name + " of " + law + "; expected true or false"),
                };
            }
            if (type == typeof(long) || type == typeof(int))
            {
                if (TryParseWhole(text, out long whole)
                    && (type == typeof(long) || (whole >= int.MinValue && whole <= int.MaxValue)))
                    return type == typeof(long) ? whole : (object)(int)whole;
                throw new EngineException(WholeExpected(text, s.Name, law));
            }
            if (type == typeof(double))
            {
                if (text is "none" or "None" or "null")
                {
                    if (LawSettings.NoneMeans.TryGetValue(s.Name, out double none)) return none;
                    throw new EngineException("invalid value '" + text + "' for the real param " + s.Name + " of " + law + "; none (the seed's None) stands only for the params "
                        + "the seed's config lets be None (" + string.Join(", ", LawSettings.NoneMeans.Keys) + "); write a number such as 1.2, 3e-4 or inf");
                }
                if (TryParseReal(text, out double v)) return v;
                throw new EngineException("invalid value '" + text + "' for the real param " + s.Name + " of " + law + "; expected a number such as 1.2, 3e-4 or inf");
            }
            throw new EngineException("the param " + s.Name + " of " + law + " is a vector; --set sets scalar params only");
        }

        /// <summary>
        /// An int param's value: a whole number within ±2^53 (what a double holds exactly), in plain or scientific notation
        /// (<c>1000</c>, <c>1e3</c>, <c>2.5e3</c>), as <c>--n</c> and an .ae file's literals take them. Read exactly, digit by
        /// digit: through a double, 9007199254740993 would round to 2^53 and be taken.
        /// </summary>
        public static bool TryParseWhole(string text, out long value)
        {
            value = 0;
            var m = System.Text.RegularExpressions.Regex.Match(text ?? "", @"^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
            if (!m.Success || m.Groups[2].Length + m.Groups[3].Length == 0) return false;
            string digits = (m.Groups[2].Value + m.Groups[3].Value).TrimStart('0');
            if (!int.TryParse(m.Groups[4].Success ? m.Groups[4].Value : "0", NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exponent))
                return digits.Length == 0;   // 0e99999999999 is 0; any other digits are out of range or not whole
            long shift = (long)exponent - m.Groups[3].Length;
            if (shift < 0)
            {
                // The digits right of the point after the exponent moved it must all be 0 (2.50e1 is 25, 2.5 is not whole).
                int cut = (int)Math.Min(-shift, digits.Length);
                if (digits.Substring(digits.Length - cut).Any(c => c != '0')) return false;
                digits = digits.Substring(0, digits.Length - cut);
                shift = 0;
            }
            if (digits.Length == 0) return true;
            // 2^53 has 16 digits: a longer number is out of range, and so is any exponent that makes it longer.
            if (digits.Length + shift > 16) return false;
            long whole = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            for (long k = 0; k < shift; k++) whole *= 10;
            if (whole > AE.Dsl.IR.Scalar.MaxExactInt) return false;
            value = m.Groups[1].Value == "-" ? -whole : whole;
            return true;
        }

        /// <summary>The message for a value <see cref="TryParseWhole"/> refuses for the int param <paramref name="param"/> of <paramref name="law"/>.</summary>
        public static string WholeExpected(string text, string param, string law)
            => "invalid value '" + text + "' for the int param " + param + " of " + law + "; expected a whole number within ±2^53 ("
               + AE.Dsl.IR.Scalar.MaxExactInt.ToString(CultureInfo.InvariantCulture) + "), such as 100 or 1e3";

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
            // A number too small for a double reads as 0 without a word; the .ae file's own literals refuse it too (AE0003).
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && AeMath.IsFinite(value) && !(value == 0 && AE.Dsl.IR.Scalar.WritesNonZero(text));
        }

        /// <summary>
        /// The settings as a JSON object: numbers and bools as JSON values, anything else as a string; then the
        /// <paramref name="extra"/> values, each replacing a setting of its name (the value the run used, such as a swarm
        /// member's own rate where <c>--set</c> gave the centre of the spread), so no key appears twice.
        /// </summary>
        public static string SettingsJson(IReadOnlyList<ParamSetting> settings, params (string Name, double Value)[] extra)
        {
            var parts = new List<string>();
            foreach (var s in settings)
            {
                if (extra.Any(e => e.Name == s.Name)) continue;
                string value = s.Text is "true" or "false" ? s.Text
                    : double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && AeMath.IsFinite(d) ? Json.Number(d)
                    : Json.String(s.Text);
                parts.Add(Json.String(s.Name) + ":" + value);
            }
            foreach (var (name, v) in extra) parts.Add(Json.String(name) + ":" + Json.Number(v));
            return "{" + string.Join(",", parts) + "}";
        }

    }

    /// <summary>Where fresh instances of a task come from: the catalog or a golden case.</summary>
    public sealed class TaskSource
    {
        private readonly Func<ITask> _create;

        private TaskSource(string name, string spec, Func<ITask> create, string? identity = null)
        {
            Name = name;
            Spec = spec;
            Identity = identity ?? name;
            _create = create;
        }

        public string Name { get; }

        /// <summary>
        /// What a checkpoint records as the task: a catalog task's name; a case's name with a hash of its two files, since a
        /// case is named after its file and the file's problem can change (or another folder hold a file of the same name).
        /// </summary>
        public string Identity { get; }

        /// <summary>The source as data (<c>catalog NAME</c> or <c>case PATH</c>), for <see cref="FromSpec"/> in another process.</summary>
        public string Spec { get; }

        /// <summary>A catalog task; an unknown name is one line listing the valid ones.</summary>
        public static TaskSource FromCatalog(string name)
        {
            if (!TaskCatalog.Contains(name)) throw new EngineException("unknown task '" + name + "'; valid tasks: " + string.Join(", ", TaskCatalog.Names));
            return new TaskSource(name, "catalog " + name, () => TaskCatalog.Create(name));
        }

        /// <summary>The golden case of the file <paramref name="fullPath"/>; a file that is not a case is an <see cref="EngineException"/>.</summary>
        public static TaskSource FromCase(string fullPath)
        {
            GoldenCase golden;
            try
            {
                golden = GoldenCase.Load(fullPath);
            }
            catch (GoldenCaseException ex)
            {
                throw new EngineException(ex.Message, ex);
            }
            return new TaskSource("case:" + golden.Name, "case " + fullPath, () => new GoldenCaseTask(golden), "case:" + golden.Name + " " + CaseHash(fullPath));
        }

        /// <summary>The first 16 hex digits of the SHA-256 of a case's .json and .csv, read as <see cref="GoldenCase.Load"/> read them.</summary>
        private static string CaseHash(string jsonPath)
        {
            try
            {
                var bytes = File.ReadAllBytes(jsonPath).Concat(new byte[] { 0 }).Concat(File.ReadAllBytes(Path.ChangeExtension(jsonPath, ".csv"))).ToArray();
                return "sha256:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).Substring(0, 16).ToLowerInvariant();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new EngineException("cannot read the case " + Path.GetFileName(jsonPath) + ": " + ex.Message, ex);
            }
        }

        /// <summary>
        /// The source that <see cref="Spec"/> describes, as another process (a worker) reads it: its <see cref="Identity"/> must
        /// be <paramref name="identity"/>, the one the client read, or the runs would be of another problem (a case file that
        /// differs between the machines, or was edited since).
        /// </summary>
        public static TaskSource FromSpec(string spec, string identity)
        {
            var source = FromSpec(spec);
            if (source.Identity != identity)
                throw new EngineException("the " + spec + " on this worker differs from the client's (" + source.Identity + ", the client's " + identity + ")");
            return source;
        }

        /// <summary>The source that <see cref="Spec"/> describes.</summary>
        public static TaskSource FromSpec(string spec)
        {
            if (spec.StartsWith("catalog ", StringComparison.Ordinal)) return FromCatalog(spec.Substring("catalog ".Length));
            if (spec.StartsWith("case ", StringComparison.Ordinal)) return FromCase(spec.Substring("case ".Length));
            throw new ArgumentException("not a task source: '" + spec + "'", nameof(spec));
        }

        /// <summary>A fresh instance; a missing, damaged or unreadable data set is a <see cref="EngineException"/>.</summary>
        public ITask Create()
        {
            try
            {
                return _create();
            }
            catch (DatasetNotFoundException ex)
            {
                throw new EngineException(ex.Message, ex);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new EngineException("cannot read the data of the task: " + ex.Message, ex);
            }
        }
    }

    /// <summary>
    /// Where a law comes from, as data: its files as named, the law or variant, the <c>--set</c> values and the
    /// directory the names start from. A worker of a cluster loads the same law from it (the files must be at the
    /// same paths there: a shared folder or the same checkout).
    /// </summary>
    public sealed record LawSource(IReadOnlyList<string> Paths, string? Name, IReadOnlyList<ParamSetting> Settings, string CurrentDirectory)
    {
        /// <summary>Loads and compiles the law (as <see cref="ExperimentLaw.Load"/>).</summary>
        public ExperimentLaw Load(string command) => ExperimentLaw.Load(Paths, Name, Settings, Array.Empty<string>(), CurrentDirectory, TextWriter.Null, command, null);
    }
}
