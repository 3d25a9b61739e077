using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using AE.Cli.Plots;
using AE.Dsl.Emit;
using AE.Dsl.IR;
using AE.Engine;
using AE.Experiments.Baselines;
using AE.Experiments.Cells;
using AE.Experiments.Compilation;
using AE.Experiments.Machine;
using AE.Experiments.Training;
using AE.Runtime;
using AE.Runtime.Cells;
using AE.Runtime.Tensors;

namespace AE.Cli
{
    /// <summary>
    /// <c>ae train &lt;cell.ae&gt; --task T [--optimizer adam|sgdm|LAW.ae[:NAME]] ...</c>: trains a cell on a task of the
    /// seeds (<see cref="TrainingTasks"/>) with a baseline or an AE law stepping the cell's parameter vector
    /// (<see cref="Trainer{T}"/>), with checkpoints that resume bit for bit (<see cref="TrainingCheckpoint"/>).
    /// </summary>
    public static class TrainCommand
    {
        public const string Name = "train";

        public const string Summary = "Train a cell on a seed's task with Adam, SGD with momentum or an AE law";

        public const string CheckpointFile = "checkpoint.aetrain";

        public static CommandSpec Command { get; } = new(Name, Summary, Run)
        {
            StopsOnInterrupt = true,
            Arguments = new ArgumentSpec("cell.ae", "The .ae file declaring the cell.") { Usage = "<cell.ae>" },
            Options = new[]
            {
                new OptionSpec("--task", "a task name", "The task (required).") { HelpName = "T", Choices = AE.Experiments.Training.TrainingTasks.Names },
                new OptionSpec("--optimizer", "adam, sgdm or a law file", "adam (default), sgdm (momentum 0.9), or an optimizer-shaped law of a .ae file, ':NAME' selecting one of several.") { HelpName = "O", Choices = new[] { "adam", "sgdm" } },
                new OptionSpec("--set", "NAME=VALUE", "A law param's value (repeatable, or comma-separated).", OptionKind.Repeatable) { HelpName = "p=v" },
                new OptionSpec("--lr", "a positive number", "The learning rate of adam (default the task's: 1e-3, tape-copy 1e-2) or sgdm (default 0.01).") { HelpName = "X" },
                new OptionSpec("--epochs", "a whole number", "Epochs in all (default the task's); with --resume, the epochs of the whole run, the checkpoint's included.") { HelpName = "N" }.WholeNumber(min: 0, max: 10_000_000),
                new OptionSpec("--batch", "a whole number", "Samples per batch (default the task's).") { HelpName = "B" }.WholeNumber(max: 1_000_000),
                new OptionSpec("--time", "a whole number", "Steps per sequence (default the task's).") { HelpName = "T" }.WholeNumber(max: 10_000_000),
                new OptionSpec("--samples", "a whole number of samples", "The first N training samples of a task over a data set (fashion-rows; default all).") { HelpName = "N" }.WholeNumber(max: int.MaxValue),
                new OptionSpec("--loss", "mse or spectral", "What the synth tasks score: mse (default, the seed's: the cell's objective) or spectral (a phase-free short-time spectral loss: Hann frames of 256 samples every 128, their magnitudes and log magnitudes against the target's; the remedy seed 002 names).") { HelpName = "mse|spectral" },
                new OptionSpec("--seed", "a whole number", "Seed of the weights, the data and a law's noise, 0 to 2^63 - 1 (default 0).") { HelpName = "S" }.WholeNumber(min: 0),
                new OptionSpec("--dtype", "f32 or f64", "The cell's and the step's precision (default f32, as the seeds' PyTorch).") { HelpName = "f32|f64" },
                new OptionSpec("--name", "the name of a cell in the file", "The cell when the file declares several.") { HelpName = "CELL" },
                new OptionSpec("--out", "a directory", "Where to write weights.safetensors (PyTorch's names), the loss curve (curve.csv; curve.svg and curve.png plot it with a law's alpha, mu and sigma), the task's files and checkpoints.") { HelpName = "DIR" },
                new OptionSpec("--checkpoint-every", "a whole number of epochs", "Write DIR/" + CheckpointFile + " every N epochs (needs --out); it is written at the end of a run with --out in any case.") { HelpName = "N" }.WholeNumber(max: 10_000_000),
                new OptionSpec("--threads", "a whole number of threads", "Split the batch into N parts run on N threads (default 1); a checkpoint resumes with the same count.") { HelpName = "N" }.WholeNumber(max: 1024),
                new OptionSpec("--resume", "a checkpoint file", "Continue the run of a checkpoint: the same cell, task, settings and optimizer; the result is bit for bit that of a run never interrupted, stored whole once (in place of a whole row the same run stored before; the partial row an interrupt stored stays, with status interrupted).") { HelpName = "FILE" },
                new OptionSpec("--init", "a safetensors file", "Start from the weights of a safetensors file (PyTorch's names, every parameter of the cell, as --out writes them) instead of --seed's: a run at another --time, say.") { HelpName = "FILE" },
                new OptionSpec("--format", "text or json", "Lines (default), or one JSON object with 'task', 'cell', 'optimizer', 'loss' (the cell's objective, or spectral), 'dtype', 'batch', 'time', 'seed', 'epochs', 'resumed_from', 'first_loss', 'final_loss', 'seconds', 'seconds_per_epoch', 'metrics' and 'files'.") { HelpName = "text|json" }.AsFormat(),
                new OptionSpec("--db", "a SQLite database file", "The SQLite database of runs (default ae-runs.db), as 'ae run' writes it: one row in 'runs' (command 'train', law the optimizer, task 'train:' and the task), one row per epoch of the run in 'steps' (a resumed run's too: the checkpoint holds the earlier epochs; the loss before the step, the optimizer's signals after it).") { HelpName = "FILE" },
                OptionSpec.Flag("--no-progress", "No progress on stderr: neither the display drawn when stderr is a terminal nor the line per tenth of the run written otherwise."),
            },
            Details = new[]
            {
                "Trains the cell, compiled in memory from its generated C#, on a task of the seeds:",
                "each epoch one forward pass over the batch and the sequence, the cell's objective",
                "averaged as the loss, one backward pass through time, one optimizer step on the",
                "cell's parameters as one flat vector. Progress goes to stderr, the summary to",
                "stdout. Weights and data start from --seed. A loss, a gradient or a stepped",
                "parameter that is not finite stops the run at that epoch (a gradient before its",
                "step, a step undone, a loss with the parameters from before the last step put",
                "back): the final loss and the files are of finite parameters whose loss is",
                "finite where there were any, the run is stored as non-finite, one line on",
                "stderr says where and why, and the exit code is 1.",
                "",
                "Tasks (docs/tasks.md):",
                "  sine-synth           seed 002: cells/amed_synth.ae reproduces 440 periods of a",
                "                       sine over the sequence (T 8000, 500 epochs, Adam lr 1e-3):",
                "                       440 Hz at 8 kHz; another --time plays another pitch",
                "                       (target_hz, aliased below T 881); metrics dominant_hz and",
                "                       tone_share (the output's power near target_hz); writes",
                "                       sine-synth.wav (16-bit PCM, 8 kHz) into --out, and",
                "                       sine-synth-first500.svg (.png, .csv): the first 500",
                "                       samples against the target.",
                "  saw-synth, square-synth  the same with a sawtooth or square wave.",
                "  residual-dynamics    seed 003: cells/residual_dynamics.ae on the seed's loss",
                "                       (T 360, batch 32, 200 epochs, Adam lr 1e-3, gradient norm",
                "                       clipped at 1.0, alpha left fixed).",
                "  ame-sequence         seed 000: cells/ame_layer.ae predicts the next step of an",
                "                       8-channel sum of sines (T 50, batch 16, 300 epochs, Adam",
                "                       lr 1e-3); metrics: the held-out split's MSE.",
                "  tape-copy            seed 001: cells/tape_copy.ae, the seed's differentiable",
                "                       tape, copies 8 items of 4 random bits (T 16, batch 32,",
                "                       2000 epochs, Adam lr 1e-2); metric: held-out",
                "                       copy_accuracy.",
                "  fashion-rows         seed 004: cells/emergent_resonator.ae or cells/gru.ae on",
                "                       row-sequential Fashion-MNIST (28 rows of 28 pixels, then",
                "                       --time minus 28 reasoning steps; T 29, batch 64, 3 epochs",
                "                       of mini-batches, Adam lr 1e-3); the loss is the last step's",
                "                       cross-entropy over T; metrics: test_accuracy on the 10,000",
                "                       test images.",
                "",
                "first_loss is the loss of the first epoch, final_loss that of a forward pass",
                "after the last step (or at the parameters a stopped run kept). Files are written",
                "whole (a temporary file, then a rename).",
                "",
                "Exit codes: 0 trained; 1 a value was not finite (the run stopped, or the final",
                "loss is not finite); 2 bad input (an unknown task or option, a cell that does",
                "not fit the task's inputs or has nothing to train (no real param, no net), a",
                "checkpoint of another run or a damaged one; nothing is written); 3 the cell's",
                "code does not compile, or an internal error; 130",
                "interrupted (a checkpoint is written first when --out is given).",
            },
        };

        private sealed record Request(
            string CellPath, string? CellName, TrainingTask Task, string Optimizer, IReadOnlyList<ParamSetting> Settings, double? Lr,
            int? Epochs, int Batch, int Time, long Seed, string? Out, int CheckpointEvery, string? Resume, bool Json, string Database, int Threads, string? Init, bool Progress,
            IReadOnlyList<(string Option, long? Given)> Sizes);

        private static int Run(CommandInput parsed, CliContext context)
        {
            if (parsed.Positionals.Count != 1)
                throw CliException.BadUsage("expected one cell file, got " + parsed.Positionals.Count + " arguments", Name);
            OneCellFile(parsed.Positionals[0], context);
            string taskName = parsed.Value("--task") ?? throw CliException.BadUsage("no task; give --task T (" + string.Join(", ", TrainingTasks.Names) + ")", Name);
            var task = TrainingTasks.Find(taskName)
                ?? throw CliException.BadUsage("unknown task '" + taskName + "'; the tasks: " + string.Join(", ", TrainingTasks.Names), Name);
            bool json = parsed.Format() == OutputFormat.Json;
            bool f64 = parsed.Value("--dtype") switch
            {
                null or "f32" => false,
                "f64" => true,
                var other => throw CliException.BadUsage("invalid value '" + other + "' for '--dtype'; expected f32 or f64", Name),
            };
            string optimizer = parsed.Value("--optimizer") ?? "adam";
            var settings = Experiment.ParseSettings(parsed.Values("--set"), Name);
            double? lr = null;
            if (parsed.Value("--lr") is string lrText)
            {
                if (!double.TryParse(lrText, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || double.IsInfinity(v))
                    throw CliException.BadUsage("invalid value '" + lrText + "' for '--lr'; expected a positive number", Name);
                lr = v;
            }
            bool baseline = optimizer is "adam" or "sgdm";
            if (baseline && settings.Count > 0) throw CliException.BadUsage("--set sets a law's params; the optimizer " + optimizer + " takes --lr", Name);
            if (!baseline && lr is not null) throw CliException.BadUsage("--lr is for adam and sgdm; a law's params are set with --set", Name);
            int? epochs = (int?)parsed.Number("--epochs");
            int batch = (int)(parsed.Number("--batch") ?? task.DefaultBatch);
            int time = (int)(parsed.Number("--time") ?? task.DefaultTime);
            long seed = parsed.Number("--seed") ?? 0;
            int every = (int)(parsed.Number("--checkpoint-every") ?? 0);
            int threads = (int)(parsed.Number("--threads") ?? 1);
            if (parsed.Number("--samples") is long samples)
            {
                if (!task.HasDataSet) throw CliException.BadUsage("--samples is for a task over a data set (fashion-rows), not " + task.Name, Name);
                task.Samples = (int)samples;
            }
            if (parsed.Value("--loss") is string loss)
            {
                if (task is not SineSynthTask synth) throw CliException.BadUsage("--loss is for the synth tasks (sine-synth, saw-synth, square-synth), not " + task.Name, Name);
                int scoring = SineSynthTask.ScoringNames.ToList().IndexOf(loss);
                if (scoring < 0) throw CliException.BadUsage("invalid value '" + loss + "' for '--loss'; expected " + string.Join(" or ", SineSynthTask.ScoringNames), Name);
                synth.Loss = (SineSynthTask.Scoring)scoring;
            }
            string? outDir = parsed.Value("--out") is string o ? Path.GetFullPath(o, context.CurrentDirectory) : null;
            if (every > 0 && outDir is null) throw CliException.BadUsage("--checkpoint-every needs --out DIR", Name);
            if (parsed.Value("--init") is not null && parsed.Value("--resume") is not null)
                throw CliException.BadUsage("--init and --resume exclude each other (a checkpoint holds its weights)", Name);
            string? resume = InputFileOption.Path(parsed, "--resume", "checkpoint file", CheckpointFile, context);
            string? init = InputFileOption.Path(parsed, "--init", "weights file", "weights.safetensors", context);
            if (init is not null && AE.Experiments.Training.CheckpointFile.BeginsWithMark(init, TrainingCheckpoint.Magic))
                throw new CliException("--init '" + parsed.Value("--init") + "' is a training checkpoint, not a weights file; continue its run with --resume "
                    + parsed.Value("--init") + ", or start from the weights.safetensors its run wrote");
            if (init is not null && AE.Experiments.Training.CheckpointFile.BeginsWithMark(init, AE.Experiments.Machine.MachineCheckpoint.Magic))
                throw new CliException("--init '" + parsed.Value("--init") + "' is a checkpoint of 'ae run', not a weights file (a safetensors file such as 'ae train --out' writes)");

            var request = new Request(parsed.Positionals[0], parsed.Value("--name"), task, optimizer, settings, lr, epochs, batch, time, seed, outDir, every, resume, json, Experiment.DatabasePath(parsed, context), threads, init, !parsed.Has("--no-progress"),
                new[] { ("--batch", parsed.Number("--batch")), ("--time", parsed.Number("--time")) });
            return f64 ? Train<double>(request, context) : Train<float>(request, context);
        }

        /// <summary>
        /// A folder or a glob of several files is refused as what it is: the reader of law files suggests a glob for a folder,
        /// and several files read together say they "declare several cells", where train takes one cell file.
        /// </summary>
        private static void OneCellFile(string argument, CliContext context)
        {
            string full = Path.GetFullPath(argument, context.CurrentDirectory);
            if (Directory.Exists(full))
            {
                string? example = Directory.EnumerateFiles(full, "*.ae").Select(Path.GetFileName).Order(StringComparer.Ordinal).FirstOrDefault();
                throw new CliException("'" + argument + "' is a folder, not a cell file; name the .ae file in it"
                    + (example is null ? "" : ", such as " + Path.Combine(argument, example).Replace(Path.DirectorySeparatorChar, '/')));
            }
            if (!Globbing.IsGlob(argument)) return;
            var matches = Globbing.ExpandGlob(argument, context.CurrentDirectory).OrderBy(m => m.DisplayPath, StringComparer.Ordinal).ToList();
            if (matches.Count > 1)
                throw new CliException("'" + argument + "' matches " + matches.Count.ToString(CultureInfo.InvariantCulture) + " files ("
                    + string.Join(", ", matches.Take(3).Select(m => m.DisplayPath)) + (matches.Count > 3 ? ", ..." : "") + "); train takes one cell file");
        }

        private static int Train<T>(Request request, CliContext context) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (file, target) = CellInput.Select(new[] { request.CellPath }, request.CellName, context);

            CompiledCell<T> compiled;
            try
            {
                compiled = CellCompiler.CompileCell<T>(target, file.Sources);
            }
            catch (EmitNotSupportedException ex)
            {
                throw new CliException($"the C# backend does not emit {target.Name}: {ex.Message}", ex);
            }
            catch (LawCompileException ex)
            {
                context.Stderr.WriteLine("ae: error: " + MessageText.FirstLine(ex.Message));
                return ExitCodes.InternalError;
            }
            // Every step's frame kept (no recomputation): a training sequence fits in memory, or is refused here.
            var cell = CellMemory.Build(compiled, request.Batch, request.Time, request.Time, request.Threads, request.Sizes, context);
            var task = request.Task;
            if (task.Misfit(cell) is { } misfit) throw new CliException(misfit);
            // Before the optimizer, which cannot be made for no values.
            if (Trainer<T>.NothingToTrain(cell) is { } nothing) throw new CliException(nothing);

            int n = cell.ParameterVector.Length;
            var (law, optimizerText, lawSource) = CreateOptimizer(request, n, context);
            string dtype = typeof(T) == typeof(double) ? "f64" : "f32";
            string cellHash = LawInput.Call(file.Sha256);

            Trainer<T> trainer;
            CheckpointIdentity identity;
            // The run's key in the store, kept through resumes: storing it again replaces its row instead of adding one.
            string runKey = RunKeys.New();
            try
            {
                trainer = new Trainer<T>(cell, task, law, request.Seed);
                // After the trainer: the task has loaded its data, which the identity names.
                identity = new CheckpointIdentity(cell.CellName, cellHash, task.Identity, dtype, request.Batch, request.Time, request.Seed, optimizerText,
                    Math.Min(request.Threads, request.Batch), task.DataIdentity);
                if (request.Resume is not null) TrainingCheckpoint.Load(request.Resume, identity, trainer, out runKey);
                if (request.Init is not null) CellParameters.Load(cell, request.Init);
            }
            catch (Exception ex) when (ex is SafeTensorsException or CellParameterException)
            {
                throw new CliException(MessageText.FirstLine(ex.Message), ex);   // the message starts with the file's path
            }
            catch (TrainingException ex)
            {
                throw new CliException(ex.Message, ex);
            }
            int resumedFrom = trainer.EpochsDone;
            if (request.Resume is not null)
            {
                // The same settings would meet the same value at the same epoch, bit for bit.
                if (trainer.Stop is { } stopped)
                    throw new CliException("the checkpoint's run stopped at epoch " + stopped.Epoch.ToString(CultureInfo.InvariantCulture) + ": " + stopped.Text
                        + "; resumed, it would stop there again: start again with other settings (a lower --lr, say)");
                if (request.Epochs is int asked && asked < resumedFrom)
                    throw CliException.BadUsage("--epochs " + asked.ToString(CultureInfo.InvariantCulture) + " is fewer than the " + resumedFrom.ToString(CultureInfo.InvariantCulture)
                        + " epochs of the checkpoint; --epochs counts the whole run, the checkpoint's included", Name);
            }
            // A checkpoint that has trained every epoch resumes to no epoch of its own: the final pass, the files and the
            // stored run, which replaces the row a process stopped after storing it left (the same key).
            int epochs = Math.Max(request.Epochs ?? task.DefaultEpochs, resumedFrom);
            // The complete run's key in the store: the run's, and its epochs (a run extended by --epochs is another row).
            string storedKey = runKey + "/" + epochs.ToString(CultureInfo.InvariantCulture);
            bool OwnName(string name) => OutputNames(task).Append(CheckpointFile).Contains(name, OutputFiles.Names);
            if (request.Out is not null)
            {
                OutputFiles.KeepDatabaseOutOf(request.Database, request.Out, OwnName, context);
                // The folder's checkpoint may be another run's, still resumable; its other files are the resumed run's, or refused.
                OutputFiles.KeepOtherCheckpoint(Path.Combine(request.Out, CheckpointFile), request.Resume, identity, TrainingCheckpoint.IdentityOf,
                    other => other.Cell + " on " + other.Task + " by " + other.Optimizer + ", seed " + other.Seed.ToString(CultureInfo.InvariantCulture), context);
                KeepOtherFiles(request.Out, task, request.Resume, context);
            }
            using var store = OutputFiles.OpenStoreAfterFolder(request.Database, request.Out, context, out var folderLock, OwnName);
            using var heldFolder = folderLock;
            var startedAt = DateTime.UtcNow;
            string settingsJson = WithTraining(lawSource?.SettingsJson() ?? "{" + string.Join(",", optimizerText.Split(' ').Skip(1).Select(kv => kv.Split('=')).Select(kv => Json.String(kv[0]) + ":" + kv[1])) + "}",
                cell.CellName, dtype, request.Batch, request.Time);
            MachineRun RunOf(double finalLoss, bool cancelled) => trainer.ToMachineRun("train:" + task.Name + task.Settings, (ulong)request.Seed, epochs, finalLoss, cancelled);
            // Only the complete run carries the key: the partial runs of interrupts stay rows of their own. The key names the
            // epochs too: a run extended past its end by --epochs is a longer run, stored beside the shorter one.
            long? Store(MachineRun run, bool cancelled)
            {
                store.Save(new RunRecord(Name, null, lawSource?.Name ?? request.Optimizer, lawSource?.Sha256, lawSource?.FilePath,
                    "train:" + task.Name + task.Settings, (ulong)request.Seed, settingsJson, Array.Empty<string>(), run, startedAt, DateTime.UtcNow, cancelled, StoreSteps: true)
                { Key = cancelled ? null : storedKey }, out long? replaced);
                return replaced;
            }
            string? checkpointPath = request.Out is null ? null : Path.Combine(request.Out, CheckpointFile);

            var clock = Stopwatch.StartNew();
            using (var bar = new ProgressBar(context.Stderr, context.StderrIsTerminal && request.Progress, "train " + task.Name))
            {
                int reportEvery = Math.Max(1, (epochs - resumedFrom) / 10);
                while (trainer.EpochsDone < epochs)
                {
                    if (context.Cancellation.IsCancellationRequested)
                    {
                        bar.Dispose();
                        if (checkpointPath is not null) TrainingCheckpoint.Save(checkpointPath, identity, trainer, runKey);
                        Store(RunOf(trainer.Curve.Count > 0 ? trainer.Curve[^1] : double.NaN, cancelled: true), cancelled: true);
                        context.Stderr.WriteLine("ae: interrupted after epoch " + trainer.EpochsDone + (checkpointPath is null ? "" : "; resume with --resume " + Experiment.Display(checkpointPath, context.CurrentDirectory)));
                        return ExitCodes.Interrupted;
                    }
                    double loss = trainer.Epoch();
                    int done = trainer.EpochsDone;
                    double eta = clock.Elapsed.TotalSeconds / (done - resumedFrom) * (epochs - done);
                    string note = "loss " + AE.Runtime.NumberText.Of(loss, "G6") + "  eta " + eta.ToString("0", CultureInfo.InvariantCulture) + "s";
                    if (bar.Enabled) bar.Report(done, epochs, note);
                    else if (request.Progress && ((done - resumedFrom) % reportEvery == 0 || done == epochs)) context.Stderr.WriteLine("epoch " + done.ToString(CultureInfo.InvariantCulture) + "/" + epochs.ToString(CultureInfo.InvariantCulture) + "  " + note);
                    // A value that is not finite: later epochs cannot recover from it.
                    if (trainer.Stop is not null) break;
                    if (checkpointPath is not null && request.CheckpointEvery > 0 && done % request.CheckpointEvery == 0 && done < epochs)
                        TrainingCheckpoint.Save(checkpointPath, identity, trainer, runKey);
                }
            }
            double finalLoss = trainer.FinalLoss();
            double seconds = clock.Elapsed.TotalSeconds;
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
            task.Measure(cell, metrics);

            var finished = RunOf(finalLoss, cancelled: false);
            var files = new List<string>();
            if (request.Out is not null)
            {
                string weights = Path.Combine(request.Out, "weights.safetensors");
                byte[] tensors = SafeTensors.ToBytes(CellParameters.ToTensors(cell));
                OutputFiles.WriteBytes(weights, tensors);
                files.Add(weights);
                string curve = Path.Combine(request.Out, "curve.csv");
                AtomicFile.Write(curve, stream =>
                {
                    using var w = new StreamWriter(stream, leaveOpen: true);
                    w.WriteLine("epoch,loss");
                    for (int i = 0; i < trainer.Curve.Count; i++) w.WriteLine((i + 1).ToString(CultureInfo.InvariantCulture) + "," + NumberText.Of(trainer.Curve[i]));
                });
                files.Add(curve);
                files.AddRange(PlotFiles.Write(Path.Combine(request.Out, "curve.svg"),
                    RunFigure.Of(finished, task.Name + " by " + law.LawName, "epoch")));
                files.AddRange(task.WriteOutputs(cell, request.Out));
                if (task.Trace(cell) is { } trace)
                {
                    var panel = new PlotPanel(string.Join(" and ", trace.Series.Select(s => s.Name)), trace.Series.Select(s => new PlotSeries(s.Name, s.Values)).ToList(), Log: false);
                    files.AddRange(PlotFiles.Write(Path.Combine(request.Out, trace.FileName), new Figure(trace.Title, new[] { panel }, trace.First, trace.Axis)));
                }
                TrainingCheckpoint.Save(checkpointPath!, identity, trainer, runKey);
                files.Add(checkpointPath!);
            }

            // A checkpoint that had trained every epoch adds nothing to a run stored before: that row, and its id, stay.
            if (trainer.EpochsDone == resumedFrom && resumedFrom > 0 && store.IdOf(storedKey) is long stored)
                context.Stderr.WriteLine("ae: this checkpoint's run is stored already, as run " + stored.ToString(CultureInfo.InvariantCulture)
                    + "; nothing more to train" + (request.Out is null ? "" : ", its files are written again"));
            else if (Store(finished, cancelled: false) is long before)
                context.Stderr.WriteLine("ae: this checkpoint's run was stored before, as run " + before.ToString(CultureInfo.InvariantCulture)
                    + "; the run stored now replaces it (the same run, finished again from the checkpoint)");

            string scored = task.OwnLoss ?? cell.Objective ?? "";
            var summary = new TrainSummary(task.Name, cell.CellName, optimizerText, scored, dtype, request.Batch, request.Time, request.Seed, trainer.EpochsDone, resumedFrom,
                trainer.Curve.Count > 0 ? trainer.Curve[0] : double.NaN, finalLoss, seconds, metrics,
                files.Select(f => Experiment.Display(f, context.CurrentDirectory)).ToList());
            if (request.Json) WriteJson(summary, context.Stdout);
            else WriteText(summary, context.Stdout);
            if (context.Cancellation.IsCancellationRequested && trainer.Stop is null)
            {
                // Ctrl-C after the last epoch's step: the run was complete, so it is stored and its files are written; the exit says it was seen.
                context.Stderr.WriteLine("ae: interrupted after the last epoch; the run is complete, stored" + (request.Out is null ? "" : " and its files written"));
                return ExitCodes.Interrupted;
            }
            if (trainer.Stop is { } stop)
            {
                context.Stderr.WriteLine("ae: " + StopMessage(stop, trainer.Optimizer.LawName, request.Out is not null));
                return ExitCodes.Errors;
            }
            if (!double.IsFinite(finalLoss))
            {
                // The last epoch's step (or --init's weights, with no epoch run) gave parameters whose loss is not finite.
                context.Stderr.WriteLine("ae: the final loss is " + ReplayOutput.Num(finalLoss)
                    + (trainer.EpochsDone > resumedFrom ? " after the step of epoch " + trainer.EpochsDone.ToString(CultureInfo.InvariantCulture)
                        : resumedFrom > 0 ? " with the checkpoint's parameters" : " with the starting parameters")
                    + " (the run is stored as non-finite" + (request.Out is null ? "" : ", its files are written") + ")");
                return ExitCodes.Errors;
            }
            return ExitCodes.Success;
        }

        /// <summary>The names of the files a run writes into its <c>--out</c> folder, its checkpoint's aside.</summary>
        public static IReadOnlyList<string> OutputNames(TrainingTask task)
            => new[] { "weights.safetensors", "curve.csv", "curve.svg", "curve.png" }.Concat(task.OutputNames).ToList();

        /// <summary>
        /// Refuses a run that would replace a file in <paramref name="dir"/> that is not its own. The files there are the run's
        /// when it resumes from the folder's own checkpoint (they are that run's, continued); otherwise any of them, the user's or
        /// another run's whose checkpoint was moved, would be lost.
        /// </summary>
        private static void KeepOtherFiles(string dir, TrainingTask task, string? resume, CliContext context)
        {
            if (OutputFiles.SamePath(Path.Combine(dir, CheckpointFile), resume)) return;
            OutputFiles.KeepFiles(dir, OutputNames(task), " (it resumes no checkpoint of that folder)", context);
        }

        /// <summary>
        /// The line that says where and why the run stopped and which parameters the final loss (and the files) are of.
        /// </summary>
        private static string StopMessage(TrainingStop stop, string optimizer, bool files)
        {
            string epoch = stop.Epoch.ToString(CultureInfo.InvariantCulture);
            string value = ReplayOutput.Num(stop.Value);
            string what = stop.Kind switch
            {
                TrainingStopKind.Loss => "the loss of epoch " + epoch + " is " + value + ": training stopped there, before its step",
                TrainingStopKind.Gradient => "epoch " + epoch + ": " + stop.Text + ": training stopped there, before its step",
                TrainingStopKind.Step => "epoch " + epoch + ": the step of " + optimizer + " wrote " + value + " into '" + stop.Parameter + "'"
                    + (stop.Index is int i ? " at index " + i.ToString(CultureInfo.InvariantCulture) : "") + ": training stopped there and the step is undone",
                _ => stop.Text + " (the final forward pass)",
            };
            string kept = stop.Kind == TrainingStopKind.Gradient ? "the parameters it stopped at, whose loss is finite"
                : stop.KeptBefore is int before ? "the parameters from before the step of epoch " + before.ToString(CultureInfo.InvariantCulture) + ", whose loss was finite"
                : "the parameters the run started from";
            // A gradient met before its step is the cell's derivative at finite parameters, not a step too long.
            string hint = stop.Kind != TrainingStopKind.Gradient && stop.KeptBefore is not null ? "; a smaller learning rate may keep it finite" : "";
            return what + " (the run is stored as non-finite; " + (files ? "the final loss and the files are those of " : "the final loss is that of ") + kept + ")" + hint;
        }

        /// <summary>
        /// The stored settings with what was trained under <c>"train"</c> (cell, dtype, batch, time): the run store's task names
        /// only the task, and two trainings that differ in these would otherwise be told apart by their numbers alone.
        /// </summary>
        private static string WithTraining(string settingsJson, string cell, string dtype, int batch, int time)
        {
            string training = "\"train\":{\"cell\":" + Json.String(cell) + ",\"dtype\":" + Json.String(dtype)
                + ",\"batch\":" + batch.ToString(CultureInfo.InvariantCulture) + ",\"time\":" + time.ToString(CultureInfo.InvariantCulture) + "}";
            return "{" + training + (settingsJson == "{}" ? "}" : "," + settingsJson.Substring(1));
        }

        private static (IOptimizerLaw Law, string Text, ExperimentLaw? Source) CreateOptimizer(Request request, int n, CliContext context)
        {
            string Number(double v) => ReplayOutput.Num(v);
            switch (request.Optimizer)
            {
                case "adam":
                {
                    double lr = request.Lr ?? request.Task.DefaultLearningRate;
                    return (new Adam(n, lr), "adam lr=" + Number(lr), null);
                }
                case "sgdm":
                {
                    double lr = request.Lr ?? 0.01;
                    return (new SgdMomentum(n, lr, 0.9), "sgdm lr=" + Number(lr) + " momentum=0.9", null);
                }
            }
            string path = request.Optimizer;
            string? lawName = null;
            int colon = path.LastIndexOf(':');
            if (colon > 0 && colon < path.Length - 1 && path.Substring(0, colon).EndsWith(".ae", StringComparison.OrdinalIgnoreCase))
            {
                lawName = path.Substring(colon + 1);
                path = path.Substring(0, colon);
            }
            if (!path.EndsWith(".ae", StringComparison.OrdinalIgnoreCase))
                throw CliException.BadUsage("invalid value '" + request.Optimizer + "' for '--optimizer'; expected adam, sgdm or a law file <law.ae>[:NAME]", Name);
            // A law whose code does not compile is an InvalidOperationException: the application reports an internal error.
            var law = ExperimentLaw.Load(new[] { path }, lawName, request.Settings, Array.Empty<string>(), context.CurrentDirectory, context.Stderr, Name, validationDimension: n);
            return (law.Create(n, (ulong)request.Seed), "law " + law.Name + " sha256=" + law.Sha256 + " set=" + law.IdentitySettingsJson(), law);
        }

        private sealed record TrainSummary(string Task, string Cell, string Optimizer, string Loss, string Dtype, int Batch, int Time, long Seed, int Epochs, int ResumedFrom,
            double FirstLoss, double FinalLoss, double Seconds, IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<string> Files);

        private static void WriteText(TrainSummary s, TextWriter output)
        {
            static string F(double v) => AE.Runtime.NumberText.Of(v, "G6");
            output.WriteLine("task        " + s.Task + " (" + s.Cell + ", " + s.Dtype + ", batch " + s.Batch + ", time " + s.Time + ", seed " + s.Seed + ")");
            output.WriteLine("optimizer   " + s.Optimizer);
            output.WriteLine("loss        " + s.Loss);
            output.WriteLine("epochs      " + s.Epochs + (s.ResumedFrom > 0 ? " (resumed after " + s.ResumedFrom + ")" : ""));
            output.WriteLine("first loss  " + (s.Epochs == 0 ? "— (no epoch)" : F(s.FirstLoss)));   // null in the JSON
            output.WriteLine("final loss  " + F(s.FinalLoss));
            int trained = s.Epochs - s.ResumedFrom;
            output.WriteLine("seconds     " + s.Seconds.ToString("0.00", CultureInfo.InvariantCulture)
                + (trained > 0 ? " (" + (s.Seconds / trained * 1000).ToString("0.0", CultureInfo.InvariantCulture) + " ms per epoch)" : " (no epoch trained: the final forward pass)"));
            int width = Math.Max(11, s.Metrics.Count == 0 ? 0 : s.Metrics.Keys.Max(k => k.Length));   // persistence_test_mse is longer than the labels
            foreach (var (k, v) in s.Metrics) output.WriteLine(k.PadRight(width) + " " + F(v));
            foreach (var f in s.Files) output.WriteLine("wrote       " + f);
        }

        private static void WriteJson(TrainSummary s, TextWriter output)
        {
            Json.WriteIndented(output, json =>
            {
                json.WriteStartObject();
                json.WriteString("task", s.Task);
                json.WriteString("cell", s.Cell);
                json.WriteString("optimizer", s.Optimizer);
                json.WriteString("loss", s.Loss);
                json.WriteString("dtype", s.Dtype);
                json.WriteNumber("batch", s.Batch);
                json.WriteNumber("time", s.Time);
                json.WriteNumber("seed", s.Seed);
                json.WriteNumber("epochs", s.Epochs);
                json.WriteNumber("resumed_from", s.ResumedFrom);
                // null where it does not apply (cli.md): no first epoch (--epochs 0), no epoch run by this process
                if (s.Epochs == 0) json.WriteNull("first_loss"); else Json.Number(json, "first_loss", s.FirstLoss);
                Json.Number(json, "final_loss", s.FinalLoss);
                Json.Number(json, "seconds", s.Seconds);
                if (s.Epochs > s.ResumedFrom) Json.Number(json, "seconds_per_epoch", s.Seconds / (s.Epochs - s.ResumedFrom)); else json.WriteNull("seconds_per_epoch");
                json.WriteStartObject("metrics");
                foreach (var (k, v) in s.Metrics) Json.Number(json, k, v);
                json.WriteEndObject();
                json.WriteStartArray("files");
                foreach (var f in s.Files) json.WriteStringValue(f);
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }
    }
}
