using System.IO;
using AE.Runtime;

namespace AE.TorchSharp
{
    /// <summary>A law's whole state as bytes: <see cref="LawState"/> (AE.Runtime), under the name this library has used.</summary>
    public static class AeLawState
    {
        /// <inheritdoc cref="LawState.Write"/>
        public static void Write(IOptimizerLaw law, BinaryWriter writer) => LawState.Write(law, writer);

        /// <inheritdoc cref="LawState.Read"/>
        public static void Read(IOptimizerLaw law, BinaryReader reader) => LawState.Read(law, reader);

        /// <inheritdoc cref="LawState.Save"/>
        public static byte[] Save(IOptimizerLaw law) => LawState.Save(law);

        /// <inheritdoc cref="LawState.Load"/>
        public static void Load(IOptimizerLaw law, byte[] state) => LawState.Load(law, state);
    }
}
