#!/usr/bin/env bash
# The law's step beside the seed's own PyTorch step (AEAgent.step), in one run, at the seed's
# defaults (noise on) and with noise off: float32, n = 1e7, 2 threads unless given.
#   tools/bench-vs-seed.sh [N] [THREADS]
# Needs a Release build of AE.Cli (dotnet build AE.Cli -c Release) and, for the second half,
# Python 3 with PyTorch (Debian: python3-torch); without it, it says so after the law's half (exit 3).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1e7}"; THREADS="${2:-2}"
SEED="../shared/seeds/001_4bc558dd184453e5.txt"
AE="AE.Cli/bin/Release/net10.0/ae"
[ -x "$AE" ] || dotnet build AE.Cli -c Release -v q >/dev/null
echo "## the law (ae bench), n=$N f32, $THREADS threads"
"$AE" bench laws/ae_sgdm.ae --n "$N" --dtype f32 --threads "$THREADS"
"$AE" bench laws/ae_sgdm.ae --n "$N" --dtype f32 --threads "$THREADS" --set sigma_max=0
"$AE" bench laws/ae_sgdm.ae --name AeSgdmLagged --n "$N" --dtype f32 --threads "$THREADS"
echo "## the seed's AEAgent.step (PyTorch), n=$N f32, $THREADS threads"
# The first Python that has PyTorch ($PYTHON, python3 on the PATH, Debian's /usr/bin/python3 with python3-torch).
PY="${PYTHON:-}"
for p in python3 /usr/bin/python3; do
  [ -n "$PY" ] && break
  "$p" -c "import torch" 2>/dev/null && PY="$p"
done
PY="${PY:-python3}"
status=0
"$PY" tools/seed_agent_step.py "$SEED" --n "$N" --dtype f32 --threads "$THREADS" || status=$?
"$PY" tools/seed_agent_step.py "$SEED" --n "$N" --dtype f32 --threads "$THREADS" --sigma-max 0 || status=$?
exit $status
