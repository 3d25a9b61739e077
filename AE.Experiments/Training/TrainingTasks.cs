using System;
using System.Collections.Generic;
using System.Linq;

namespace AE.Experiments.Training
{
    /// <summary>The training tasks by name (docs/tasks.md, "Training tasks").</summary>
    public static class TrainingTasks
    {
        private static readonly Func<TrainingTask>[] Factories =
        {
            () => new SineSynthTask(),
            () => new SineSynthTask(SineSynthTask.Wave.Saw),
            () => new SineSynthTask(SineSynthTask.Wave.Square),
            () => new ResidualDynamicsTask(),
            () => new AmeSequenceTask(),
            () => new TapeCopyTask(),
            () => new FashionRowsTask(),
        };

        public static IReadOnlyList<string> Names { get; } = Factories.Select(f => f().Name).ToArray();

        /// <summary>The task named <paramref name="name"/>, or null.</summary>
        public static TrainingTask? Find(string name) => Factories.Select(f => f()).FirstOrDefault(t => t.Name == name);
    }
}
