namespace AE.Engine
{
    /// <summary>Messages of other libraries as one line of ours.</summary>
    public static class MessageText
    {
        /// <summary>
        /// The first line of <paramref name="message"/> (without its carriage return), and without the " (Parameter 'x')"
        /// that .NET appends to an argument exception's message: what is said when a library explains on several.
        /// </summary>
        public static string FirstLine(string message) => AE.Experiments.Replay.LawSettings.FirstLine(message);
    }
}
