using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using AE.Runtime;

namespace AE.Experiments.Replay
{
    /// <summary>
    /// Builds a generated law from a golden case's settings. A generated law type has a nested
    /// <c>Options</c> class with one property per param (<c>double</c>, <c>bool</c>, <c>long</c>, or
    /// <c>double?</c> for a default written as an expression) and a constructor
    /// <c>(int n, Options? options = null, ulong seed = 0)</c> that rejects a param outside its range.
    /// Every setting must name a param. The seed's <c>None</c> (JSON null) maps to the value that
    /// disables the same guard in the law: 0 for the budgets <c>max_dlog_*</c>/<c>max_d_mu</c> and for
    /// <c>param_abs_max</c>, +∞ for <c>step_norm_max</c> and <c>clip_grad_norm</c>.
    /// </summary>
    public static class LawSettings
    {
        /// <summary>What None means for the params that may be None.</summary>
        public static IReadOnlyDictionary<string, double> NoneMeans { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["max_dlog_alpha"] = 0,
            ["max_d_mu"] = 0,
            ["max_dlog_sigma"] = 0,
            ["step_norm_max"] = double.PositiveInfinity,
            ["clip_grad_norm"] = double.PositiveInfinity,
            ["param_abs_max"] = 0,
        };

        /// <summary>The law's nested <c>Options</c> type.</summary>
        /// <exception cref="ArgumentException">a type that is not a generated law</exception>
        public static Type OptionsType(Type lawType)
        {
            if (lawType is null) throw new ArgumentNullException(nameof(lawType));
            return lawType.GetNestedType("Options", BindingFlags.Public)
                ?? throw new ArgumentException("the type " + lawType.FullName + " has no nested Options class; it is not a generated law", nameof(lawType));
        }

        /// <summary>The law's params in declaration order, by their names in the .ae file.</summary>
        /// <summary>The rules of a compiled law that can be switched off at run time (its static <c>RuleIds</c>), without building one.</summary>
        public static IReadOnlyList<string> RuleIds(Type lawType) =>
            (lawType ?? throw new ArgumentNullException(nameof(lawType))).GetProperty("RuleIds", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IReadOnlyList<string>
            ?? throw new ArgumentException("the law " + lawType.Name + " has no static RuleIds", nameof(lawType));

        public static IReadOnlyList<string> ParamNames(Type lawType) => ParamProperties(OptionsType(lawType)).Keys.ToList();

        /// <summary>
        /// The property of the param <paramref name="name"/> (its name in the .ae file) on <paramref name="optionsType"/>,
        /// or null: a param named like a generated member (<c>Step</c>, <c>Options</c>) is the property <c>Step_</c>.
        /// </summary>
        public static PropertyInfo? ParamProperty(Type optionsType, string name)
            => ParamProperties(optionsType).TryGetValue(name, out var property) ? property : null;

        /// <summary>Each param's name in the .ae file and its property, in declaration order (Options' ParamNames and ParamProperties; a type without them: each property by its own name).</summary>
        private static Dictionary<string, PropertyInfo> ParamProperties(Type optionsType)
        {
            var byProperty = Params(optionsType).ToDictionary(p => p.Name, StringComparer.Ordinal);
            var names = optionsType.GetProperty("ParamNames", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IReadOnlyList<string>;
            var properties = optionsType.GetProperty("ParamProperties", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IReadOnlyList<string>;
            var result = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
            if (names is null || properties is null || names.Count != properties.Count)
            {
                foreach (var p in byProperty.Values) result[p.Name] = p;
                return result;
            }
            for (int i = 0; i < names.Count; i++)
                if (byProperty.TryGetValue(properties[i], out var property)) result[names[i]] = property;
            return result;
        }

        /// <summary>An <c>Options</c> instance with every setting applied; other params keep their defaults.</summary>
        /// <exception cref="ReplayException">a setting that is not a param, or whose value does not fit it</exception>
        public static object CreateOptions(Type lawType, IEnumerable<CaseSetting> settings)
        {
            if (settings is null) throw new ArgumentNullException(nameof(settings));
            var optionsType = OptionsType(lawType);
            var properties = ParamProperties(optionsType);
            var options = Activator.CreateInstance(optionsType)!;
            string law = lawType.Name;
            var list = settings.ToList();
            CheckNames(list, properties.Keys.ToList(), law);
            foreach (var setting in list) properties[setting.Name].SetValue(options, Convert(setting, properties[setting.Name], law));
            return options;
        }

        /// <summary>
        /// Checks that every setting names one of <paramref name="paramNames"/> and that none is set twice:
        /// what <see cref="CreateOptions"/> checks first, usable before the law is compiled.
        /// </summary>
        /// <exception cref="ReplayException">the first setting that is not a param (the message lists the params), or a repeat</exception>
        public static void CheckNames(IEnumerable<CaseSetting> settings, IReadOnlyList<string> paramNames, string law)
        {
            if (settings is null) throw new ArgumentNullException(nameof(settings));
            if (paramNames is null) throw new ArgumentNullException(nameof(paramNames));
            var known = new HashSet<string>(paramNames, StringComparer.Ordinal);
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var setting in settings)
            {
                if (!known.Contains(setting.Name))
                    throw new ReplayException("'" + setting.Path + "' is not a param of " + law + (paramNames.Count == 0 ? ", which has no params" : "; its params: " + string.Join(", ", paramNames)));
                if (seen.TryGetValue(setting.Name, out var earlier))
                    throw new ReplayException("'" + setting.Path + "' sets the param " + setting.Name + " of " + law + " again (after '" + earlier + "')");
                seen.Add(setting.Name, setting.Path);
            }
        }

        /// <summary>Builds the law for <paramref name="dimension"/> parameters with the settings applied.</summary>
        /// <exception cref="ReplayException">a bad setting, or one the law rejects (a param outside its range)</exception>
        public static IOptimizerLaw Create(Type lawType, int dimension, IEnumerable<CaseSetting> settings, ulong seed = 0)
            => Create(lawType, dimension, CreateOptions(lawType, settings), seed);

        /// <summary>Builds the law for <paramref name="dimension"/> parameters with an <c>Options</c> instance (null: defaults).</summary>
        /// <exception cref="ReplayException">the law rejects the options (a param outside its range)</exception>
        public static IOptimizerLaw Create(Type lawType, int dimension, object? options, ulong seed = 0)
        {
            var optionsType = OptionsType(lawType);
            if (!typeof(IOptimizerLaw).IsAssignableFrom(lawType))
                throw new ArgumentException("the law " + lawType.Name + " does not have the optimizer shape (loss and grad in, theta out)", nameof(lawType));
            var constructor = lawType.GetConstructor(new[] { typeof(int), optionsType, typeof(ulong) })
                ?? throw new ArgumentException("the law " + lawType.Name + " has no constructor (int, Options, ulong)", nameof(lawType));
            try
            {
                return (IOptimizerLaw)constructor.Invoke(new object?[] { dimension, options, seed });
            }
            catch (TargetInvocationException ex) when (ex.InnerException is DimOutOfRangeException dim)
            {
                throw new ReplayException(lawType.Name + " does not run at n = " + dimension.ToString(CultureInfo.InvariantCulture) + ": " + FirstLine(dim.Message), dim);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException inner)
            {
                throw new ReplayException(Rejection(lawType.Name, inner), inner);
            }
        }

        /// <summary>
        /// One line for a law that refuses the values it was given, on any backend: a dim it cannot run at, with its value; a
        /// param outside its range with the value given; a check the defaults pass and the given values fail (a coefficient's bounds or initial value, a filter's
        /// rate, a require) with the params it reads, since the value the check saw (a bound, a rate) is not what the user typed.
        /// </summary>
        public static string Rejection(string law, ArgumentException refusal)
        {
            if (refusal is null) throw new ArgumentNullException(nameof(refusal));
            string message = FirstLine(refusal.Message);
            if (refusal is DimOutOfRangeException { Dim.Length: > 0 } dim)
                return law + " does not run at " + dim.Dim + " = " + dim.Value.ToString(CultureInfo.InvariantCulture) + ": " + message;
            if (refusal is AE.Runtime.ParamOutOfRangeException p && p.Param.Length > 0 && !message.StartsWith("param '" + p.Param + "'", StringComparison.Ordinal))
                return law + " rejects its settings of " + p.Param + ": " + message;
            if (refusal is ArgumentOutOfRangeException { ActualValue: not null } range)
                message += " (given " + FormatValue(range.ActualValue) + ")";
            return law + " rejects its settings: " + message;
        }

        private static IEnumerable<PropertyInfo> Params(Type optionsType)
            => optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0);

        private static object? Convert(CaseSetting setting, PropertyInfo property, string law)
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            string what = type == typeof(bool) ? "bool" : type == typeof(long) || type == typeof(int) ? "int" : type == typeof(double) ? "real" : "vector";
            string target = "the " + what + " param " + setting.Name + " of " + law;
            if (setting.IsNone)
            {
                if (NoneMeans.TryGetValue(setting.Name, out double none) && type == typeof(double)) return none;
                throw new ReplayException("'" + setting.Path + "' is null (None), which has no meaning for " + target
                    + "; None is allowed for " + string.Join(", ", NoneMeans.Keys));
            }
            if (type == typeof(bool))
            {
                if (setting.Kind != SettingKind.Bool) throw new ReplayException("'" + setting.Path + "' must be true or false for " + target + ", not " + setting.ValueText);
                return setting.Bool;
            }
            if (setting.Kind != SettingKind.Number) throw new ReplayException("'" + setting.Path + "' must be a number for " + target + ", not " + setting.ValueText);
            double v = setting.Number;
            if (type == typeof(double)) return v;
            if (type == typeof(long) || type == typeof(int))
            {
                if (!AE.Dsl.IR.Scalar.IsExactInt(v, setting.ValueText) || (type == typeof(int) && Math.Abs(v) > int.MaxValue))
                    throw new ReplayException("'" + setting.Path + "' must be a whole number" + (type == typeof(long) ? " within ±2^53" : "") + " for " + target + ", not " + setting.ValueText);
                return type == typeof(long) ? (object)(long)v : (int)v;
            }
            throw new ReplayException("'" + setting.Path + "' sets " + target + ", but replay sets scalar params only");
        }

        /// <summary>An exception's message as one line, without .NET's " (Parameter 'x')" and "Actual value was" tail.</summary>
        public static string FirstLine(string text)
        {
            int end = text.IndexOfAny(new[] { '\r', '\n' });
            string line = end < 0 ? text : text.Substring(0, end);
            int param = line.IndexOf(" (Parameter '", StringComparison.Ordinal);
            return param > 0 ? line.Substring(0, param) : line;
        }

        private static string FormatValue(object value) => value switch
        {
            double d => AE.Runtime.ParamOutOfRangeException.Number(d),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }
}
