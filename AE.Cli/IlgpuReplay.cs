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
        public static IlgpuLaw Create(EmitTarget target, GoldenCase golden)
        {
            var parameters = OpenClReplay.Params(target, golden.Settings);
            return Guard(target.Name, () => new IlgpuLaw(target.Unit, golden.Theta0.Length, new IlgpuLawOptions
            {
                Params = parameters,
                Ablate = target.Ablate,
                Lagged = target.Lagged,
                Name = target.Name,
            }));
        }

        /// <summary>The ILGPU law's construction with each of its failures as one <see cref="CliException"/> line.</summary>
        internal static T Guard<T>(string name, Func<T> create)
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
            catch (ArgumentOutOfRangeException ex) when (ex.ActualValue is double given)
            {
                throw new CliException(name + " rejects its settings: " + OpenClReplay.FirstLine(ex.Message) + " (given " + given.ToString("R", CultureInfo.InvariantCulture) + ")", ex);
            }
            catch (Exception ex) when (ex is NotSupportedException or ILGPU.InternalCompilerException)
            {
                throw new CliException("ILGPU cannot compile the kernels of '" + name + "': " + OpenClReplay.FirstLine(ex.Message), ex);
            }
        }
    }
}
