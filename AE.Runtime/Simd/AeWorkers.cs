using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace AE.Runtime.Simd
{
    /// <summary>One unit of a chunked pass over the vectors: generated steps implement it per pass.</summary>
    public interface IAeChunkJob
    {
        void RunChunk(int chunk);
    }

    /// <summary>
    /// A fixed set of worker threads that run the chunks of one pass. Results never depend on which
    /// thread ran a chunk: a pass writes each chunk's partial reductions to the chunk's own slot and
    /// the step combines the slots in chunk order, so the bits are the same for any thread count.
    /// Dispatch allocates nothing (the threads are created once, on first use).
    /// </summary>
    public static class AeWorkers
    {
        private static readonly object Gate = new();
        private static Worker[]? _workers;
        private static IAeChunkJob? _job;
        private static int _chunks;
        private static int _next;
        private static int _pending;
        private static ExceptionDispatchInfo? _failure;
        // A semaphore, not a ManualResetEventSlim: the latter makes its lock object on its first blocking
        // wait, which can fall in a step long after the warm-up (24 bytes seen in timed loops).
        private static readonly SemaphoreSlim Done = new(0);

        private static long _workerAllocatedBytes;

        /// <summary>
        /// Bytes the workers have allocated while running chunks, since the process started: with the
        /// stepping thread's own count, what a step allocates (a process-wide count would include other threads' work).
        /// </summary>
        public static long WorkerAllocatedBytes => Interlocked.Read(ref _workerAllocatedBytes);

        /// <summary>Threads a step may use at most: the machine's processors, capped at 64.</summary>
        public static int MaxUsefulThreads => Math.Min(Environment.ProcessorCount, 64);

        /// <summary>
        /// A thread cap a caller set (a generated law's <c>MaxThreads</c>), checked: 0 or a negative count is a mistake of the
        /// caller's, not "one thread", so it is refused where it is set rather than run as something else.
        /// </summary>
        public static int ValidThreads(int value) => value >= 1 ? value
            : throw new ArgumentOutOfRangeException("MaxThreads", value, "MaxThreads must be at least 1 (1: the stepping thread only).");

        /// <summary>Runs chunks 0..chunks-1 of <paramref name="job"/> on the calling thread and up to threads-1 workers.</summary>
        public static void Run(IAeChunkJob job, int chunks, int threads)
        {
            if (chunks <= 0) return;
            threads = Math.Min(Math.Min(threads, chunks), MaxUsefulThreads);
            if (threads <= 1)
            {
                for (int c = 0; c < chunks; c++) job.RunChunk(c);
                return;
            }
            // One pass at a time: two laws stepping on two threads take turns rather than share workers.
            lock (Gate)
            {
                var workers = EnsureWorkers();
                int helpers = Math.Min(threads - 1, workers.Length);
                _job = job;
                _chunks = chunks;
                _failure = null;
                Volatile.Write(ref _next, 0);
                Volatile.Write(ref _pending, helpers);
                for (int w = 0; w < helpers; w++) workers[w].Wake.Release();
                Drain();
                Done.Wait();
                _job = null;
                _failure?.Throw();
            }
        }

        private static void Drain()
        {
            var job = _job!;
            int c;
            while ((c = Interlocked.Increment(ref _next) - 1) < _chunks)
            {
                try { job.RunChunk(c); }
                catch (Exception e) { Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null); }
            }
        }

        private static Worker[] EnsureWorkers()
        {
            if (_workers != null) return _workers;
            var workers = new Worker[MaxUsefulThreads - 1];
            for (int i = 0; i < workers.Length; i++) workers[i] = new Worker(i);
            return _workers = workers;
        }

        private sealed class Worker
        {
            public readonly SemaphoreSlim Wake = new(0);

            public Worker(int index)
            {
                var thread = new Thread(Loop) { IsBackground = true, Name = "AE step worker " + index };
                thread.Start();
            }

            private void Loop()
            {
                while (true)
                {
                    Wake.Wait();
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    Drain();
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    if (allocated != 0) Interlocked.Add(ref _workerAllocatedBytes, allocated);
                    if (Interlocked.Decrement(ref _pending) == 0) Done.Release();
                }
            }
        }
    }
}
