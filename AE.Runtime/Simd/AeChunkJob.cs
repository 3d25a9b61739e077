using System;
using System.Runtime.CompilerServices;

namespace AE.Runtime.Simd
{
    /// <summary>
    /// One pass of a generated step over vectors of one length, as its chunks see it. A step copies the
    /// values the pass reads into the job (a generated subclass, made once per law instance), then calls
    /// <see cref="Run"/>: under the SIMD kernel the pass runs chunk by chunk, of <see cref="AeSimd.ChunkSize"/>
    /// elements, on the stepping thread or on <see cref="AeWorkers"/>; under the scalar kernel its one
    /// "chunk" is the whole vector, element by element in order, as the reference interpreter runs it.
    /// Each chunk writes its partial reductions to its own slots of <see cref="Partials"/>, and
    /// <see cref="Sum"/>, <see cref="Max"/> and <see cref="Min"/> combine them in chunk order, so the
    /// bits never depend on the thread count.
    /// </summary>
    public abstract class AeChunkJob : IAeChunkJob
    {
        private readonly int _length;
        private readonly int _chunks;
        private readonly int _reductions;
        private int _ran;

        /// <param name="length">the pass's vector length (fixed for the instance)</param>
        /// <param name="reductions">the partial results each chunk writes</param>
        protected AeChunkJob(int length, int reductions)
        {
            _length = length;
            _chunks = AeSimd.Chunks(length);
            _reductions = reductions;
            Partials = new double[Math.Max(_chunks, 1) * reductions];
        }

        /// <summary>Chunk c's partial result r at [c * reductions + r].</summary>
        public double[] Partials { get; }

        /// <summary>Whether this step's pass runs SIMD loops over chunks (else one scalar loop over every element).</summary>
        public bool Simd { get; private set; }

        /// <summary>Whether the pass draws noise in this step; when it does not, its chunks run the loop without the draws.</summary>
        public bool Draws { get; set; }

        /// <summary>Runs the pass with the step's kernel choice and thread cap.</summary>
        public void Run(StepKernel kernel, int maxThreads)
        {
            Simd = AeSimd.UseSimd(kernel, _length);
            if (Simd)
            {
                _ran = _chunks;
                AeWorkers.Run(this, _chunks, AeSimd.Threads(maxThreads, _chunks));
            }
            else
            {
                _ran = 1;
                RunChunk(0);
            }
        }

        /// <summary>The first element of a chunk.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Start(int chunk) => chunk * AeSimd.ChunkSize;

        /// <summary>The element after a chunk (the vector's end in the scalar kernel).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int End(int chunk) => Simd ? (int)Math.Min((long)_length, (long)chunk * AeSimd.ChunkSize + AeSimd.ChunkSize) : _length;

        /// <summary>Partial sum <paramref name="reduction"/> of every chunk, added in chunk order from 0.</summary>
        public double Sum(int reduction)
        {
            double s = 0.0;
            for (int c = 0; c < _ran; c++) s += Partials[c * _reductions + reduction];
            return s;
        }

        /// <summary>The largest partial <paramref name="reduction"/>, taken in chunk order from -inf as <see cref="Math.Max(double, double)"/> takes it.</summary>
        public double Max(int reduction)
        {
            double m = double.NegativeInfinity;
            for (int c = 0; c < _ran; c++) m = Math.Max(m, Partials[c * _reductions + reduction]);
            return m;
        }

        /// <summary>The smallest partial <paramref name="reduction"/>, taken in chunk order from +inf.</summary>
        public double Min(int reduction)
        {
            double m = double.PositiveInfinity;
            for (int c = 0; c < _ran; c++) m = Math.Min(m, Partials[c * _reductions + reduction]);
            return m;
        }

        /// <inheritdoc/>
        public abstract void RunChunk(int chunk);
    }
}
