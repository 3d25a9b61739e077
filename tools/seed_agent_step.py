#!/usr/bin/env python3
"""Times the seed's own PyTorch optimizer step (AEAgent.step of AE.py in seed 001) at the law's
defaults, so that `tools/bench-vs-seed.sh` can put it beside `ae bench`.

The AE.py code block is read from the seed document itself (nothing of it is copied here); the
step is timed with a loss function that returns a precomputed (loss, grad), so only the optimizer
step is measured, as `ae bench` measures only the law's step.

usage: seed_agent_step.py SEED_001_TXT --n 1e7 [--dtype f32|f64] [--threads 2] [--steps 10] [--sigma-max 1.0]
exit 0 with one line "seed-pytorch n=... dtype=... threads=... median_ms=... min_ms=... sigma=..."; exit 3 when torch is missing.
"""
import argparse, re, statistics, sys, time


def seed_source(path):
    text = open(path, encoding="utf-8").read()
    m = re.search(r"### AE\.py\s*```python\n(.*?)\n```", text, re.S)
    if not m:
        sys.exit("seed_agent_step: no AE.py code block in " + path)
    return m.group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seed")
    ap.add_argument("--n", default="1e7")
    ap.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--sigma-max", type=float, default=None, help="AEConfig.sigma_max (default: the seed's)")
    a = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("seed_agent_step: PyTorch is not installed (pip install torch); the seed's step cannot be timed here", file=sys.stderr)
        sys.exit(3)
    torch.set_num_threads(a.threads)
    import types
    module = types.ModuleType("seed_ae")
    sys.modules["seed_ae"] = module  # dataclasses look their class's module up
    exec(compile(seed_source(a.seed), "seed-001/AE.py", "exec"), module.__dict__)
    scope = module.__dict__
    n = int(float(a.n))
    dtype = torch.float32 if a.dtype == "f32" else torch.float64
    cfg = scope["AEConfig"](dtype=dtype)
    if a.sigma_max is not None:
        cfg.sigma_max = a.sigma_max
    agent = scope["AEAgent"](n, cfg=cfg, seed=0, dtype=dtype)
    gen = torch.Generator().manual_seed(1)
    grad = torch.randn(n, generator=gen, dtype=dtype)
    loss = torch.tensor(1.0, dtype=dtype)
    state = {"loss": 1.0}

    def loss_fn(theta):
        state["loss"] *= 0.999
        return loss * state["loss"], grad

    times = []
    for k in range(a.steps + 2):
        t0 = time.perf_counter()
        out = agent.step(loss_fn)
        dt = time.perf_counter() - t0
        if k >= 2:  # the first steps warm up the allocator
            times.append(dt * 1e3)
    print(f"seed-pytorch n={n} dtype={a.dtype} threads={a.threads} median_ms={statistics.median(times):.2f} "
          f"min_ms={min(times):.2f} sigma={out['sigma']:.3g}")


if __name__ == "__main__":
    main()
