using System.IO;

namespace AE.Experiments.Tasks
{
    /// <summary>
    /// A task whose run state (<see cref="ITask.Reset"/>'s random stream, a delay buffer) can be saved and continued: after
    /// <c>Reset(seed)</c> and <see cref="ReadRunState"/>, the following calls of <see cref="ITask.Evaluate"/> are bit for bit
    /// those that followed <see cref="WriteRunState"/>. Every task of the catalog is one (<see cref="TaskBase"/>).
    /// </summary>
    public interface IResumableTask
    {
        void WriteRunState(BinaryWriter writer);

        /// <exception cref="InvalidDataException">a state of another shape; the task is left as it was</exception>
        void ReadRunState(BinaryReader reader);
    }
}
