namespace AE.Generators
{
    /// <summary>The tracking names of the generator's pipeline steps (see <c>IncrementalGeneratorRunStep</c>).</summary>
    public static class AeTrackingNames
    {
        /// <summary>Each .ae additional file read into (path, text).</summary>
        public const string Files = "AeFiles";

        /// <summary>All .ae files of the compilation, collected.</summary>
        public const string AllFiles = "AeAllFiles";

        /// <summary>The namespace the generated types go to.</summary>
        public const string Options = "AeOptions";

        /// <summary>Whether the compilation references ILGPU: a bool, so an edit that leaves it as it was reuses every later step.</summary>
        public const string Ilgpu = "AeIlgpu";

        /// <summary>The check of all files together, with every unit emitted: sources and diagnostics.</summary>
        public const string Check = "AeCheck";

        /// <summary>One generated source per law or variant.</summary>
        public const string Sources = "AeSources";

        /// <summary>The diagnostics to report.</summary>
        public const string Diagnostics = "AeDiagnostics";
    }
}
