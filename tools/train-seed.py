#!/usr/bin/env python3
"""Trains a seed's own PyTorch module on its own script's task, timing each epoch, as `ae train` trains the
generated cell. Prints one JSON object: task, epochs, first_loss, final_loss, seconds, seconds_per_epoch.

    python3 tools/train-seed.py sine-synth --epochs 5                # seed 002 (T 8000; 500 epochs in the seed)
    python3 tools/train-seed.py residual-dynamics --epochs 200       # seed 003 (T 360, batch 32, hidden 64)
    python3 tools/train-seed.py ame-sequence --epochs 300            # seed 000's AMELayer on ae train's ame-sequence task
    python3 tools/train-seed.py sine-synth --epochs 3 --save-init w.safetensors   # and the initial weights, for ae train --init
    python3 tools/train-seed.py sine-synth --epochs 0 --init w.safetensors --seed 5   # one forward pass from those weights

The modules and training loops are the seeds' (002: AMEDSynth, Adam lr 1e-3, MSE against a 440 Hz sine;
003: DynamicsModelResidual, Adam lr 1e-3, clip_grad_norm_ 1.0), copied here without the plots. Needs
PyTorch (Debian: python3-torch). Threads: PyTorch's default unless --threads.
"""
import argparse
import importlib.util
import json
import math
import os
import struct
import time

import numpy as np

import torch
import torch.nn as nn
import torch.nn.functional as F

# Seed 003's DynamicsModelResidual (and FNetResidual), as tools/gen-cell-reference.py holds them.
spec = importlib.util.spec_from_file_location("gen_cell_reference", os.path.join(os.path.dirname(__file__), "gen-cell-reference.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)


class AMEDSynth(nn.Module):  # seed 002
    def __init__(self, hidden=32):
        super().__init__()
        self.f_net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.sigma_net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.d_net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, T):
        theta = torch.zeros(1)
        C = torch.zeros(1)
        out = []
        for t in range(T):
            drift = self.f_net(C)
            sigma = F.softplus(self.sigma_net(C)) + 1e-3
            noise = sigma * torch.randn_like(theta)
            dither = torch.sin(self.d_net(C) + 0.01 * t)
            theta = theta + drift + noise + dither
            C = C + 0.01 * torch.tanh(theta)
            out.append(theta)
        return torch.cat(out)


def load_safetensors(model, path):
    """Weights as save_safetensors writes them (and `ae train --out` does), into the module."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    state = {name: torch.frombuffer(bytearray(body[e["data_offsets"][0]:e["data_offsets"][1]]), dtype=torch.float32).reshape(e["shape"])
             for name, e in header.items() if name != "__metadata__"}
    model.load_state_dict(state)


def save_safetensors(model, path):
    """The module's parameters as float32 safetensors under PyTorch's names (what `ae train --init` reads)."""
    tensors = {name: p.detach().float().contiguous() for name, p in model.named_parameters()}
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        data = tensors[name].numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def sine_synth(a):
    T = a.time or 8000
    target = torch.sin(2 * torch.pi * 440.0 * torch.linspace(0, 1.0, T))
    model = AMEDSynth()
    if a.save_init:
        save_safetensors(model, a.save_init)
    if a.init:
        load_safetensors(model, a.init)   # the noise draws that follow still depend on --seed
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def epoch():
        opt.zero_grad()
        loss = F.mse_loss(model(T), target)
        loss.backward()
        opt.step()
        return loss.item()

    def final():
        with torch.no_grad():
            y = model(T)
            mse = F.mse_loss(y, target).item()
        # The figures ae train's sine-synth reports (SineSynthTask.Measure): what the output plays, whatever its phase.
        tone = target_hz(T)
        dominant, share = spectrum(y.double().numpy(), 8000.0, tone)
        error_db = 10 * math.log10(((y - target) ** 2).sum().item() / (target ** 2).sum().item())
        return {"train_mse": mse, "error_db": error_db, "dominant_hz": dominant, "target_hz": tone, "tone_share": share}
    return T, 1, epoch, final


def target_hz(T):
    """The pitch at which 8 kHz plays 440 periods over the T - 1 steps of linspace(0, 1, T), folded below 4 kHz:
    SineSynthTask.TargetHz."""
    if T < 2:
        return float("nan")
    per_sample = 440.0 / (T - 1)
    return abs(per_sample - round(per_sample)) * 8000.0


def spectrum(samples, rate, tone):
    """The strongest frequency of the samples' spectrum (mean removed, DC excluded) and the share of its power within
    5 Hz of tone, or two bins where they are wider: SineSynthTask.Spectrum's definition, by NumPy's FFT."""
    x = samples - samples.mean()
    n = len(x)
    power = np.abs(np.fft.rfft(x)) ** 2
    k = np.arange(len(power))
    power[(k > 0) & (k < n - k)] *= 2   # the mirrored bins above Nyquist
    power[0] = 0
    hz = k * rate / n
    total = power.sum()
    best = int(np.argmax(power))
    width = max(5.0, 2 * rate / n)
    return best * rate / n, float(power[np.abs(hz - tone) <= width].sum() / total) if total > 0 else 0.0


def residual_dynamics(a):
    T, m, batch = a.time or 360, 3, 32
    ys, rs = torch.rand(T, batch, m), torch.rand(T, batch, m)
    N0 = F.softmax(torch.rand(batch, m), dim=-1)
    g0 = torch.zeros(batch, m)
    model = ref.DynamicsModelResidual(m, torch.linspace(0.1, 0.9, m), hidden=a.hidden).float()   # float32, as the seed
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def loss_of():
        Ns, gs = model(N0, g0, ys, rs)
        entropy = -(Ns * torch.log(Ns + 1e-9)).sum(dim=-1)
        return gs.pow(2).sum(dim=-1).mean() - 0.1 * entropy.mean()

    def epoch():
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    def final():
        with torch.no_grad():
            return loss_of().item()
    return T, batch, epoch, final


def ame_sequence(a):
    """Seed 000's AMELayer (8, 32, 16) on ae train's ame-sequence task: next-step prediction of 8 sines (channel c has
    period 100 / (2 + c) steps, a uniform random phase per sample and channel), batch 16, T 50, the standard-normal
    draws eps fixed for the run, Adam lr 1e-3; the test split is 16 more sequences. The same task, other draws."""
    T, batch, channels, hidden = a.time or 50, 16, 8, 32
    omega = 2 * torch.pi * (2 + torch.arange(channels, dtype=torch.float64)) / 100.0

    def draw():
        phase = 2 * torch.pi * torch.rand(batch, 1, channels, dtype=torch.float64)
        t = torch.arange(T + 1, dtype=torch.float64).view(1, T + 1, 1)
        signal = torch.sin(omega.view(1, 1, channels) * t + phase).float()
        return signal[:, :T, :], signal[:, 1:, :], torch.randn(batch, T, hidden)
    x, target, eps = draw()
    test_x, test_target, test_eps = draw()
    model = ref.AMELayer(channels, hidden, 16).float()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def epoch():
        opt.zero_grad()
        loss = F.mse_loss(model(x, eps), target)
        loss.backward()
        opt.step()
        return loss.item()

    def final():
        with torch.no_grad():
            return {"train_mse": F.mse_loss(model(x, eps), target).item(),
                    "test_mse": F.mse_loss(model(test_x, test_eps), test_target).item(),
                    "persistence_test_mse": F.mse_loss(test_x, test_target).item()}
    return T, batch, epoch, final


TASKS = {"sine-synth": sine_synth, "residual-dynamics": residual_dynamics, "ame-sequence": ame_sequence}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task", choices=sorted(TASKS))
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--time", type=int, default=0, help="sequence length (default the seed's)")
    ap.add_argument("--hidden", type=int, default=64, help="residual-dynamics: FNetResidual's width (the seed's script: 64)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--save-init", default="", help="sine-synth: write the module's initial weights to this safetensors file")
    ap.add_argument("--init", default="", help="sine-synth: start from the weights of this safetensors file")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    T, batch, epoch, final = TASKS[a.task](a)
    losses = []
    start = time.perf_counter()
    for _ in range(a.epochs):
        losses.append(epoch())
    seconds = time.perf_counter() - start
    last = final()
    metrics = last if isinstance(last, dict) else {}
    print(json.dumps({"task": a.task, "time": T, "batch": batch, "epochs": a.epochs, "threads": torch.get_num_threads(),
                      "first_loss": losses[0] if losses else None, "final_loss": metrics.get("train_mse", last), **metrics, "seconds": seconds,
                      "seconds_per_epoch": seconds / a.epochs if a.epochs else None,
                      "losses": losses}))


if __name__ == "__main__":
    main()
