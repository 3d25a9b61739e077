using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using AE.Experiments.Training;
using Xunit;

namespace AE.Cli.Tests
{
    /// <summary><c>ae train</c>: short runs of the tasks, resume through files, and bad input as one line.</summary>
    public class TrainCommandTests
    {
        /// <summary>
        /// Two runs' final checkpoints hold the same state bit for bit: equal but for each run's own key (and so the checksum),
        /// which differ because they are two runs; a resumed run keeps the key of the run it continues.
        /// </summary>
        private static void AssertSameCheckpointButKey(string whole, string resumed)
        {
            string wholeKey = TrainingCheckpoint.RunKeyOf(whole)!, resumedKey = TrainingCheckpoint.RunKeyOf(resumed)!;
            Assert.NotEqual(wholeKey, resumedKey);
            static byte[] State(string path, string key)
            {
                var bytes = File.ReadAllBytes(path).AsSpan(..^32).ToArray();   // the SHA-256 of the rest ends the file
                var keyBytes = System.Text.Encoding.UTF8.GetBytes(key);
                int at = bytes.AsSpan().IndexOf(keyBytes);
                Assert.True(at > 0);
                return bytes.Take(at).Concat(bytes.Skip(at + keyBytes.Length)).ToArray();
            }
            Assert.Equal(State(whole, wholeKey), State(resumed, resumedKey));
        }

        private static string Cell(string file) => Path.Combine(Repo.Root, "cells", file);

        /// <summary>A lagged cell is refused in one line by train, bench and grad (each ran it unlagged under the variant's name).</summary>
        [Fact]
        public void A_lagged_cell_is_one_line_and_exit_2()
        {
            using var dir = new TempDirectory();
            dir.Write("lag.ae", "cell Lg {\n  dim d = 8;\n  input x: real[d];\n  input target: real[d];\n  net f: linear(d -> d);\n  signal y: real[d];\n  objective mse: real;\n"
                + "  update { y = f(x); mse = mean((y - target) ^ 2); }\n}\ncell LgLag = Lg lagged;\n");
            const string Expected = "ae: error: cell LgLag is lagged; cells run and are differentiated unlagged only so far (no backend lags a cell's reductions)";
            var train = Cli.Run(dir.Path, "train", "lag.ae", "--name", "LgLag", "--task", "ame-sequence", "--epochs", "1", "--db", "runs.db");
            Assert.Equal(2, train.ExitCode);
            Assert.Equal(new[] { Expected }, train.StderrLines);
            var bench = Cli.Run(dir.Path, "bench", "lag.ae", "--name", "LgLag", "--batch", "2", "--time", "3");
            Assert.Equal(2, bench.ExitCode);
            Assert.Equal(new[] { Expected }, bench.StderrLines);
            var grad = Cli.Run(dir.Path, "grad", "lag.ae", Path.Combine(Repo.Golden, "cell_amelayer.json"), "--name", "LgLag", "--backend", "reference");
            Assert.Equal(2, grad.ExitCode);
            Assert.Equal(new[] { Expected }, grad.StderrLines);
            Assert.False(File.Exists(Path.Combine(dir.Path, "runs.db")));
        }

        [Fact]
        public void A_short_sine_synth_run_lowers_the_loss_and_writes_its_files()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("amed_synth.ae"), "--task", "sine-synth", "--time", "200", "--epochs", "15", "--lr", "0.01",
                "--seed", "3", "--out", "run", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var root = json.RootElement;
            Assert.Equal(15, root.GetProperty("epochs").GetInt32());
            Assert.Equal(200, root.GetProperty("time").GetInt32());
            double first = root.GetProperty("first_loss").GetDouble(), final = root.GetProperty("final_loss").GetDouble();
            Assert.True(final < 0.5 * first, $"first {first}, final {final}");
            Assert.True(root.GetProperty("metrics").TryGetProperty("error_db", out _));
            // 440 periods over 200 steps play at 8 kHz as 440 · 8000 / 199 Hz, folded below 4 kHz
            Assert.InRange(root.GetProperty("metrics").GetProperty("target_hz").GetDouble(), 1688.44, 1688.45);
            string run = Path.Combine(dir.Path, "run");
            Assert.Equal(44 + 2 * 200, new FileInfo(Path.Combine(run, "sine-synth.wav")).Length);
            Assert.Equal(16, File.ReadAllLines(Path.Combine(run, "curve.csv")).Length);   // the header and 15 epochs
            Assert.True(File.Exists(Path.Combine(run, "weights.safetensors")));
            Assert.Contains("sine-synth by Adam", Plots.LoadSvg(Path.Combine(run, "curve.svg")).Texts);   // the default optimizer
            Plots.AssertPng(Path.Combine(run, "curve.png"), AE.Cli.Plots.FigureRenderer.Width);
            var samples = File.ReadAllLines(Path.Combine(run, "sine-synth-first500.csv"));
            Assert.Equal(201, samples.Length);                                            // the header and T = 200 samples
            Assert.Equal("0,0,", samples[1].Substring(0, 4));                            // the sine starts at 0
            Assert.True(File.Exists(Path.Combine(run, "checkpoint.aetrain")));
            Assert.Empty(Directory.GetFiles(run, "*.tmp-*"));
            // stored under the name ablate and sweep give the same baseline, so one query finds both
            Assert.Equal("adam", Experiments.Text(Path.Combine(dir.Path, "ae-runs.db"), "SELECT law FROM runs"));
            // every file is one the run names before it starts, which its refusal to overwrite checks
            var named = TrainCommand.OutputNames(new AE.Experiments.Training.SineSynthTask()).Append("checkpoint.aetrain").Order(StringComparer.Ordinal);
            Assert.Equal(named, Directory.GetFiles(run).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }

        /// <summary>
        /// A folder holding a file the run would write, with no checkpoint there that the run resumes, is refused before the
        /// run: the file is the user's, or a run's whose checkpoint was moved away.
        /// </summary>
        [Theory]
        [InlineData("curve.csv", "")]
        [InlineData("sine-synth.wav", "")]
        [InlineData("sine-synth-first500.png", "--resume elsewhere/checkpoint.aetrain")]
        public void A_run_does_not_overwrite_a_file_that_is_not_its_own(string taken, string more)
        {
            using var dir = new TempDirectory();
            string[] common = { "train", Cell("amed_synth.ae"), "--task", "sine-synth", "--time", "10" };
            if (more.Length > 0) Assert.Equal(0, Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "1", "--out", "elsewhere" }).ToArray()).ExitCode);
            dir.Write("run/" + taken, "mine\n");
            var r = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "2", "--out", "run", "--db", "runs.db" }).Concat(more.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray());
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: run/" + taken + " exists and this run would overwrite it (it resumes no checkpoint of that folder): give another --out, or move the file" }, r.StderrLines);
            Assert.Equal("mine\n", File.ReadAllText(Path.Combine(dir.Path, "run", taken)));
            Assert.Equal(new[] { taken }, Directory.GetFiles(Path.Combine(dir.Path, "run")).Select(Path.GetFileName));
            Assert.False(File.Exists(Path.Combine(dir.Path, "runs.db")));
        }

        private static double Num(string text) => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        [Fact]
        public void Sine_synth_plots_its_first_500_samples_against_the_target()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("amed_synth.ae"), "--task", "sine-synth", "--epochs", "2", "--out", "run", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var files = json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()).ToList();
            Assert.Contains("run/sine-synth-first500.svg", files);
            Assert.Contains("run/sine-synth-first500.png", files);
            Plots.AssertPng(Path.Combine(dir.Path, "run", "sine-synth-first500.png"), AE.Cli.Plots.FigureRenderer.Width, 36 + 190 + 22);
            var (svg, texts) = Plots.LoadSvg(Path.Combine(dir.Path, "run", "sine-synth-first500.svg"));
            Assert.Contains("target and output", texts);                                    // the panel's title
            Assert.Contains("target", texts);                                               // the legend
            Assert.Contains("output", texts);
            Assert.Contains("sample", texts);                                               // the x axis
            var rows = File.ReadAllLines(Path.Combine(dir.Path, "run", "sine-synth-first500.csv")).Skip(1).Select(l => l.Split(',')).ToList();
            Assert.Equal(500, rows.Count);
            Assert.Equal("0", rows[0][1]);                                                  // the target starts at sin(0)
            // Each series is one line in its colour (the target blue, the output red; the legend's short
            // strokes aside) with a point per sample, and its heights are the CSV's column through one affine
            // map (the panel's y axis), the same for both series.
            var lines = new[] { "#1f77b4", "#d62728" }.Select(c => Plots.Lines(svg, c).OrderByDescending(l => l.Count).First()).ToList();
            var pairs = new List<(double Value, double Y)>();
            for (int series = 0; series < 2; series++)
            {
                Assert.Equal(500, lines[series].Count);                                     // of the 8000 samples, the first 500
                var xs = lines[series].Select(p => p.X).ToList();
                Assert.Equal(xs.OrderBy(x => x), xs);
                for (int t = 0; t < 500; t++) pairs.Add((Num(rows[t][1 + series]), lines[series][t].Y));
            }
            double meanV = pairs.Average(p => p.Value), meanY = pairs.Average(p => p.Y);
            double slope = pairs.Sum(p => (p.Value - meanV) * (p.Y - meanY)) / pairs.Sum(p => (p.Value - meanV) * (p.Value - meanV));
            Assert.True(slope < 0, "larger values are drawn higher up");
            double span = pairs.Max(p => p.Y) - pairs.Min(p => p.Y);
            Assert.All(pairs, p => Assert.True(System.Math.Abs(meanY + slope * (p.Value - meanV) - p.Y) <= 0.01 * span, $"{p.Value} drawn at {p.Y}"));
        }

        [Fact]
        public void A_short_residual_dynamics_run_with_an_ae_law_lowers_the_loss()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "30", "--batch", "4", "--epochs", "10",
                "--optimizer", Repo.SgdmLaw, "--format", "json", "--db", "runs.db");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            Assert.StartsWith("law AeSgdm ", json.RootElement.GetProperty("optimizer").GetString(), System.StringComparison.Ordinal);
            double first = json.RootElement.GetProperty("first_loss").GetDouble();
            Assert.True(json.RootElement.GetProperty("final_loss").GetDouble() < first);

            // The run and its per-epoch curve, with the law's signals, in the store 'ae run' writes.
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(dir.Path, "runs.db"));
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT command || ' ' || law || ' ' || task || ' ' || steps_taken, initial_loss, (SELECT count(*) FROM steps WHERE run_id = runs.id),"
                + " (SELECT json_extract(signals, '$.alpha') FROM steps WHERE run_id = runs.id AND step = 10) FROM runs";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal("train AeSgdm train:residual-dynamics 10", reader.GetString(0));
            Assert.Equal(first, reader.GetDouble(1));
            Assert.Equal(10, reader.GetInt64(2));
            Assert.True(reader.GetDouble(3) > 0, "the law's alpha after the last epoch");
            Assert.False(reader.Read());
        }

        [Fact]
        public void Resuming_a_run_writes_the_weights_of_the_run_never_interrupted()
        {
            using var dir = new TempDirectory();
            string[] common = { "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "20", "--batch", "3", "--seed", "4" };
            Assert.Equal(0, Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "7", "--out", "whole" }).ToArray()).ExitCode);
            Assert.Equal(0, Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "3", "--out", "part" }).ToArray()).ExitCode);
            var resumed = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "7", "--out", "part", "--resume", "part/checkpoint.aetrain" }).ToArray());
            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            Assert.Contains("resumed after 3", resumed.Stdout, System.StringComparison.Ordinal);
            foreach (var f in new[] { "weights.safetensors", "curve.csv" })
                Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, "whole", f)), File.ReadAllBytes(Path.Combine(dir.Path, "part", f)));
            AssertSameCheckpointButKey(Path.Combine(dir.Path, "whole", "checkpoint.aetrain"), Path.Combine(dir.Path, "part", "checkpoint.aetrain"));
            // The resumed run is stored whole, as the run never interrupted (runs 1, 2, 3): epochs 1 to 7 with its losses, and
            // its plot is that run's (the checkpoint keeps the epochs' log; the store and the plot held only this process's).
            string db = Path.Combine(dir.Path, Experiment.DefaultDatabase);
            Assert.Equal(StoredSteps(db, 1), StoredSteps(db, 3));
            Assert.Equal(7, Experiments.Scalar(db, "SELECT steps_taken FROM runs WHERE id = 3"));
            // (ScottPlot numbers its clip paths per process, and both runs ran in this one)
            static string Svg(string path) => System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), "cl_[0-9a-z]+", "cl");
            Assert.Equal(Svg(Path.Combine(dir.Path, "whole", "curve.svg")), Svg(Path.Combine(dir.Path, "part", "curve.svg")));
            using (var stored = AE.Cli.Report.StoredRuns.Open(db))
                Assert.Equal(1, stored.Steps(3, System.Array.Empty<string>()).First);
        }

        private static List<(long Step, double Loss)> StoredSteps(string db, long run)
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + db + ";Mode=ReadOnly");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT step, loss FROM steps WHERE run_id = " + run + " ORDER BY step";
            using var reader = command.ExecuteReader();
            var rows = new List<(long, double)>();
            while (reader.Read()) rows.Add((reader.GetInt64(0), reader.GetDouble(1)));
            return rows;
        }

        /// <summary>--epochs counts the whole run: fewer than the checkpoint holds is one line, and the checkpoint is left as it was; an unknown --name says "no cell".</summary>
        [Fact]
        public void Resuming_with_fewer_epochs_than_the_checkpoint_or_an_unknown_cell_is_one_line()
        {
            using var dir = new TempDirectory();
            string[] common = { "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "5", "--batch", "2" };
            Assert.Equal(0, Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "3", "--out", "o", "--db", "r.db" }).ToArray()).ExitCode);
            var before = File.ReadAllBytes(Path.Combine(dir.Path, "o", "checkpoint.aetrain"));
            var fewer = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "2", "--out", "o", "--resume", "o/checkpoint.aetrain" }).ToArray());
            Assert.Equal(2, fewer.ExitCode);
            Assert.Equal(new[] { "ae: error: --epochs 2 is fewer than the 3 epochs of the checkpoint; --epochs counts the whole run, the checkpoint's included. Run 'ae train --help'" }, fewer.StderrLines);
            Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir.Path, "o", "checkpoint.aetrain")));
            // as many as it holds: no epoch to train; a run stored before keeps its row and id, and the files are written again
            var same = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "3", "--out", "o", "--resume", "o/checkpoint.aetrain", "--db", "r.db" }).ToArray());
            Assert.Equal(0, same.ExitCode);
            Assert.Equal(new[] { "ae: this checkpoint's run is stored already, as run 1; nothing more to train, its files are written again" }, same.StderrLines);
            Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir.Path, "o", "checkpoint.aetrain")));
            Assert.Equal(1, Experiments.Scalar(Path.Combine(dir.Path, "r.db"), "SELECT count(*) FROM runs"));
            Assert.Equal(1, Experiments.Scalar(Path.Combine(dir.Path, "r.db"), "SELECT max(id) FROM runs"));
            // a store that lacks the run (the process stopped between that checkpoint and storing it) gets it stored
            var unstored = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "3", "--out", "o", "--resume", "o/checkpoint.aetrain", "--db", "fresh.db" }).ToArray());
            Assert.Equal(0, unstored.ExitCode);
            Assert.Equal("", unstored.Stderr);
            Assert.Equal(1, Experiments.Scalar(Path.Combine(dir.Path, "fresh.db"), "SELECT count(*) FROM runs WHERE status <> 'interrupted'"));
            var unknown = Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--name", "Nope", "--task", "residual-dynamics");
            Assert.Equal(2, unknown.ExitCode);
            Assert.Equal(new[] { "ae: error: no cell 'Nope' in " + Cell("residual_dynamics.ae") + "; valid names: DynamicsModelResidual" }, unknown.StderrLines);

            // a run stopped at a loss that is not finite leaves a checkpoint that is not resumed: it would stop there again
            string[] blowing = { "train", Cell("ame_layer.ae"), "--task", "ame-sequence", "--time", "5", "--batch", "2", "--optimizer", "sgdm", "--lr", "1e6", "--no-progress" };
            var blown = Cli.Run(dir.Path, blowing.Concat(new[] { "--epochs", "5", "--out", "nf" }).ToArray());
            Assert.True(blown.ExitCode == 1, blown.Stderr);
            var resumed = Cli.Run(dir.Path, blowing.Concat(new[] { "--epochs", "8", "--out", "nf", "--resume", "nf/checkpoint.aetrain" }).ToArray());
            Assert.Equal(2, resumed.ExitCode);
            Assert.Matches(@"^ae: error: the checkpoint's run stopped at epoch \d: the loss is (nan|-?inf); resumed, it would stop there again: start again with other settings \(a lower --lr, say\)$", Assert.Single(resumed.StderrLines));
        }

        /// <summary>The text summary's metrics share one column, the longest name's (persistence_test_mse pushed its value out).</summary>
        [Fact]
        public void The_text_summary_aligns_every_metric()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("ame_layer.ae"), "--task", "ame-sequence", "--time", "5", "--batch", "2", "--epochs", "1", "--db", "runs.db", "--no-progress");
            Assert.True(r.ExitCode == 0, r.Stderr);
            var metrics = r.StdoutLines.Where(l => l.StartsWith("persistence_test_mse ", StringComparison.Ordinal) || l.StartsWith("test_mse ", StringComparison.Ordinal)
                || l.StartsWith("train_mse ", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, metrics.Count);
            Assert.Single(metrics.Select(l => l.IndexOf(' ', StringComparison.Ordinal) + l.Substring(l.IndexOf(' ', StringComparison.Ordinal)).TakeWhile(c => c == ' ').Count()).Distinct());
        }

        /// <summary>
        /// A batch split over threads trains and resumes bit for bit with the same count; its first loss is one thread's (the
        /// forward values are the same); a checkpoint resumed with another count is one line and nothing is overwritten.
        /// </summary>
        [Fact]
        public void A_threaded_run_resumes_bit_for_bit_with_its_thread_count_and_refuses_another()
        {
            using var dir = new TempDirectory();
            string[] common = { "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "12", "--batch", "5", "--seed", "2", "--format", "json" };
            var one = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "6", "--out", "one" }).ToArray());
            Assert.True(one.ExitCode == 0, one.Stderr);
            var whole = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "6", "--threads", "2", "--out", "whole" }).ToArray());
            Assert.True(whole.ExitCode == 0, whole.Stderr);
            using (var a = System.Text.Json.JsonDocument.Parse(one.Stdout))
            using (var b = System.Text.Json.JsonDocument.Parse(whole.Stdout))
            {
                Assert.Equal(a.RootElement.GetProperty("first_loss").GetDouble(), b.RootElement.GetProperty("first_loss").GetDouble());
                Assert.True(b.RootElement.GetProperty("final_loss").GetDouble() < b.RootElement.GetProperty("first_loss").GetDouble());
            }
            Assert.Equal(0, Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "2", "--threads", "2", "--out", "part" }).ToArray()).ExitCode);
            var before = File.ReadAllBytes(Path.Combine(dir.Path, "part", "checkpoint.aetrain"));
            var other = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "6", "--threads", "3", "--out", "part", "--resume", "part/checkpoint.aetrain" }).ToArray());
            Assert.Equal(2, other.ExitCode);
            Assert.Equal(new[] { "ae: error: the checkpoint checkpoint.aetrain is of thread count 2, this run's is 3" }, other.StderrLines);
            Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir.Path, "part", "checkpoint.aetrain")));
            var resumed = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "6", "--threads", "2", "--out", "part", "--resume", "part/checkpoint.aetrain" }).ToArray());
            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            foreach (var f in new[] { "weights.safetensors", "curve.csv" })
                Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, "whole", f)), File.ReadAllBytes(Path.Combine(dir.Path, "part", f)));
            AssertSameCheckpointButKey(Path.Combine(dir.Path, "whole", "checkpoint.aetrain"), Path.Combine(dir.Path, "part", "checkpoint.aetrain"));
            // The resumed run is stored whole, with the losses of the run never interrupted (runs: one 1, whole 2, part 3, resumed 4).
            string db = Path.Combine(dir.Path, Experiment.DefaultDatabase);
            Assert.Equal(StoredSteps(db, 2), StoredSteps(db, 4));
        }

        /// <summary>
        /// The epoch whose loss stops the run (before its step) is stored with its loss and no signals: its row repeated the
        /// last step's signals, L included, as if that step had seen this loss.
        /// </summary>
        [Fact]
        public void The_epoch_that_stops_a_run_before_its_step_is_stored_without_signals()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("amed_synth.ae"), "--task", "sine-synth", "--epochs", "20", "--time", "500", "--optimizer", "sgdm", "--lr", "1e3",
                "--db", "n.db", "--no-progress");
            Assert.Equal(1, r.ExitCode);
            string db = Path.Combine(dir.Path, "n.db");
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + db + ";Mode=ReadOnly");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT step, loss, signals FROM steps WHERE run_id = 1 ORDER BY step";
            using var reader = command.ExecuteReader();
            var rows = new List<(long Step, double Loss, string Signals)>();
            while (reader.Read()) rows.Add((reader.GetInt64(0), reader.IsDBNull(1) ? double.NaN : reader.GetDouble(1), reader.GetString(2)));
            var last = rows[^1];
            Assert.False(double.IsFinite(last.Loss), "the run stopped at a loss that is not finite");
            Assert.Contains("\"L\":", rows[^2].Signals, System.StringComparison.Ordinal);
            using var signals = System.Text.Json.JsonDocument.Parse(last.Signals);
            Assert.NotEmpty(signals.RootElement.EnumerateObject());
            Assert.All(signals.RootElement.EnumerateObject(), p => Assert.Equal("NaN", p.Value.GetString()));
        }

        /// <summary>Stderr that cancels the run once a progress line names the given epoch: a Ctrl-C at a known place.</summary>
        private sealed class CancelAt : StringWriter
        {
            private readonly string _line;
            private readonly System.Threading.CancellationTokenSource _cancel;

            public CancelAt(string line, System.Threading.CancellationTokenSource cancel) { _line = line; _cancel = cancel; }

            public override void WriteLine(string? value)
            {
                base.WriteLine(value);
                if (value is not null && value.StartsWith(_line, System.StringComparison.Ordinal)) _cancel.Cancel();
            }
        }

        [Fact]
        public void A_run_interrupted_mid_way_leaves_a_checkpoint_that_resumes_bit_for_bit()
        {
            using var dir = new TempDirectory();
            string[] common = { "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "20", "--batch", "3", "--seed", "6", "--epochs", "10", "--optimizer", Repo.SgdmLaw };
            Assert.Equal(0, Cli.Run(dir.Path, common.Concat(new[] { "--out", "whole" }).ToArray()).ExitCode);

            using var cancel = new System.Threading.CancellationTokenSource();
            using var stdout = new StringWriter();
            using var stderr = new CancelAt("epoch 4/10", cancel);
            int exit = CliApp.Run(common.Concat(new[] { "--out", "cut" }).ToArray(), new CliContext(stdout, stderr, dir.Path) { Cancellation = cancel.Token });
            Assert.Equal(ExitCodes.Interrupted, exit);
            Assert.Contains("ae: interrupted after epoch 4; resume with --resume cut/checkpoint.aetrain", stderr.ToString(), System.StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir.Path, "cut", "weights.safetensors")));

            var resumed = Cli.Run(dir.Path, common.Concat(new[] { "--out", "cut", "--resume", "cut/checkpoint.aetrain" }).ToArray());
            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            Assert.Contains("resumed after 4", resumed.Stdout, System.StringComparison.Ordinal);
            foreach (var f in new[] { "weights.safetensors", "curve.csv" })
                Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, "whole", f)), File.ReadAllBytes(Path.Combine(dir.Path, "cut", f)));
            AssertSameCheckpointButKey(Path.Combine(dir.Path, "whole", "checkpoint.aetrain"), Path.Combine(dir.Path, "cut", "checkpoint.aetrain"));
        }

        [Fact]
        public void The_checkpoint_of_another_cell_is_one_line_and_nothing_is_overwritten()
        {
            using var dir = new TempDirectory();
            Assert.Equal(0, Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--epochs", "2", "--out", "run").ExitCode);
            string run = Path.Combine(dir.Path, "run");
            var before = Directory.GetFiles(run).OrderBy(f => f).Select(File.ReadAllBytes).ToList();
            var r = Cli.Run(dir.Path, "train", Cell("amed_synth.ae"), "--task", "sine-synth", "--time", "10", "--epochs", "4", "--out", "run", "--resume", "run/checkpoint.aetrain");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: the checkpoint checkpoint.aetrain is of cell DynamicsModelResidual, this run's is AmedSynth" }, r.StderrLines);
            Assert.Equal(before, Directory.GetFiles(run).OrderBy(f => f).Select(File.ReadAllBytes).ToList());

            var bytes = File.ReadAllBytes(Path.Combine(run, "checkpoint.aetrain"));
            dir.WriteBytes("cut.aetrain", bytes.Take(bytes.Length / 2).ToArray());
            var cut = Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--epochs", "4", "--out", "run", "--resume", "cut.aetrain");
            Assert.Equal(2, cut.ExitCode);
            Assert.Equal(new[] { "ae: error: the checkpoint cut.aetrain is truncated" }, cut.StderrLines);
            Assert.Equal(before, Directory.GetFiles(run).OrderBy(f => f).Select(File.ReadAllBytes).ToList());

            // A new run of other settings into the folder would overwrite the checkpoint that can still extend the first.
            var fresh = Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--epochs", "2", "--seed", "3", "--out", "run");
            Assert.Equal(2, fresh.ExitCode);
            Assert.Equal(new[] { "ae: error: run/checkpoint.aetrain is the checkpoint of another run (DynamicsModelResidual on residual-dynamics by adam lr=0.001, seed 0), which this run would overwrite: resume that run with --resume run/checkpoint.aetrain, or give another --out" }, fresh.StderrLines);
            Assert.Equal(before, Directory.GetFiles(run).OrderBy(f => f).Select(File.ReadAllBytes).ToList());
            // The same run started afresh would replace its progress (a shorter or stopped start loses epochs): continue it instead.
            var again = Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--epochs", "1", "--out", "run");
            Assert.Equal(2, again.ExitCode);
            Assert.Equal(new[] { "ae: error: run/checkpoint.aetrain holds this run's progress, which a fresh start would overwrite: continue it with --resume run/checkpoint.aetrain, or give another --out to start over" }, again.StderrLines);
            Assert.Equal(before, Directory.GetFiles(run).OrderBy(f => f).Select(File.ReadAllBytes).ToList());
            Assert.Equal(0, Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--epochs", "3", "--out", "run",
                "--resume", "run/checkpoint.aetrain").ExitCode);
        }

        /// <summary>
        /// Binary cross-entropy is never negative: written softplus(y) − target · y it cancelled in float32 where y was large
        /// and the target 1, and 12,739 of 40,000 epochs of this run stored a loss below 0 (down to −5.3e-8).
        /// </summary>
        [Fact]
        public void A_long_tape_copy_run_stores_no_negative_loss()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("tape_copy.ae"), "--task", "tape-copy", "--batch", "8", "--epochs", "40000", "--db", "runs.db", "--out", "run", "--no-progress");
            Assert.True(r.ExitCode == 0, r.Stderr);
            var losses = File.ReadAllLines(Path.Combine(dir.Path, "run", "curve.csv")).Skip(1)
                .Select(l => double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(40000, losses.Count);
            Assert.All(losses, loss => Assert.True(loss >= 0, "loss " + loss));
            Assert.True(losses[^1] < 1e-6, "the copy is learned: " + losses[^1]);
        }

        [Fact]
        public void A_short_tape_copy_run_lowers_the_loss_and_reports_copy_accuracy()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("tape_copy.ae"), "--task", "tape-copy", "--batch", "8", "--epochs", "100", "--format", "json", "--db", "runs.db");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var root = json.RootElement;
            Assert.Equal(16, root.GetProperty("time").GetInt32());                        // 8 items shown, then recalled
            double first = root.GetProperty("first_loss").GetDouble(), final = root.GetProperty("final_loss").GetDouble();
            Assert.True(final < first, $"first {first}, final {final}");
            double accuracy = root.GetProperty("metrics").GetProperty("copy_accuracy").GetDouble();
            Assert.InRange(accuracy, 0.0, 1.0);
            Assert.Equal(0.0, accuracy * 8 * 8 * 4 % 1.0, 9);                              // a share of the 256 held-out bits

            var other = Cli.Run(dir.Path, "train", Cell("tape_copy.ae"), "--task", "tape-copy", "--time", "10", "--out", "never");
            Assert.Equal(2, other.ExitCode);
            Assert.Equal(new[] { "ae: error: the task tape-copy shows 8 items and recalls them: its time is 16, not 10" }, other.StderrLines);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "never")));
        }

        [Fact]
        public void An_unknown_task_or_a_cell_that_does_not_fit_is_one_line()
        {
            using var dir = new TempDirectory();
            var unknown = Cli.Run(dir.Path, "train", Cell("amed_synth.ae"), "--task", "nope");
            Assert.Equal(2, unknown.ExitCode);
            Assert.Single(unknown.StderrLines);
            Assert.StartsWith("ae: error: unknown task 'nope'; the tasks: sine-synth, saw-synth, square-synth, residual-dynamics, ame-sequence, tape-copy, fashion-rows.", unknown.StderrLines[0], System.StringComparison.Ordinal);

            var misfit = Cli.Run(dir.Path, "train", Cell("ame_layer.ae"), "--task", "sine-synth", "--epochs", "1", "--out", "never");
            Assert.Equal(2, misfit.ExitCode);
            Assert.Equal(new[] { "ae: error: the cell AmeLayer does not fit the task sine-synth: it needs input 'eps' [1], the cell's is [32]" }, misfit.StderrLines);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "never")));
            Assert.Empty(misfit.Stdout);

            // an input the task writes nothing into read 0 at every step: the run trained as if the cell had no such input
            dir.Write("extra.ae", "cell ExtraIn {\n  dim n_in = 8;\n  input x: real[n_in];\n  input target: real[n_in];\n  input noize: real[32];\n  net r: linear(n_in -> n_in);\n"
                + "  signal y: real[n_in];\n  objective o: real;\n  update {\n    y = r(x) * (1 + sum(noize));\n    o = mean((y - target) ^ 2);\n  }\n}\n");
            var unfed = Cli.Run(dir.Path, "train", "extra.ae", "--task", "ame-sequence", "--epochs", "1", "--out", "never");
            Assert.Equal(2, unfed.ExitCode);
            Assert.Equal(new[] { "ae: error: the cell ExtraIn does not fit the task ame-sequence: its input 'noize' [32] is written by no input of the task (it writes x [8], eps [32] if declared, target [8]); remove it, or name it as one of those" },
                unfed.StderrLines);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "never")));
        }

        /// <summary>
        /// The files and the final loss are of the parameters from before the step that made the loss not finite: the run
        /// wrote the parameters whose loss was NaN (or NaN parameters) while saying they were the last finite ones.
        /// </summary>
        [Fact]
        public void A_loss_that_is_not_finite_stops_the_run_says_so_and_exits_1_with_its_files_written()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--epochs", "50",
                "--optimizer", "sgdm", "--lr", "1e30", "--out", "run", "--format", "json");
            Assert.Equal(1, r.ExitCode);
            using var json = JsonDocument.Parse(r.Stdout);
            int epochs = json.RootElement.GetProperty("epochs").GetInt32();
            Assert.InRange(epochs, 2, 49);   // the first loss is finite; the run stops at the first that is not
            string last = r.StderrLines[^1];
            Assert.StartsWith("ae: the loss of epoch " + epochs + " is ", last, System.StringComparison.Ordinal);
            Assert.EndsWith(": training stopped there, before its step (the run is stored as non-finite; the final loss and the files are those of the parameters from before the step of epoch "
                + (epochs - 1) + ", whose loss was finite); a smaller learning rate may keep it finite", last, System.StringComparison.Ordinal);
            var curve = File.ReadAllLines(Path.Combine(dir.Path, "run", "curve.csv"));
            Assert.Equal(epochs + 1, curve.Length);
            Assert.Contains(curve[^1].Split(',')[1], new[] { "nan", "inf", "-inf" }); // as every table of the CLI writes them, and NumPy and pandas read them
            // the final loss is that of the epoch before, whose parameters the files hold
            Assert.Equal(Num(curve[^2].Split(',')[1]), json.RootElement.GetProperty("final_loss").GetDouble());
            var weights = AE.Runtime.Tensors.SafeTensors.Read(Path.Combine(dir.Path, "run", "weights.safetensors"));
            Assert.All(weights.Names, name => Assert.All(weights[name].Float32!, v => Assert.True(float.IsFinite(v), name)));
            Assert.Equal("non-finite", Experiments.Text(Path.Combine(dir.Path, "ae-runs.db"), "SELECT status FROM runs"));
            Assert.Equal("sgdm", Experiments.Text(Path.Combine(dir.Path, "ae-runs.db"), "SELECT law FROM runs"));   // as ablate names it
            // they start another run
            var again = Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--epochs", "2",
                "--init", "run/weights.safetensors", "--no-progress", "--db", "again.db");
            Assert.True(again.ExitCode == 0, again.Stderr);
        }

        /// <summary>
        /// A gradient that is not finite is caught before its step and named: d/dk 0.001 log(k) overflows once Adam's step at
        /// lr 1 has taken k below 0 and the projection has put it at the smallest value above the open end. The run wrote
        /// k = NaN and blamed the learning rate.
        /// </summary>
        [Fact]
        public void A_gradient_that_is_not_finite_is_named_and_the_files_keep_the_parameters_before_its_step()
        {
            using var dir = new TempDirectory();
            dir.Write("logk.ae", "cell LogK {\n  input x: real[8];\n  input target: real[8];\n  param k in (0, 1] = 0.5;\n  net W: linear(8 -> 8);\n  signal y: real[8];\n"
                + "  objective mse: real;\n  update { y = W(x); mse = mean((y - target) ^ 2) + k + 0.001 * log(k); }\n}\n");
            string[] common = { "train", "logk.ae", "--task", "ame-sequence", "--time", "10", "--batch", "4", "--lr", "1", "--no-progress" };
            var r = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "20", "--out", "run", "--format", "json" }).ToArray());
            Assert.Equal(1, r.ExitCode);
            using var json = JsonDocument.Parse(r.Stdout);
            int epochs = json.RootElement.GetProperty("epochs").GetInt32();
            Assert.InRange(epochs, 2, 19);
            Assert.Equal(new[] { "ae: epoch " + epochs + ": the gradient of 'k' is not finite (inf): training stopped there, before its step (the run is stored as non-finite; "
                + "the final loss and the files are those of the parameters it stopped at, whose loss is finite)" }, r.StderrLines);
            var curve = File.ReadAllLines(Path.Combine(dir.Path, "run", "curve.csv"));
            Assert.Equal(epochs + 1, curve.Length);
            Assert.Equal(Num(curve[^1].Split(',')[1]), json.RootElement.GetProperty("final_loss").GetDouble());
            var weights = AE.Runtime.Tensors.SafeTensors.Read(Path.Combine(dir.Path, "run", "weights.safetensors"));
            Assert.All(weights.Names, name => Assert.All(weights[name].Float32!, v => Assert.True(float.IsFinite(v), name)));
            Assert.True(weights["k"].Float32![0] > 0);
            Assert.Equal("non-finite", Experiments.Text(Path.Combine(dir.Path, "ae-runs.db"), "SELECT status FROM runs"));
            // the weights load again, and the checkpoint is not resumed: it would stop at the same epoch
            var init = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "0", "--init", "run/weights.safetensors" }).ToArray());
            Assert.True(init.ExitCode == 0, init.Stderr);
            var resumed = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "30", "--out", "run", "--resume", "run/checkpoint.aetrain" }).ToArray());
            Assert.Equal(2, resumed.ExitCode);
            Assert.Equal(new[] { "ae: error: the checkpoint's run stopped at epoch " + epochs + ": the gradient of 'k' is not finite (inf); resumed, it would stop there again: "
                + "start again with other settings (a lower --lr, say)" }, resumed.StderrLines);
        }

        /// <summary>A cell with no real param and no net (its params int, or none) was an internal error: no optimizer steps no values.</summary>
        [Theory]
        [InlineData("", "")]
        [InlineData("", "--optimizer sgdm")]
        [InlineData("", "--epochs 0")]
        [InlineData("", "--optimizer LAW")]
        [InlineData("  param s: int = 2;\n", "")]
        public void A_cell_with_nothing_to_train_is_one_line(string param, string options)
        {
            using var dir = new TempDirectory();
            dir.Write("still.ae", "cell Still {\n" + param + "  input x: real[8];\n  input target: real[8];\n  signal y: real[8];\n  objective mse: real;\n"
                + "  update { y = " + (param.Length > 0 ? "s * x" : "x") + "; mse = mean((y - target) ^ 2); }\n}\n");
            var args = new[] { "train", "still.ae", "--task", "ame-sequence", "--out", "never", "--db", "runs.db" }
                .Concat(options.Replace("LAW", Path.Combine(Repo.Root, "laws", "ae_adam.ae"), System.StringComparison.Ordinal).Split(' ', System.StringSplitOptions.RemoveEmptyEntries)).ToArray();
            var r = Cli.Run(dir.Path, args);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: the cell Still has nothing to train: it declares no real param and no net" }, r.StderrLines);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "never")));
            Assert.False(File.Exists(Path.Combine(dir.Path, "runs.db")));
        }

        /// <summary>
        /// --seed takes 0 to 2^63 - 1 as language.md says and 'ae run' does (train stopped at 2147483647); a seed past an
        /// int draws its own weights, resumes bit for bit, and its checkpoint names it.
        /// </summary>
        [Fact]
        public void A_seed_past_an_int_trains_resumes_and_is_kept_whole()
        {
            using var dir = new TempDirectory();
            string[] Args(string seed, params string[] more) => new[] { "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "5", "--batch", "2",
                "--seed", seed, "--no-progress" }.Concat(more).ToArray();
            var big = Cli.Run(dir.Path, Args("3000000000", "--epochs", "4", "--out", "whole", "--format", "json"));
            Assert.True(big.ExitCode == 0, big.Stderr);
            using (var json = JsonDocument.Parse(big.Stdout))
                Assert.Equal(3000000000L, json.RootElement.GetProperty("seed").GetInt64());
            Assert.Equal(0, Cli.Run(dir.Path, Args("3000000000", "--epochs", "2", "--out", "part")).ExitCode);
            var resumed = Cli.Run(dir.Path, Args("3000000000", "--epochs", "4", "--out", "part", "--resume", "part/checkpoint.aetrain"));
            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, "whole", "weights.safetensors")), File.ReadAllBytes(Path.Combine(dir.Path, "part", "weights.safetensors")));
            // another seed past an int draws other weights, and the checkpoint of the first is refused by name
            Assert.Equal(0, Cli.Run(dir.Path, Args("3000000001", "--epochs", "4", "--out", "other")).ExitCode);
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(dir.Path, "whole", "weights.safetensors")), File.ReadAllBytes(Path.Combine(dir.Path, "other", "weights.safetensors")));
            var refused = Cli.Run(dir.Path, Args("3000000001", "--epochs", "6", "--out", "whole", "--resume", "whole/checkpoint.aetrain"));
            Assert.Equal(2, refused.ExitCode);
            Assert.Equal(new[] { "ae: error: the checkpoint checkpoint.aetrain is of seed 3000000000, this run's is 3000000001" }, refused.StderrLines);
            var top = Cli.Run(dir.Path, Args("9223372036854775807", "--epochs", "1", "--db", "top.db"));
            Assert.True(top.ExitCode == 0, top.Stderr);
            Assert.Contains("seed 9223372036854775807)", top.StdoutLines[0], System.StringComparison.Ordinal);
        }

        /// <summary>
        /// Train takes one cell file: a folder was told to name "files or a glob", and a glob of several files that they
        /// "declares several cells".
        /// </summary>
        [Fact]
        public void A_folder_or_a_glob_of_several_files_is_named_as_such()
        {
            using var dir = new TempDirectory();
            const string Cell1 = "cell A1 {\n  input x: real[8];\n  input target: real[8];\n  net W: linear(8 -> 8);\n  signal y: real[8];\n  objective mse: real;\n"
                + "  update { y = W(x); mse = mean((y - target) ^ 2); }\n}\n";
            dir.Write("cells/b.ae", Cell1.Replace("A1", "B1", System.StringComparison.Ordinal));
            dir.Write("cells/a.ae", Cell1);
            string[] Args(string cell) => new[] { "train", cell, "--task", "ame-sequence", "--time", "5", "--batch", "2", "--epochs", "1", "--no-progress", "--db", "runs.db" };
            var folder = Cli.Run(dir.Path, Args("cells"));
            Assert.Equal(2, folder.ExitCode);
            Assert.Equal(new[] { "ae: error: 'cells' is a folder, not a cell file; name the .ae file in it, such as cells/a.ae" }, folder.StderrLines);
            var glob = Cli.Run(dir.Path, Args("cells/*.ae"));
            Assert.Equal(2, glob.ExitCode);
            Assert.Equal(new[] { "ae: error: 'cells/*.ae' matches 2 files (cells/a.ae, cells/b.ae); train takes one cell file" }, glob.StderrLines);
            Assert.False(File.Exists(Path.Combine(dir.Path, "runs.db")));
            var one = Cli.Run(dir.Path, Args("cells/b*.ae"));
            Assert.True(one.ExitCode == 0, one.Stderr);
            Assert.StartsWith("task        ame-sequence (B1,", one.StdoutLines[0], System.StringComparison.Ordinal);
        }

        /// <summary>A checkpoint given to --init was read as a safetensors file: "the header length 7593476152602476818 is over the format's limit".</summary>
        [Fact]
        public void A_checkpoint_given_to_init_is_named_with_resume()
        {
            using var dir = new TempDirectory();
            string[] Args(params string[] more) => new[] { "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "5", "--batch", "2", "--no-progress" }.Concat(more).ToArray();
            Assert.Equal(0, Cli.Run(dir.Path, Args("--epochs", "1", "--out", "a")).ExitCode);
            var r = Cli.Run(dir.Path, Args("--epochs", "2", "--init", "a/checkpoint.aetrain", "--out", "never"));
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: --init 'a/checkpoint.aetrain' is a training checkpoint, not a weights file; continue its run with --resume a/checkpoint.aetrain, "
                + "or start from the weights.safetensors its run wrote" }, r.StderrLines);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "never")));
            // a truncated one too: its mark says what it is
            var bytes = File.ReadAllBytes(Path.Combine(dir.Path, "a", "checkpoint.aetrain"));
            dir.WriteBytes("cut.aetrain", bytes.Take(100).ToArray());
            var cut = Cli.Run(dir.Path, Args("--epochs", "2", "--init", "cut.aetrain"));
            Assert.Equal(2, cut.ExitCode);
            Assert.StartsWith("ae: error: --init 'cut.aetrain' is a training checkpoint, not a weights file;", Assert.Single(cut.StderrLines), System.StringComparison.Ordinal);
        }

        /// <summary>A state or an input named as the output the task reads was "needs output 'y', the cell has none".</summary>
        [Theory]
        [InlineData("state y: real[8] = 0;", "y' = tanh(W(x));", "mse = mean((y' - target) ^ 2);",
            "it reads signal 'y' [8] as the cell's output, and the cell's 'y' is a state (outputs are signals)")]
        [InlineData("input y: real[8];", "z = W(x) + y;", "mse = mean((z - target) ^ 2);",
            "it reads signal 'y' [8] as the cell's output, and the cell's 'y' is an input (outputs are signals)")]
        public void A_state_or_input_named_as_the_output_is_said_to_be_one(string declaration, string rule, string objective, string message)
        {
            using var dir = new TempDirectory();
            dir.Write("misnamed.ae", "cell Misnamed {\n  input x: real[8];\n  input target: real[8];\n  " + declaration + "\n  net W: linear(8 -> 8);\n  signal z: real[8];\n"
                + "  objective mse: real;\n  update { " + rule + " " + (rule.StartsWith('z') ? "" : "z = x; ") + objective + " }\n}\n");
            var r = Cli.Run(dir.Path, "train", "misnamed.ae", "--task", "ame-sequence", "--epochs", "1");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: the cell Misnamed does not fit the task ame-sequence: " + message }, r.StderrLines);
        }

        [Fact]
        public void Zero_epochs_evaluate_the_start_and_report_no_time_per_epoch()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--epochs", "0", "--format", "json");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            Assert.Equal(0, json.RootElement.GetProperty("epochs").GetInt32());
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("seconds_per_epoch").ValueKind);   // no epoch: no time per epoch (does not apply: null)
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("first_loss").ValueKind);
            Assert.True(double.IsFinite(json.RootElement.GetProperty("final_loss").GetDouble()));    // the forward pass of the start
            // the text says the same: no first loss ('—', as null), not a NaN shown as a number
            var text = Cli.Run(dir.Path, "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--epochs", "0");
            Assert.Contains("first loss  — (no epoch)", text.StdoutLines);
            Assert.DoesNotContain("nan", text.Stdout, StringComparison.Ordinal);
        }

        [Fact]
        public void No_progress_leaves_stderr_empty()
        {
            using var dir = new TempDirectory();
            string[] args = { "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--epochs", "20" };
            var lines = Cli.Run(dir.Path, args);
            Assert.Equal(0, lines.ExitCode);
            Assert.Equal(10, lines.StderrLines.Count(l => l.StartsWith("epoch ", System.StringComparison.Ordinal)));   // stderr is no terminal: a line per tenth
            var quiet = Cli.Run(dir.Path, args.Concat(new[] { "--no-progress" }).ToArray());
            Assert.Equal(0, quiet.ExitCode);
            Assert.Equal("", quiet.Stderr);
            Assert.Equal(lines.Stdout.Split('\n')[0], quiet.Stdout.Split('\n')[0]);
        }

        [Fact]
        public void A_cell_without_the_optional_eps_trains_on_ame_sequence_and_one_with_another_shape_does_not_fit()
        {
            using var dir = new TempDirectory();
            const string rnn = """
                cell LeakyRnn {
                  input x: real[8];
                  input target: real[8];
                  state h: real[16] = 0;
                  net inp: linear(8 -> 16);
                  net out: linear(16 -> 8);
                  signal y: real[8];
                  objective mse: real;
                  update {
                    h' = 0.8 * h + 0.2 * tanh(inp(x) + h);
                    y = out(h');
                    mse = mean((y - target) ^ 2);
                  }
                }
                """;
            dir.Write("rnn.ae", rnn);
            Assert.Equal("1 file checked: 0 errors, 0 warnings", Cli.Run(dir.Path, "check", "rnn.ae").StdoutLines[^1]);
            var r = Cli.Run(dir.Path, "train", "rnn.ae", "--task", "ame-sequence", "--epochs", "30", "--lr", "0.01", "--format", "json", "--no-progress");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            Assert.True(json.RootElement.GetProperty("final_loss").GetDouble() < json.RootElement.GetProperty("first_loss").GetDouble());

            dir.Write("rnn_eps.ae", rnn.Replace("input target: real[8];", "input target: real[8];\n  input eps: real[4];", System.StringComparison.Ordinal)
                .Replace("tanh(inp(x) + h)", "tanh(inp(x) + h) + 0 * sum(eps)", System.StringComparison.Ordinal));
            var misfit = Cli.Run(dir.Path, "train", "rnn_eps.ae", "--task", "ame-sequence", "--epochs", "1");
            Assert.Equal(2, misfit.ExitCode);
            Assert.Equal(new[] { "ae: error: the cell LeakyRnn does not fit the task ame-sequence: it needs input 'eps' [32], the cell's is [4]" }, misfit.StderrLines);

            // The task writes real signal values into x: a cell that declares x int would compute with them as they are.
            dir.Write("rnn_int.ae", rnn.Replace("input x: real[8];", "input x: int[8];", System.StringComparison.Ordinal));
            Assert.Equal("1 file checked: 0 errors, 0 warnings", Cli.Run(dir.Path, "check", "rnn_int.ae").StdoutLines[^1]);
            var kind = Cli.Run(dir.Path, "train", "rnn_int.ae", "--task", "ame-sequence", "--epochs", "1");
            Assert.Equal(2, kind.ExitCode);
            Assert.Equal(new[] { "ae: error: the cell LeakyRnn does not fit the task ame-sequence: it writes real values into input 'x', the cell declares it int (declare it real)" }, kind.StderrLines);
        }

        [Fact]
        public void A_spectral_synth_run_says_what_it_scores_and_its_checkpoint_refuses_the_mse()
        {
            using var dir = new TempDirectory();
            string[] common = { "train", Cell("amed_synth.ae"), "--task", "sine-synth", "--time", "600", "--seed", "1" };
            var r = Cli.Run(dir.Path, common.Concat(new[] { "--loss", "spectral", "--epochs", "3", "--out", "run", "--format", "json" }).ToArray());
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            Assert.Equal("spectral", json.RootElement.GetProperty("loss").GetString());
            var mse = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "1", "--format", "json" }).ToArray());
            using var mseJson = JsonDocument.Parse(mse.Stdout);
            Assert.Equal("mse", mseJson.RootElement.GetProperty("loss").GetString());   // the cell's objective
            // The spectral loss of the first epoch is not the MSE of the same weights and data.
            Assert.NotEqual(mseJson.RootElement.GetProperty("first_loss").GetDouble(), json.RootElement.GetProperty("first_loss").GetDouble());

            var before = File.ReadAllBytes(Path.Combine(dir.Path, "run", "weights.safetensors"));
            var resumed = Cli.Run(dir.Path, common.Concat(new[] { "--epochs", "5", "--out", "run", "--resume", "run/checkpoint.aetrain" }).ToArray());
            Assert.Equal(2, resumed.ExitCode);
            Assert.Equal(new[] { "ae: error: the checkpoint checkpoint.aetrain is of task sine-synth loss=spectral, this run's is sine-synth" }, resumed.StderrLines);
            Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir.Path, "run", "weights.safetensors")));
        }

        [Theory]
        [InlineData("residual-dynamics", "spectral", "ae: error: --loss is for the synth tasks (sine-synth, saw-synth, square-synth), not residual-dynamics. Run 'ae train --help'")]
        [InlineData("sine-synth", "stft", "ae: error: invalid value 'stft' for '--loss'; expected mse or spectral. Run 'ae train --help'")]
        public void A_loss_for_another_task_or_of_no_known_kind_is_one_line(string task, string loss, string message)
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("amed_synth.ae"), "--task", task, "--loss", loss, "--out", "never");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { message }, r.StderrLines);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "never")));
        }

        [Fact]
        public void A_spectral_run_shorter_than_a_frame_is_one_line()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("amed_synth.ae"), "--task", "sine-synth", "--loss", "spectral", "--time", "200", "--out", "never");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: the spectral loss needs a time of at least 256 (one frame), not 200" }, r.StderrLines);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "never")));
        }

        /// <summary>One sample holds no period: sine-synth at --time 1 is one line, where it trained and reported target_hz nan.</summary>
        [Fact]
        public void A_sine_of_one_sample_is_one_line()
        {
            using var dir = new TempDirectory();
            var r = Cli.Run(dir.Path, "train", Cell("amed_synth.ae"), "--task", "sine-synth", "--time", "1", "--epochs", "1", "--out", "never");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(new[] { "ae: error: sine-synth needs a time of at least 2 (one sample holds no period of the wave), not 1" }, r.StderrLines);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "never")));
        }

        [Fact]
        public void Fashion_rows_refuses_samples_for_a_task_without_a_data_set_a_short_time_and_a_cell_that_does_not_fit_in_one_line()
        {
            using var dir = new TempDirectory();
            var samples = Cli.Run(dir.Path, "train", Cell("amed_synth.ae"), "--task", "sine-synth", "--samples", "10");
            Assert.Equal(2, samples.ExitCode);
            Assert.Single(samples.StderrLines);
            Assert.StartsWith("ae: error: --samples is for a task over a data set (fashion-rows), not sine-synth", samples.StderrLines[0], System.StringComparison.Ordinal);

            var time = Cli.Run(dir.Path, "train", Cell("gru.ae"), "--task", "fashion-rows", "--time", "27", "--out", "never");
            Assert.Equal(2, time.ExitCode);
            Assert.Equal(new[] { "ae: error: the task fashion-rows needs a time of at least 28 (28 rows, then the reasoning steps), not 27" }, time.StderrLines);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "never")));

            var misfit = Cli.Run(dir.Path, "train", Cell("ame_layer.ae"), "--task", "fashion-rows");
            Assert.Equal(2, misfit.ExitCode);
            Assert.Equal(new[] { "ae: error: the cell AmeLayer does not fit the task fashion-rows: it needs input 'x' [28], the cell's is [8]" }, misfit.StderrLines);
        }

        [Fact]
        public void Init_starts_from_a_weights_file_and_a_file_of_another_cell_is_one_line()
        {
            using var dir = new TempDirectory();
            string[] Args(params string[] more) => new[] { "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2" }.Concat(more).ToArray();
            Assert.Equal(0, Cli.Run(dir.Path, Args("--epochs", "3", "--out", "a")).ExitCode);
            // no epoch: the weights written are the weights read, not --seed's
            Assert.Equal(0, Cli.Run(dir.Path, Args("--epochs", "0", "--init", "a/weights.safetensors", "--out", "b")).ExitCode);
            Assert.Equal(0, Cli.Run(dir.Path, Args("--epochs", "0", "--out", "c")).ExitCode);
            var trained = File.ReadAllBytes(Path.Combine(dir.Path, "a", "weights.safetensors"));
            Assert.Equal(trained, File.ReadAllBytes(Path.Combine(dir.Path, "b", "weights.safetensors")));
            Assert.NotEqual(trained, File.ReadAllBytes(Path.Combine(dir.Path, "c", "weights.safetensors")));

            var other = Cli.Run(dir.Path, "train", Cell("ame_layer.ae"), "--task", "ame-sequence", "--time", "5", "--init", "a/weights.safetensors", "--out", "never");
            Assert.Equal(2, other.ExitCode);
            Assert.Single(other.StderrLines);
            Assert.Contains("is not a parameter of AmeLayer", other.StderrLines[0], System.StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "never")));
            var both = Cli.Run(dir.Path, Args("--init", "a/weights.safetensors", "--resume", "a/checkpoint.aetrain"));
            Assert.Equal(2, both.ExitCode);
            Assert.StartsWith("ae: error: --init and --resume exclude each other", both.StderrLines[0], System.StringComparison.Ordinal);
        }

        /// <summary>Writes the weights of <paramref name="from"/> with every value passed through <paramref name="change"/> (as float64) to <paramref name="to"/>.</summary>
        private static void Rewrite(string from, string to, System.Func<double, double> change)
        {
            var set = AE.Runtime.Tensors.SafeTensors.Read(from);
            var changed = new AE.Runtime.Tensors.SafeTensorSet();
            foreach (var (name, t) in set)
                changed.Add(name, AE.Runtime.Tensors.SafeTensor.FromDoubles(t.Shape, (t.Float64 ?? t.Float32!.Select(v => (double)v).ToArray()).Select(change).ToArray()));
            AE.Runtime.Tensors.SafeTensors.Write(to, changed);
        }

        [Fact]
        public void Weights_or_a_loss_that_are_not_finite_are_said_and_the_files_keep_finite_weights()
        {
            using var dir = new TempDirectory();
            string[] Args(params string[] more) => new[] { "train", Cell("residual_dynamics.ae"), "--task", "residual-dynamics", "--time", "10", "--batch", "2", "--dtype", "f32" }.Concat(more).ToArray();
            var zero = Cli.Run(dir.Path, Args("--epochs", "0", "--out", "a", "--format", "json"));
            Assert.True(zero.ExitCode == 0, zero.Stderr);
            using (var json = JsonDocument.Parse(zero.Stdout))
            {
                Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("first_loss").ValueKind);          // no epoch: does not apply
                Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("seconds_per_epoch").ValueKind);
            }
            string weights = Path.Combine(dir.Path, "a", "weights.safetensors");

            Rewrite(weights, Path.Combine(dir.Path, "nan.safetensors"), _ => double.NaN);
            var nan = Cli.Run(dir.Path, Args("--epochs", "0", "--init", "nan.safetensors"));
            Assert.Equal(2, nan.ExitCode);
            Assert.Matches("^ae: error: .*nan\\.safetensors: '[^']+' holds NaN at index 0; every parameter must be finite$", Assert.Single(nan.StderrLines));
            Rewrite(weights, Path.Combine(dir.Path, "big.safetensors"), _ => 1e300);
            var big = Cli.Run(dir.Path, Args("--epochs", "0", "--init", "big.safetensors"));
            Assert.Equal(2, big.ExitCode);
            Assert.Matches("^ae: error: .*big\\.safetensors: '[^']+' holds 1E\\+300 at index 0, which single cannot hold$", Assert.Single(big.StderrLines));

            // finite weights whose forward pass overflows float32: the loss of epoch 1 is not finite, so no step is taken
            Rewrite(weights, Path.Combine(dir.Path, "huge.safetensors"), v => v * 1e30);
            var stopped = Cli.Run(dir.Path, Args("--epochs", "3", "--init", "huge.safetensors", "--out", "b", "--no-progress"));
            Assert.Equal(1, stopped.ExitCode);
            Assert.StartsWith("ae: the loss of epoch 1 is ", Assert.Single(stopped.StderrLines), System.StringComparison.Ordinal);
            var kept = AE.Runtime.Tensors.SafeTensors.Read(Path.Combine(dir.Path, "b", "weights.safetensors"));
            var given = AE.Runtime.Tensors.SafeTensors.Read(Path.Combine(dir.Path, "huge.safetensors"));
            foreach (var name in given.Names)
                Assert.Equal(given[name].Float64!.Select(v => (float)v), kept[name].Float32!);                  // the weights it was given, not NaN

            var none = Cli.Run(dir.Path, Args("--epochs", "0", "--init", "huge.safetensors"));
            Assert.Equal(1, none.ExitCode);
            Assert.StartsWith("ae: the final loss is ", Assert.Single(none.StderrLines), System.StringComparison.Ordinal);
            Assert.EndsWith(" with the starting parameters (the run is stored as non-finite)", none.StderrLines[0], System.StringComparison.Ordinal);
        }
    }
}
