using System;
using System.Globalization;

namespace AE.Experiments.Replay
{
    /// <summary>What a setting of a golden case holds: JSON null (Python's None), a bool or a number.</summary>
    public enum SettingKind
    {
        None,
        Bool,
        Number,
    }

    /// <summary>One entry of a golden case's <c>config</c> or <c>agent</c> object.</summary>
    /// <param name="Section"><c>config</c> or <c>agent</c></param>
    /// <param name="Name">the key, which must name a param of the law</param>
    /// <param name="Kind">null, bool or number</param>
    /// <param name="Number">the number (1 or 0 for a bool, NaN for None)</param>
    public readonly record struct CaseSetting(string Section, string Name, SettingKind Kind, double Number)
    {
        /// <summary><c>config.beta_T</c>: how messages name the setting.</summary>
        public string Path => Section + "." + Name;

        public bool IsNone => Kind == SettingKind.None;

        public bool Bool => Number != 0;

        public static CaseSetting None(string section, string name) => new(section, name, SettingKind.None, double.NaN);

        public static CaseSetting FromBool(string section, string name, bool value) => new(section, name, SettingKind.Bool, value ? 1 : 0);

        public static CaseSetting FromNumber(string section, string name, double value) => new(section, name, SettingKind.Number, value);

        /// <summary>The value as the case writes it: <c>null</c>, <c>true</c>, <c>0.98</c>.</summary>
        public string ValueText => Kind switch
        {
            SettingKind.None => "null",
            SettingKind.Bool => Bool ? "true" : "false",
            _ => AE.Runtime.NumberText.Of(Number),
        };

        public override string ToString() => Path + " = " + ValueText;
    }

    /// <summary>A golden case's tolerance: a value is within it when |a − b| ≤ abs or ≤ rel·|b|.</summary>
    public readonly record struct Tolerance(double Rel, double Abs)
    {
        /// <summary>Whether <paramref name="actual"/> is within tolerance of <paramref name="expected"/>.</summary>
        public bool Accepts(double actual, double expected)
        {
            double err = Deviation.Absolute(actual, expected);
            if (double.IsPositiveInfinity(err)) return false; // NaN against a number, or an infinity against anything else
            return err <= Abs || err <= Rel * Math.Abs(expected);
        }

        public override string ToString() => "rel " + Rel.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e') + " or abs " + Abs.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
    }

    /// <summary>How far a value is from its reference.</summary>
    public static class Deviation
    {
        /// <summary>|a − b|; 0 when both are NaN or the same infinity, +∞ when only one is NaN.</summary>
        public static double Absolute(double actual, double expected)
        {
            if (double.IsNaN(actual) || double.IsNaN(expected)) return double.IsNaN(actual) && double.IsNaN(expected) ? 0 : double.PositiveInfinity;
            if (actual == expected) return 0; // also the same infinity, where a − b is NaN
            return Math.Abs(actual - expected);
        }

        /// <summary>|a − b| / |b|; 0 when equal, +∞ when the reference is 0 and the value is not.</summary>
        public static double Relative(double actual, double expected)
        {
            double err = Absolute(actual, expected);
            if (err == 0) return 0;
            if (double.IsInfinity(err)) return double.PositiveInfinity;
            double scale = Math.Abs(expected);
            return scale == 0 || double.IsNaN(scale) ? double.PositiveInfinity : err / scale;
        }
    }
}
