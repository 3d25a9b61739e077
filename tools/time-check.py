#!/usr/bin/env python3
"""Times `ae check` on the checker-speed inputs of docs/results.md, as hyperfine would (where it is not installed).

Usage: python3 tools/time-check.py AE.Cli/bin/Release/net10.0/ae.dll FILE...
Each file: one warm-up run, then five; prints the mean, standard deviation, minimum and maximum wall time
of the whole process and the summary line `ae check` printed."""
import statistics, subprocess, sys, time

if len(sys.argv) < 3:
    sys.exit("usage: time-check.py AE_DLL FILE...")
ae = sys.argv[1]
for f in sys.argv[2:]:
    subprocess.run(["dotnet", ae, "check", f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        r = subprocess.run(["dotnet", ae, "check", f], capture_output=True, text=True)
        times.append(time.perf_counter() - start)
    summary = [l for l in r.stdout.splitlines() if " checked: " in l][-1]
    ms = [t * 1000 for t in times]
    print(f"{f}: {statistics.mean(ms):.0f} ± {statistics.stdev(ms):.0f} ms ({min(ms):.0f} … {max(ms):.0f}) | {summary}")
