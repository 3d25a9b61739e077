using System;

namespace AE.Runtime
{
    /// <summary>
    /// A law's constructor rejects the value a param was given: outside the param's declared range,
    /// or making a check the .ae file passes with the defaults fail (a coefficient's initial value
    /// outside its bounds, empty bounds, a filter rate outside [0, 1), a <c>require</c>).
    /// </summary>
    public sealed class ParamOutOfRangeException : ArgumentOutOfRangeException
    {
        /// <param name="param">the param given the value (for a derived check, the params it reads, comma-separated)</param>
        /// <param name="range">the allowed values, as the .ae file writes them with the given params evaluated: <c>[0, 1)</c></param>
        /// <param name="value">the value that falls outside (NaN for a derived check such as a require: then no actual value)</param>
        /// <param name="message">one line saying what must hold</param>
        public ParamOutOfRangeException(string param, string range, double value, string message)
            : base(param, double.IsNaN(value) ? null : value, message)   // a derived check (a require) has no one value: no "actual value"
        {
            Param = param;
            Range = range;
            Value = value;
        }

        public ParamOutOfRangeException() : this("", "", double.NaN, "a param is out of range") { }

        public ParamOutOfRangeException(string message) : this("", "", double.NaN, message) { }

        public ParamOutOfRangeException(string message, Exception innerException) : base(message, innerException)
        {
            Param = "";
            Range = "";
            Value = double.NaN;
        }

        /// <summary><c>[lo, hi)</c> with each end written as C#'s round-trip format writes it ("R", invariant).</summary>
        public static string Interval(double lo, double hi, bool loOpen, bool hiOpen)
            => (loOpen ? "(" : "[") + Number(lo) + ", " + Number(hi) + (hiOpen ? ")" : "]");

        /// <summary>A value as the .ae file would write it: <c>1e-06</c>, <c>inf</c>.</summary>
        public static string Number(double value)
            => double.IsPositiveInfinity(value) ? "inf" : double.IsNegativeInfinity(value) ? "-inf" : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture).Replace("E", "e");

        /// <summary>The param (or params) whose value is rejected.</summary>
        public string Param { get; }

        /// <summary>The allowed values, e.g. <c>[0, 1)</c>.</summary>
        public string Range { get; }

        /// <summary>The rejected value.</summary>
        public double Value { get; }
    }
}
