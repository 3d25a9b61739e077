using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Kernels;
using AE.Kernels.OpenCl;
using AE.Experiments.Replay;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae replay --backend opencl</c>: the law built by the OpenCL backend with a golden case's
    /// settings, given the meaning <see cref="LawSettings"/> gives them for the C# law. Every problem
    /// (no OpenCL, a setting that does not fit, a construct the backend does not emit) is one line.
    /// </summary>
    internal static class OpenClReplay
    {
        public static OpenClLaw Create(EmitTarget target, GoldenCase golden, ulong seed = 0)
        {
            var parameters = Params(target, golden);
            try
            {
                return new OpenClLaw(target.Unit, golden.Theta0.Length, new OpenClLawOptions
                {
                    Params = parameters,
                    Ablate = target.Ablate,
                    Lagged = target.Lagged,
                    Name = target.Name,
                    Seed = seed,
                });
            }
            catch (OpenClUnavailableException ex)
            {
                throw new CliException(ex.Message, ex);
            }
            catch (OpenClException ex) when (ex is not OpenClBuildException)
            {
                // The device failed: its words, on one line, as ae bench says it. A program the device's compiler refuses is a
                // bug in the emitter (the device was checked for doubles), so OpenClBuildException is an internal error (exit 3).
                throw new CliException("OpenCL: " + MessageText.FirstLine(ex.Message), ex);
            }
            catch (EmitNotSupportedException ex)
            {
                throw CannotEmit(target.Name, ex);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new CliException(golden.FileName + ": " + LawSettings.Rejection(target.Name, ex), ex);
            }
        }

        /// <summary>The case's settings as param values: None as <see cref="LawSettings.NoneMeans"/> says, bools as 1 and 0; a setting that does not fit names the case's file.</summary>
        internal static Dictionary<string, double> Params(EmitTarget target, GoldenCase golden)
        {
            var result = new Dictionary<string, double>(StringComparer.Ordinal);
            CliException Bad(string message) => new(golden.FileName + ": " + message);
            foreach (var setting in golden.Settings)
            {
                var p = target.Unit.Params.First(x => x.Name == setting.Name); // names were checked before
                string what = p.Type.Scalar switch { ScalarType.Bool => "bool", ScalarType.Int => "int", _ => "real" };
                string param = "the " + what + " param " + p.Name + " of " + target.Name;
                if (!p.Type.IsScalar) throw Bad("'" + setting.Path + "' sets the vector param " + p.Name + " of " + target.Name + ", but replay sets scalar params only");
                if (setting.IsNone)
                {
                    if (p.Type.Scalar == ScalarType.Real && LawSettings.NoneMeans.TryGetValue(p.Name, out double none)) { result[p.Name] = none; continue; }
                    throw Bad("'" + setting.Path + "' is null (None), which has no meaning for " + param + "; None is allowed for " + string.Join(", ", LawSettings.NoneMeans.Keys));
                }
                if (p.Type.Scalar == ScalarType.Bool)
                {
                    if (setting.Kind != SettingKind.Bool) throw Bad("'" + setting.Path + "' must be true or false for " + param + ", not " + setting.ValueText);
                    result[p.Name] = setting.Bool ? 1 : 0;
                    continue;
                }
                if (setting.Kind != SettingKind.Number) throw Bad("'" + setting.Path + "' must be a number for " + param + ", not " + setting.ValueText);
                if (p.Type.Scalar == ScalarType.Int && !Scalar.IsExactInt(setting.Number, setting.ValueText))
                    throw Bad("'" + setting.Path + "' must be a whole number within ±2^53 for " + param + ", not " + setting.ValueText);
                result[p.Name] = setting.Number;
            }
            return result;
        }

        /// <summary>The one line for a law the OpenCL backend cannot emit, as replay and bench say it.</summary>
        internal static CliException CannotEmit(string law, EmitNotSupportedException ex) => new("cannot emit '" + law + "' for OpenCL: " + ex.Message, ex);
    }
}
