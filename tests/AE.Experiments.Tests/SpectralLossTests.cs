using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AE.Dsl;
using AE.Dsl.Emit;
using AE.Dsl.Text;
using AE.Experiments.Baselines;
using AE.Experiments.Cells;
using AE.Experiments.Training;
using AE.Runtime.Cells;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary><see cref="SpectralLoss"/> and the synth tasks scored by it (<c>ae train --loss spectral</c>).</summary>
    public class SpectralLossTests
    {
        private static double[] Wave(int n, Func<int, double> at) => Enumerable.Range(0, n).Select(at).ToArray();

        [Fact]
        public void The_gradient_is_the_loss_s_central_difference()
        {
            var random = new Random(7);
            var target = Wave(200, t => Math.Sin(0.7 * t) + 0.1 * (random.NextDouble() - 0.5));
            var output = Wave(200, _ => random.NextDouble() - 0.5);
            var loss = new SpectralLoss(target, frameLength: 32, hop: 13, floor: 1e-3);
            var gradient = new double[200];
            loss.Evaluate(output, gradient);
            var scratch = new double[200];
            const double h = 1e-6;
            foreach (int i in new[] { 0, 5, 31, 32, 77, 150, 183, 199 })
            {
                var probe = (double[])output.Clone();
                probe[i] = output[i] + h;
                double up = loss.Evaluate(probe, scratch);
                probe[i] = output[i] - h;
                double down = loss.Evaluate(probe, scratch);
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"sample {i}: {gradient[i]} against {numeric}");
            }
            // The samples past the last whole frame (13 k + 32 <= 200: frames up to sample 187) are not scored.
            Assert.Equal(0.0, gradient[199]);
            Assert.NotEqual(0.0, gradient[183]);
        }

        [Fact]
        public void A_tone_scores_near_zero_in_any_phase_where_the_mse_cannot_tell_it_from_silence()
        {
            const int n = 8000;
            var sine = Wave(n, t => Math.Sin(2 * Math.PI * 440 * t / 8000.0));
            var loss = new SpectralLoss(sine);
            var gradient = new double[n];
            Assert.Equal(0.0, loss.Evaluate(sine, gradient));
            Assert.All(gradient, g => Assert.Equal(0.0, g));

            double silence = loss.Evaluate(new double[n], gradient);
            var cosine = Wave(n, t => Math.Cos(2 * Math.PI * 440 * t / 8000.0));
            double shifted = loss.Evaluate(cosine, gradient);
            var other = Wave(n, t => Math.Sin(2 * Math.PI * 660 * t / 8000.0));
            double wrongPitch = loss.Evaluate(other, gradient);
            // The MSE of the quarter-period shift is twice silence's (1 against 0.5); the spectral loss puts it far below
            // silence, and a tone of another pitch above it.
            Assert.True(shifted < 0.05 * silence, $"shifted {shifted}, silence {silence}");
            Assert.True(wrongPitch > silence, $"660 Hz {wrongPitch}, silence {silence}");
        }

        [Fact]
        public void Bad_frames_are_refused_with_their_names()
        {
            var target = new double[100];
            Assert.Equal("frameLength", Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralLoss(target, frameLength: 1)).ParamName);
            Assert.Equal("hop", Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralLoss(target, frameLength: 8, hop: 0)).ParamName);
            Assert.Contains("shorter than a frame", Assert.Throws<ArgumentException>(() => new SpectralLoss(target, frameLength: 128)).Message, StringComparison.Ordinal);
        }

        private static readonly Lazy<Func<int, int, int, ICell<double>>> Synth = new(() =>
        {
            var path = Path.Combine(RepoPaths.Root, "cells", "amed_synth.ae");
            var result = AeCompiler.Check(SourceFile.FromBytes(Path.Combine("cells", "amed_synth.ae"), File.ReadAllBytes(path)));
            Assert.False(result.HasErrors);
            return CellCompiler.Compile<double>(EmitTarget.Of(result.Program!).Single());
        });

        /// <summary>
        /// The trainer seeds the backward pass with the task's output gradients alone (the cell's objective switched off):
        /// each parameter's gradient is the central difference of the spectral loss of the whole batch.
        /// </summary>
        [Fact]
        public void The_trainer_s_parameter_gradient_is_that_of_the_spectral_loss()
        {
            var cell = Synth.Value(2, 300, 300);
            var task = new SineSynthTask { Loss = SineSynthTask.Scoring.Spectral };
            var trainer = new Trainer<double>(cell, task, new Adam(cell.ParameterVector.Length), seed: 2);
            Assert.Null(cell.Objective);
            cell.Forward();
            double loss = task.HostLoss(cell);
            cell.ZeroGrad();
            cell.Backward();
            var gradient = cell.GradientVector.ToArray();
            Assert.Equal(loss, trainer.Evaluate());

            var theta = cell.ParameterVector;
            const double h = 1e-6;
            // f_net's and d_net's output biases, a hidden weight of each net, sigma_net's output bias.
            var probes = new List<int>();
            int offset = 0;
            foreach (var p in cell.Parameters)
            {
                if (p.Name is "f_net.2.bias" or "d_net.2.bias" or "sigma_net.2.bias" or "f_net.0.weight" or "d_net.2.weight") probes.Add(offset + p.Size / 2);
                offset += p.Size;
            }
            Assert.Equal(5, probes.Count);
            foreach (int i in probes)
            {
                double keep = theta[i];
                theta[i] = keep + h;
                double up = trainer.Evaluate();
                theta[i] = keep - h;
                double down = trainer.Evaluate();
                theta[i] = keep;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-4 * Math.Max(1e-3, Math.Abs(numeric)), $"parameter {i}: {gradient[i]} against {numeric}");
            }
        }

        [Fact]
        public void A_spectral_run_needs_one_frame_and_says_so_in_its_identity()
        {
            var task = new SineSynthTask { Loss = SineSynthTask.Scoring.Spectral };
            Assert.Equal("sine-synth loss=spectral", task.Identity);
            Assert.Equal("sine-synth", new SineSynthTask().Identity);
            var cell = Synth.Value(1, 255, 255);
            var ex = Assert.Throws<TrainingException>(() => new Trainer<double>(cell, task, new Adam(cell.ParameterVector.Length), seed: 0));
            Assert.Equal("the spectral loss needs a time of at least 256 (one frame), not 255", ex.Message);
        }
    }
}
