#!/usr/bin/env python3
"""Writes hand-set weights for cells/amed_synth.ae (seed 002's AMEDSynth, nets 32 wide) that make it a 440 Hz oscillator,
as a safetensors file for `ae train --init`:

    python3 tools/amed-synth-oscillator.py oscillator.safetensors
    ae train cells/amed_synth.ae --task sine-synth --init oscillator.safetensors --epochs 0 --out osc   # plays 440 Hz
    /usr/bin/python3 tools/amed-synth-oscillator.py --search     # the grid search and the noise's effect (needs numpy)

f_net(C) = F0 - K tanh(C) through its first hidden unit (the others 0), sigma_net's output bias -30 (softplus ~ 0, so
the noise is the seed's floor 1e-3), d_net 0 (the dither is sin(0.01 t)). C integrates 0.01 tanh(theta) and the drift
pulls theta back against it: the linearised map has cos(omega) = 1 - 0.005 K, 440 Hz at 8 kHz for K = 11.8; the tanh
and the dither lower the frequency, and K = 13.96, F0 = 0.3 fit the sine best in a grid search (--search) of a
float64 simulation of the cell's map with the noise draws of numpy's default_rng(0). Writing the file needs the
standard library only.
"""
import json
import struct
import sys

K, F0, HIDDEN = 13.955592418674478, 0.3, 32


def search():
    """The grid search over K and F0 (MSE against the target over T 8000), then the best pair under other noise draws."""
    import math
    import numpy as np
    T = 8000
    target = np.sin(2 * np.pi * 440 / (T - 1) * np.arange(T))

    def simulate(k, f0, eps):
        theta, c, out = 0.0, 0.0, np.empty(T)
        for t in range(T):   # the cell's step: drift, noise (sigma at its floor 1e-3), dither; then C
            theta = theta + (f0 - k * math.tanh(c)) + 1e-3 * eps[t] + math.sin(0.01 * t)
            c = c + 0.01 * math.tanh(theta)
            out[t] = theta
        return out

    def report(out):
        power = np.abs(np.fft.rfft(out - out.mean())) ** 2
        return "MSE %.3f, dominant %d Hz, share within 5 Hz of 440 %.3f" % (np.mean((out - target) ** 2), power.argmax(), power[435:446].sum() / power[1:].sum())

    eps = np.random.default_rng(0).standard_normal(T)
    k0 = (1 - math.cos(2 * math.pi * 440 / (T - 1))) / 0.005
    best = min((np.mean((simulate(k, f0, eps) - target) ** 2), k, f0)
               for k in np.linspace(k0 * 0.9, k0 * 1.5, 16) for f0 in np.linspace(-0.6, 0.6, 13))
    print("linearised K %.3f; best on the grid: K %.6f, F0 %.2f, MSE %.3f" % (k0, best[1], best[2], best[0]))
    print("no noise:", report(simulate(K, F0, np.zeros(T))))
    for seed in range(3):
        print("noise of default_rng(%d):" % seed, report(simulate(K, F0, np.random.default_rng(seed).standard_normal(T))))


def main():
    if sys.argv[1:] == ["--search"]:
        search()
        return
    if len(sys.argv) != 2:
        sys.exit("usage: amed-synth-oscillator.py OUT.safetensors")
    tensors = {}
    for net in ("f_net", "sigma_net", "d_net"):
        first = net == "f_net"
        tensors[net + ".0.weight"] = ([HIDDEN, 1], [1.0 if first and i == 0 else 0.0 for i in range(HIDDEN)])
        tensors[net + ".0.bias"] = ([HIDDEN], [0.0] * HIDDEN)
        tensors[net + ".2.weight"] = ([1, HIDDEN], [-K if first and i == 0 else 0.0 for i in range(HIDDEN)])
        tensors[net + ".2.bias"] = ([1], [F0 if first else -30.0 if net == "sigma_net" else 0.0])
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        shape, values = tensors[name]
        data = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


if __name__ == "__main__":
    main()
