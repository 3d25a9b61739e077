// Fashion-MNIST with TorchSharp: one small model, trained with torch.optim.Adam and with AE laws
// through AE.TorchSharp's optimizer, printing each optimizer's test accuracy and time per epoch.
//
//   dotnet run -c Release --project examples/TorchSharpFashion [-- --epochs 3 --train 60000 --batch 128 --seed 1]
//   dotnet run -c Release --project examples/TorchSharpFashion -- overhead [--n 1e4,1e6] [--tensors 1,64]
//   dotnet run -c Release --project examples/TorchSharpFashion -- cell-overhead
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using AE.Experiments.Tasks;
using AE.Runtime;
using AE.TorchSharp;
using TorchSharp;
using TorchSharpFashion;
using TorchSharpFashion.Laws;
using static TorchSharp.torch;

try
{
    var options = Options.Parse(args);
    if (options.Help)
    {
        Console.WriteLine(Options.Usage);
        return 0;
    }
    if (options.Overhead) Overhead.Run(options);
    else if (options.CellOverhead) CellOverhead.Run();
    else Training.Run(options);
    return 0;
}
catch (UsageException e)
{
    Console.Error.WriteLine("TorchSharpFashion: " + e.Message);
    return 2;
}
catch (DatasetNotFoundException e)
{
    Console.Error.WriteLine("TorchSharpFashion: " + e.Message);
    return 2;
}
catch (Exception e) when (e is InvalidDataException or IOException)
{
    // A damaged or unreadable dataset file: the reader's message names the file and what is wrong with it.
    Console.Error.WriteLine("TorchSharpFashion: " + e.Message);
    return 2;
}

namespace TorchSharpFashion
{
    sealed class UsageException(string message) : Exception(message);

    sealed class Options
    {
        public const string Usage =
            "usage: TorchSharpFashion [--epochs E] [--train N] [--test N] [--batch B] [--seed S] [--threads T]\n" +
            "       TorchSharpFashion overhead [--n 1e4,1e6] [--tensors 1,64]\n" +
            "       TorchSharpFashion cell-overhead";

        public bool Overhead;
        public bool CellOverhead;
        public bool Help;
        public int Epochs = 3;
        public int Train = 60000;
        public int Test = 10000;
        public int Batch = 128;
        public int Seed = 1;
        public int Threads = 2;
        public long[] Sizes = { 10_000, 1_000_000 };
        public int[] Tensors = { 1, 64 };

        public static Options Parse(string[] args)
        {
            var o = new Options();
            int i = 0;
            if (args.Length > 0 && args[0] == "overhead") { o.Overhead = true; i = 1; }
            else if (args.Length > 0 && args[0] == "cell-overhead") { o.CellOverhead = true; i = 1; }
            for (; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
                int Int(string name)
                {
                    var v = Value();
                    return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) && r > 0
                        ? r : throw new UsageException($"{name} must be a positive integer, not '{v}'");
                }
                switch (args[i])
                {
                    case "--epochs": o.Epochs = Int("--epochs"); break;
                    case "--train": o.Train = Int("--train"); break;
                    case "--test": o.Test = Int("--test"); break;
                    case "--batch": o.Batch = Int("--batch"); break;
                    case "--seed": o.Seed = Int("--seed"); break;
                    case "--threads": o.Threads = Int("--threads"); break;
                    case "--n":
                        o.Sizes = Value().Split(',').Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 1 && d <= int.MaxValue
                            ? (long)d : throw new UsageException($"--n takes sizes such as 1e4,1e6, not '{s}'")).ToArray();
                        break;
                    case "--tensors":
                        o.Tensors = Value().Split(',').Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) && t >= 1
                            ? t : throw new UsageException($"--tensors takes counts such as 1,64, not '{s}'")).ToArray();
                        break;
                    case "-h":
                    case "--help":
                        o.Help = true;
                        return o;
                    default: throw new UsageException($"unknown option '{args[i]}' (--help lists them)");
                }
            }
            return o;
        }
    }

    /// <summary>784-128-10, ReLU: the model every optimizer trains from the same initial weights.</summary>
    static class Model
    {
        public static nn.Module<Tensor, Tensor> Create(int seed)
        {
            torch.manual_seed(seed);
            return nn.Sequential(
                ("fc1", nn.Linear(28 * 28, 128)),
                ("relu", nn.ReLU()),
                ("fc2", nn.Linear(128, 10)));
        }
    }

    static class Training
    {
        public static void Run(Options o)
        {
            torch.set_num_threads(o.Threads);
            var train = FashionMnist.Load(FashionMnistSplit.Train, o.Train);
            var test = FashionMnist.Load(FashionMnistSplit.Test, o.Test);
            using var xTrain = Images(train);
            using var yTrain = Labels(train);
            using var xTest = Images(test);
            using var yTest = Labels(test);
            Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images; model 784-128-10 (ReLU), batch {o.Batch}, {o.Epochs} epochs, seed {o.Seed}, {o.Threads} threads");
            Console.WriteLine();
            Console.WriteLine("| optimizer | epoch | train loss | test accuracy | seconds | optimizer ms/batch |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");

            var runs = new (string Name, Func<nn.Module<Tensor, Tensor>, optim.Optimizer> Make)[]
            {
                ("torch.optim.Adam (lr 1e-3)", m => optim.Adam(m.parameters(), lr: 1e-3)),
                ("AE-Adam (AeAdam, one controller)", m => new AeLawOptimizer(m.parameters(), n => new AeAdam(n, seed: (ulong)o.Seed))),
                ("AE-SGDm (AeSgdm, init_alpha 0.01)", m => new AeLawOptimizer(m.parameters(), n => new AeSgdm(n, new AeSgdm.Options { init_alpha = 0.01 }, seed: (ulong)o.Seed))),
            };
            foreach (var (name, make) in runs)
            {
                var model = Model.Create(o.Seed);
                using var opt = make(model);
                var order = new Random(o.Seed);
                for (int epoch = 1; epoch <= o.Epochs; epoch++)
                {
                    var watch = Stopwatch.StartNew();
                    double lossSum = 0;
                    int batches = 0;
                    long optimizerTicks = 0;   // in step() outside the closure: the optimizer's own work
                    var perm = Enumerable.Range(0, train.Count).OrderBy(_ => order.Next()).Select(i => (long)i).ToArray();
                    model.train();
                    for (int start = 0; start < perm.Length; start += o.Batch)
                    {
                        using var scope = NewDisposeScope();
                        using var idx = tensor(perm.AsSpan(start, Math.Min(o.Batch, perm.Length - start)).ToArray());
                        var x = xTrain.index_select(0, idx);
                        var y = yTrain.index_select(0, idx);
                        long stepStart = Stopwatch.GetTimestamp(), closureTicks = 0;
                        var loss = opt.step(() =>
                        {
                            long closureStart = Stopwatch.GetTimestamp();
                            opt.zero_grad();
                            var l = nn.functional.cross_entropy(model.call(x), y);
                            l.backward();
                            closureTicks = Stopwatch.GetTimestamp() - closureStart;
                            return l;
                        });
                        optimizerTicks += Stopwatch.GetTimestamp() - stepStart - closureTicks;
                        lossSum += loss.ToDouble();
                        batches++;
                    }
                    watch.Stop();
                    double accuracy = Accuracy(model, xTest, yTest);
                    double stepMs = optimizerTicks * 1000.0 / Stopwatch.Frequency / batches;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {epoch} | {lossSum / batches:F4} | {accuracy * 100:F2} % | {watch.Elapsed.TotalSeconds:F2} | {stepMs:F3} |"));
                }
            }
        }

        static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
        {
            model.eval();
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var predicted = model.call(x).argmax(1);
            return predicted.eq(y).to_type(ScalarType.Float64).mean().ToDouble();
        }

        static Tensor Images(FashionMnist set)
        {
            var pixels = new float[set.Images.Length];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = set.Images[i] / 255f;
            return tensor(pixels, new long[] { set.Count, 28 * 28 });
        }

        static Tensor Labels(FashionMnist set) => tensor(set.Labels.Select(b => (long)b).ToArray());
    }

    /// <summary>
    /// The binding's cost over the bare step: the same law stepping a float[] of n, against
    /// AeLawOptimizer.step(loss) on n elements split into T parameter tensors (the gradient check of
    /// each tensor, then the law's step on the buffer), per step, with the managed bytes each
    /// allocates per step.
    /// </summary>
    static class Overhead
    {
        public static void Run(Options o)
        {
            Console.WriteLine("| n | tensors | bare law step (us) | through AeLawOptimizer (us) | overhead (us) | bare B/step | binding B/step |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
            foreach (var n in o.Sizes)
            foreach (var tensors in o.Tensors)
            {
                if (tensors > n) continue;
                var options = new AeSgdm.Options { init_alpha = 1e-3, sigma_max = 0 };
                int steps = (int)Math.Clamp(2e8 / n, 20, 20000);

                var bare = new AeSgdm((int)n, options) { MaxThreads = 1 };
                var theta = new float[n];
                var grad = new float[n];
                for (int i = 0; i < n; i++) { theta[i] = 1f; grad[i] = 1e-3f * ((i % 7) - 3); }
                var (bareUs, bareBytes) = Time(steps, () => bare.Step(1.0f, grad, theta));

                var parameters = Enumerable.Range(0, tensors)
                    .Select(t => new TorchSharp.Modules.Parameter(ones(n / tensors + (t < n % tensors ? 1 : 0))))
                    .ToArray();
                using var opt = new AeLawOptimizer(parameters, m => new AeSgdm(m, options) { MaxThreads = 1 });
                using (var g = tensor(grad)) opt.GradientVector(0).copy_(g);
                var (boundUs, boundBytes) = Time(steps, () => opt.step(1.0));
                foreach (var p in parameters) p.Dispose();

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {n:N0} | {tensors} | {bareUs:F2} | {boundUs:F2} | {boundUs - bareUs:F2} | {bareBytes:F0} | {boundBytes:F0} |"));
            }
        }

        static (double Microseconds, double BytesPerStep) Time(int steps, Action step)
        {
            for (int i = 0; i < Math.Min(steps, 50); i++) step();
            double best = double.MaxValue, bytes = 0;
            for (int run = 0; run < 5; run++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < steps; i++) step();
                watch.Stop();
                bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / steps;
                best = Math.Min(best, watch.Elapsed.TotalMicroseconds / steps);
            }
            return (best, bytes);
        }
    }

    /// <summary>
    /// The cell module's cost over the bare generated cell: AMELayer (cells/ame_layer.ae, 17,624 parameters) in
    /// float64, forward and backward of a sequence. Bare: the inputs already in the cell's buffers, Forward, d loss /
    /// d y (ones) written, ZeroGrad, Backward. Through CellModule: the inputs as tensors, the module's forward, then
    /// y.sum().backward() (the parameters' grad set to none before each). The two run alternately; each is the fastest
    /// of its runs.
    /// </summary>
    static class CellOverhead
    {
        public static void Run()
        {
            torch.set_num_threads(1);
            Console.WriteLine("| batch | time | bare Forward + Backward (us) | through CellModule (us) | overhead (us) | overhead (%) |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var (batch, time) in new[] { (1, 10), (4, 10), (16, 50), (64, 100) })
            {
                var g = new Generator(1);
                var x = randn(new long[] { time, batch, 8 }, ScalarType.Float64, generator: g);
                var eps = randn(new long[] { time, batch, 32 }, ScalarType.Float64, generator: g);
                var target = randn(new long[] { time, batch, 8 }, ScalarType.Float64, generator: g);
                using var module = new CellModule<double>((b, t) => new AmeLayer<double>(b, t));
                using (no_grad())
                    foreach (var (_, p) in module.named_parameters()) p.copy_(0.1 * randn(p.shape, ScalarType.Float64, generator: g));

                var cell = new AmeLayer<double>(batch, time) { Objective = null };
                module.CellParameters.ToList().ForEach(p => Copy(module.get_parameter(p.Name)!, cell.Parameter(p.Name)));
                Copy(x, cell.Input("x"));
                Copy(eps, cell.Input("eps"));
                Copy(target, cell.Input("target"));
                cell.OutputGradient("y").Fill(1.0);
                // Alternately, so that both see the same load; the fastest of each (the least disturbed).
                int reps = Math.Max(40, 20_000 / (batch * time));
                double bare = double.MaxValue, bound = double.MaxValue;
                for (int r = 0; r < reps + 3; r++)
                {
                    var watch = Stopwatch.StartNew();
                    cell.Forward();
                    cell.ZeroGrad();
                    cell.Backward();
                    double b = watch.Elapsed.TotalMicroseconds;
                    watch.Restart();
                    using (var scope = NewDisposeScope())
                    {
                        module.zero_grad();
                        module.call(("x", x), ("eps", eps), ("target", target))["y"].sum().backward();
                    }
                    double m = watch.Elapsed.TotalMicroseconds;
                    if (r < 3) continue;   // warm-up
                    bare = Math.Min(bare, b);
                    bound = Math.Min(bound, m);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {batch} | {time} | {bare:F1} | {bound:F1} | {bound - bare:F1} | {100 * (bound - bare) / bare:F1} |"));
            }
        }

        static void Copy(Tensor t, Span<double> target)
        {
            using var c = t.detach().contiguous();
            c.data<double>().ToArray().CopyTo(target);
        }
    }
}
