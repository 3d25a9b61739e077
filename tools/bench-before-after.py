#!/usr/bin/env python3
"""Times two builds of `ae` side by side: `ae bench` of each law and thread count, before and after in
turn (A B A B ...), so both see the same machine load; prints one markdown table of the medians.

  tools/bench-before-after.py BEFORE_DIR AFTER_DIR [--rounds 3] [--n 1e3,1e6,1e7] [--threads 1,2]

BEFORE_DIR and AFTER_DIR hold an `ae` binary each (copies of AE.Cli/bin/Release/net10.0 of two commits).
Run it from the repository root (the laws are read from laws/)."""
import argparse, json, os, statistics, subprocess, sys

LAWS = [("laws/ae_sgdm.ae", "AeSgdm"), ("laws/ae_sgdm.ae", "AeSgdmLagged"), ("laws/ae_adam.ae", "AeAdam")]


def bench(ae_dir, law_file, name, n, threads):
    cmd = [os.path.join(ae_dir, "ae"), "bench", law_file, "--name", name, "--n", n, "--dtype", "f32,f64",
           "--threads", str(threads), "--format", "json"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {out.returncode}: {out.stderr.strip()}")
    return {(r["n"], r["dtype"]): (r["ns_per_step"], r["allocated_bytes"]) for r in json.loads(out.stdout)["results"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--n", default="1e3,1e6,1e7")
    p.add_argument("--threads", default="1,2")
    a = p.parse_args()
    times = {}
    for law_file, name in LAWS:
        for threads in [int(t) for t in a.threads.split(",")]:
            for _ in range(a.rounds):
                for label, d in (("before", a.before), ("after", a.after)):
                    for key, (ns, alloc) in bench(d, law_file, name, a.n, threads).items():
                        times.setdefault((name, threads) + key, {}).setdefault(label, []).append((ns, alloc))
    print("| law | threads | n | dtype | before µs/step (median) | after µs/step (median) | after / before | runs each | allocated B (after) |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for (name, threads, n, dtype), runs in times.items():
        b = statistics.median(ns for ns, _ in runs["before"]) / 1000
        f = statistics.median(ns for ns, _ in runs["after"]) / 1000
        alloc = max(al for _, al in runs["after"])
        print(f"| {name} | {threads} | {n:.0e} | {dtype} | {b:,.1f} | {f:,.1f} | {f / b:.2f} | {len(runs['after'])} | {alloc} |")


if __name__ == "__main__":
    main()
