namespace AE.Cli
{
    /// <summary>The process exit codes of every <c>ae</c> command.</summary>
    public static class ExitCodes
    {
        /// <summary>Success: nothing to report, or only warnings.</summary>
        public const int Success = 0;

        /// <summary>The input has errors (or warnings under <c>--warnaserror</c>).</summary>
        public const int Errors = 1;

        /// <summary>Bad command line, missing or unreadable input.</summary>
        public const int Usage = 2;

        /// <summary>A bug in <c>ae</c> itself.</summary>
        public const int InternalError = 3;

        /// <summary>Interrupted by Ctrl-C (128 + SIGINT, as shells report it): <c>ae run</c> stored what it had.</summary>
        public const int Interrupted = 130;
    }
}
