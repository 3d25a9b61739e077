using System;
using System.IO;
using AE.Experiments.Compilation;

namespace AE.Engine
{
    /// <summary>How the commands call AE.Experiments' law loading: its errors become the command line's.</summary>
    public static class LawInput
    {
        /// <summary>
        /// Runs <paramref name="call"/>; a problem with the law files or a name (<see cref="LawInputException"/>)
        /// becomes a <see cref="EngineException"/> with the same one-line message. When the files have errors
        /// (<see cref="LawCheckException"/>), each is first written to <paramref name="stderr"/> as <c>ae check</c> writes it.
        /// </summary>
        public static T Call<T>(Func<T> call, TextWriter? stderr = null)
        {
            if (call is null) throw new ArgumentNullException(nameof(call));
            try
            {
                return call();
            }
            catch (LawCheckException ex)
            {
                if (stderr is not null)
                    foreach (var d in ex.Errors) stderr.WriteLine(d.ToMsBuildString());
                throw new EngineException(ex.Message, ex);
            }
            catch (LawInputException ex)
            {
                throw new EngineException(ex.Message, ex);
            }
        }
    }
}
