using System;
using System.Globalization;
using AE.Dsl.Emit;
using AE.Experiments.Replay;
using AE.Ilgpu;
using AE.Engine;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae replay --backend ilgpu</c>: the law built by the ILGPU backend with a golden case's settings (as
    /// <see cref="OpenClReplay"/> reads them), on the accelerator <see cref="IlgpuDevices.Default"/> chooses.
    /// Every problem (no such device, a setting that does not fit, a construct the backend does not emit) is one line.
    /// </summary>
    internal static class IlgpuReplay
    {
        public static IlgpuLaw Create(EmitTarget target, GoldenCase golden, ulong seed = 0)
        {
            var parameters = OpenClReplay.Params(target, golden);
            return Guard(target.Name, golden.FileName, () => new IlgpuLaw(target.Unit, golden.Theta0.Length, new IlgpuLawOptions
            {
                Params = parameters,
                Ablate = target.Ablate,
                Lagged = target.Lagged,
                Name = target.Name,
                Seed = seed,
            }));
        }

        /// <summary>The ILGPU law's construction with each of its failures as one <see cref="CliException"/> line.</summary>
        /// <param name="source">the file whose settings the law was given, named in a refusal of them (null: the command line's)</param>
        internal static T Guard<T>(string name, string? source, Func<T> create)
        {
            try
            {
                return create();
            }
            catch (IlgpuUnavailableException ex)
            {
                throw new CliException(ex.Message, ex);
            }
            catch (EmitNotSupportedException ex)
            {
                throw new CliException("cannot emit '" + name + "' for ILGPU: " + ex.Message, ex);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new CliException((source is null ? "" : source + ": ") + LawSettings.Rejection(name, ex), ex);
            }
            catch (Exception ex) when (ex is NotSupportedException or ILGPU.InternalCompilerException)
            {
                throw new CliException("ILGPU cannot compile the kernels of '" + name + "': " + MessageText.FirstLine(ex.Message), ex);
            }
        }
    }
}
