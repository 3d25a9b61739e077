namespace AE.Engine
{
    /// <summary>How a message is cut to the one line that <c>ae</c> prints of it.</summary>
    public static class MessageText
    {
        /// <summary>The first line of <paramref name="message"/> (without its carriage return): what is said when a library explains on several.</summary>
        public static string FirstLine(string message) => message.Split('\n')[0].TrimEnd('\r');
    }
}
