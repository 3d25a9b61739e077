#!/usr/bin/env python3
"""Times the seeds' own PyTorch cells, forward plus backward over a whole batch and sequence (every
gradient), as `ae bench <cell.ae>` times the generated cells. Prints one JSON object per line.

    python3 tools/bench-cells-vs-seed.py amelayer --batch 16 --time 50 --dtype f32
    python3 tools/bench-cells-vs-seed.py residual_dynamics --batch 32 --time 360 --hidden 64

The modules are tools/gen-cell-reference.py's (the seeds' code, draws as inputs). Needs PyTorch
(Debian: python3-torch). Threads: PyTorch's default (torch.get_num_threads()) unless --threads.
"""
import argparse
import importlib.util
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F

spec = importlib.util.spec_from_file_location("gen_cell_reference", os.path.join(os.path.dirname(__file__), "gen-cell-reference.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cell", choices=["amelayer", "amed_synth", "residual_dynamics"])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--time", type=int, default=50)
    ap.add_argument("--hidden", type=int, default=16, help="residual_dynamics: FNetResidual's width")
    ap.add_argument("--dtype", choices=["f32", "f64"], default="f32")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--min-time", type=float, default=2.0, help="seconds of timed runs")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    dtype = torch.float32 if a.dtype == "f32" else torch.float64
    torch.manual_seed(1)
    if a.cell == "amelayer":
        model = ref.AMELayer(8, 32, 16).to(dtype)
        x = torch.randn(a.batch, a.time, 8, dtype=dtype)
        eps = torch.randn(a.batch, a.time, 32, dtype=dtype)
        target = torch.randn(a.batch, a.time, 8, dtype=dtype)

        def once():
            model.zero_grad()
            F.mse_loss(model(x, eps), target).backward()
    elif a.cell == "amed_synth":
        model = ref.AMEDSynth(32).to(dtype)
        eps = torch.randn(a.time, 1, dtype=dtype)
        target = torch.randn(a.time, dtype=dtype)

        def once():
            model.zero_grad()
            F.mse_loss(model(eps), target).backward()
    else:
        model = ref.DynamicsModelResidual(3, [0.1, 0.5, 0.9], hidden=a.hidden).to(dtype)
        N0 = F.softmax(torch.rand(a.batch, 3, dtype=dtype), dim=-1)
        g0 = torch.randn(a.batch, 3, dtype=dtype) * 0.1
        ys = torch.rand(a.time, a.batch, 3, dtype=dtype)
        rs = torch.rand(a.time, a.batch, 3, dtype=dtype)

        def once():
            model.zero_grad()
            Ns, gs = model(N0, g0, ys, rs)
            entropy = -(Ns * torch.log(Ns + 1e-9)).sum(dim=-1)
            (gs.pow(2).sum(dim=-1).mean() - 0.1 * entropy.mean()).backward()
    for _ in range(3):
        once()
    start = time.perf_counter()
    once()
    per = time.perf_counter() - start
    runs = max(1, int(a.min_time / 5 / per))
    times = []
    cpu = []
    for _ in range(5):
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(runs):
            once()
        times.append((time.perf_counter() - start) / runs)
        cpu.append((time.process_time() - cpu_start) / runs)
    # cpu_ns_per_step: the process's CPU time (every thread), steadier than the clock when other work shares the cores.
    print(json.dumps({"cell": a.cell, "impl": "pytorch " + torch.__version__, "batch": a.batch, "time": a.time, "dtype": a.dtype,
                      "threads": torch.get_num_threads(), "ns_per_step": statistics.median(times) * 1e9,
                      "ns_per_step_min": min(times) * 1e9, "cpu_ns_per_step": statistics.median(cpu) * 1e9}))


if __name__ == "__main__":
    main()
