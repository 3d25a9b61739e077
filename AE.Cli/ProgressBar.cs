using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using Spectre.Console;

namespace AE.Cli
{
    /// <summary>
    /// A progress display on stderr (Spectre.Console: the label, a bar, the percentage and the time remaining),
    /// erased by <see cref="Dispose"/>. Drawn only when enabled (stderr is a terminal and <c>--no-progress</c>
    /// was not given); otherwise every call does nothing, so redirected output never holds control characters.
    /// </summary>
    internal sealed class ProgressBar : IDisposable
    {
        private readonly string _label;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task? _display;
        private ProgressTask? _task;
        private long _lastNote = -1000;
        private readonly IAnsiConsole? _console;

        /// <summary>The bar on screen, if any: a line written while it is drawn goes through its console, above it.</summary>
        private static volatile ProgressBar? s_shown;

        public ProgressBar(TextWriter stderr, bool enabled, string label)
        {
            _label = label;
            if (!enabled) return;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Spectre's display lives as long as its callback: it runs on its own task until Dispose ends it, so
            // that the callers keep their construct, report, dispose shape.
            _console = Console(stderr);
            _display = _console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new CountColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    _task = context.AddTask(Markup.Escape(label), maxValue: 1);
                    ready.SetResult();
                    await _finished.Task.ConfigureAwait(false);
                    _task.StopTask();
                });
            ready.Task.Wait();
            s_shown = this;
        }

        /// <summary>
        /// Writes <paramref name="line"/> on <paramref name="stderr"/>, or above the bar while one is drawn there (a line written
        /// past Spectre's display would be glued to the bar or drawn over by its next refresh).
        /// </summary>
        public static void WriteLine(TextWriter stderr, string line)
        {
            if (stderr is null) throw new ArgumentNullException(nameof(stderr));
            var shown = s_shown;
            if (shown is { _console: { } console } && !shown._finished.Task.IsCompleted) console.WriteLine(line, Style.Plain);
            else stderr.WriteLine(line);
        }

        public bool Enabled => _display is not null;

        /// <summary>Shows <paramref name="done"/> of <paramref name="total"/> with a short note (e.g. the loss).</summary>
        public void Report(long done, long total, string note = "")
        {
            if (_task is null) return;
            _task.MaxValue = Math.Max(1, total);
            _task.Value = Math.Clamp(done, 0, Math.Max(1, total));
            // The description is a new string each time: at most ten a second.
            long now = _clock.ElapsedMilliseconds;
            if (done < total && now - _lastNote < 100) return;
            _lastNote = now;
            _task.Description = Markup.Escape(_label + (note.Length > 0 ? "  " + note : ""));
        }

        /// <summary>
        /// The count done of the total, read from the task when a frame is drawn, as the bar and the percentage are: in the
        /// description, refreshed ten times a second, it trailed them.
        /// </summary>
        private sealed class CountColumn : ProgressColumn
        {
            public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime)
                => new Text(((long)task.Value).ToString(CultureInfo.InvariantCulture) + "/" + ((long)task.MaxValue).ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>Ends and erases the display (a second call does nothing).</summary>
        public void Dispose()
        {
            if (_display is null || !_finished.TrySetResult()) return;
            _display.Wait();
            if (s_shown == this) s_shown = null;
        }

        /// <summary>A Spectre console on <paramref name="stderr"/>, which the caller knows to be a terminal.</summary>
        private static IAnsiConsole Console(TextWriter stderr) => AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stderr),
            Ansi = AnsiSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
    }
}
