#!/usr/bin/env bash
# The generated cells against the seeds' PyTorch cells, forward plus backward over a whole batch and
# sequence (every gradient), side by side in one run on this machine (the two configurations of the
# speed target: AMELayer batch 16, T 50; DynamicsModelResidual m 3, hidden 64, batch 32, T 360).
#   tools/bench-cells-vs-seed.sh [f32|f64] [threads]
# Needs the .NET SDK and Debian's python3-torch (/usr/bin/python3). Prints one markdown table: the medians, the fastest batches and the load average (1 minute) after each row.
set -euo pipefail
cd "$(dirname "$0")/.."
dtype=${1:-f32}
threads=${2:-1}
python=${PYTHON:-/usr/bin/python3}
# AE=path/to/ae times another build of ae (an earlier commit's, for a before/after table).
if [ -z "${AE:-}" ]; then dotnet build AE.Cli -c Release -v q -nologo >/dev/null; fi
ae=${AE:-AE.Cli/bin/Release/net10.0/ae}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The seed's demo sizes FNetResidual 64 wide; the shipped cell fixes hidden = 16 (the golden file's).
sed 's/dim hidden = 16;/dim hidden = 64;/' cells/residual_dynamics.ae > "$tmp/residual_dynamics_64.ae"

# Each prints "median min cpu" (ns per forward+backward: the median of five timed batches, the fastest, and the
# process's CPU time per forward+backward, the median batch; "nan" where an earlier ae reports no CPU time).
ours() { "$ae" bench "$1" --batch "$2" --time "$3" --dtype "$dtype" --threads "$threads" --format json | "$python" -c 'import json,sys; j=json.load(sys.stdin); print(j["ns_per_step"], j.get("ns_per_step_min", j["ns_per_step"]), j.get("cpu_ns_per_step", float("nan")))'; }
theirs() { "$python" tools/bench-cells-vs-seed.py "$@" --dtype "$dtype" --threads "$threads" | "$python" -c 'import json,sys; j=json.load(sys.stdin); print(j["ns_per_step"], j["ns_per_step_min"], j["cpu_ns_per_step"])'; }

echo "| cell | batch | T | dtype | threads | generated C# (ms) | seed's PyTorch (ms) | speed-up | fastest batches: C#, PyTorch (ms) | speed-up | CPU time: C#, PyTorch (ms) | speed-up | load |"
echo "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
row() {
  local name=$1 ae_file=$2 batch=$3 time=$4; shift 4
  local a b
  a=$(ours "$ae_file" "$batch" "$time")
  b=$(theirs "$@" --batch "$batch" --time "$time")
  "$python" -c "a, am, ac = map(float, '$a'.split()); b, bm, bc = map(float, '$b'.split()); load = open('/proc/loadavg').read().split()[0]
print('| $name | $batch | $time | $dtype | $threads | %.3f | %.3f | %.1fx | %.3f, %.3f | %.1fx | %.3f, %.3f | %.1fx | %s |' % (a/1e6, b/1e6, b/a, am/1e6, bm/1e6, bm/am, ac/1e6, bc/1e6, bc/ac, load))"
}
row "AMELayer (8, 32, 16; nets 64)" cells/ame_layer.ae 16 50 amelayer
row "DynamicsModelResidual (m 3, hidden 64)" "$tmp/residual_dynamics_64.ae" 32 360 residual_dynamics --hidden 64
