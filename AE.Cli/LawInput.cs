using System;
using System.IO;
using AE.Experiments.Compilation;

namespace AE.Cli
{
    /// <summary>How the commands call AE.Experiments' law loading: its errors become the command line's.</summary>
    internal static class LawInput
    {
        /// <summary>
        /// Runs <paramref name="call"/>; a problem with the law files or a name (<see cref="LawInputException"/>)
        /// becomes a <see cref="CliException"/> with the same one-line message. When the files have errors
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
                throw new CliException(ex.Message, ex);
            }
            catch (LawInputException ex)
            {
                throw new CliException(ex.Message, ex);
            }
        }
    }
}
