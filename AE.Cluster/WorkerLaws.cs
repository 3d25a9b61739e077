using System;
using System.Collections.Concurrent;
using System.Linq;
using AE.Engine;

namespace AE.Cluster
{
    /// <summary>The laws a worker compiled, by source and hash: a law is compiled once per worker, not once per part or swarm.</summary>
    internal static class WorkerLaws
    {
        private static readonly ConcurrentDictionary<string, Lazy<ExperimentLaw>> Laws = new(StringComparer.Ordinal);

        /// <summary>The law of <paramref name="source"/>; files whose SHA-256 is not the client's <paramref name="sha256"/> are an <see cref="EngineException"/>.</summary>
        public static ExperimentLaw Load(LawSource source, string sha256, string command)
        {
            string key = string.Join("\n", source.Paths) + "\n" + source.Name + "\n" + string.Join("\n", source.Settings.Select(s => s.Name + "=" + s.Text)) + "\n" + source.CurrentDirectory + "\n" + sha256;
            var lazy = Laws.GetOrAdd(key, _ => new Lazy<ExperimentLaw>(() => source.Load(command)));
            ExperimentLaw law;
            try
            {
                law = lazy.Value;
            }
            catch
            {
                Laws.TryRemove(key, out _);
                throw;
            }
            if (law.Sha256 != sha256)
            {
                Laws.TryRemove(key, out _);
                throw new EngineException("the law files on this worker (" + string.Join(", ", source.Paths) + ", with the files of their folders that a group or base comes from) differ from the client's (SHA-256 " + law.Sha256 + ", the client's " + sha256 + ")");
            }
            return law;
        }
    }
}
