using System.IO;
using AE.Runtime;

namespace AE.TorchSharp
{
    /// <summary>A law's whole state as bytes: <see cref="LawState"/> (AE.Runtime), under the name this library has used.</summary>
    public static class AeLawState
    {
        /// <inheritdoc cref="LawState.Write(IOptimizerLaw, BinaryWriter)"/>
        public static void Write(IOptimizerLaw law, BinaryWriter writer) => LawState.Write(law, writer);

        /// <inheritdoc cref="LawState.Read(IOptimizerLaw, BinaryReader)"/>
        public static void Read(IOptimizerLaw law, BinaryReader reader) => LawState.Read(law, reader);

        /// <inheritdoc cref="LawState.Save(IOptimizerLaw)"/>
        public static byte[] Save(IOptimizerLaw law) => LawState.Save(law);

        /// <inheritdoc cref="LawState.Load(IOptimizerLaw, byte[])"/>
        public static void Load(IOptimizerLaw law, byte[] state) => LawState.Load(law, state);
    }
}
