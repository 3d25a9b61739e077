#!/usr/bin/env python3
"""Writes a cell reference file in the layout of ../shared/golden/cell_*.json from the seeds' own
PyTorch modules (float64, CPU), with weights, batch and horizon of your choice, for `ae grad`:

    python3 tools/gen-cell-reference.py amelayer --seed 5 --batch 3 --time 17 > /tmp/ref.json
    dotnet run -c Release --project AE.Cli -- grad cells/ame_layer.ae /tmp/ref.json

Cells: amelayer (seed 000's AMELayer, input 8, hidden 32, coeff 16, nets 64 wide), amed_synth
(seed 002's AMEDSynth, nets 32 wide, one sample), residual_dynamics (seed 003's
DynamicsModelResidual, m 3, hidden 16). The modules are the seeds' code; the one change is that the
standard-normal draws of torch.randn_like are inputs ('eps'), as in the golden files. Needs PyTorch
(Debian: python3-torch).
"""
import argparse
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---- seed 000: AMECell and AMELayer (noise drawn from eps)
class AMECell(nn.Module):
    def __init__(self, input_dim, hidden_dim, coeff_dim, hidden_size=64):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.coeff_dim = coeff_dim
        self.f_net = nn.Sequential(nn.Linear(coeff_dim + input_dim, hidden_size), nn.Tanh(), nn.Linear(hidden_size, hidden_dim))
        self.sigma_net = nn.Sequential(nn.Linear(coeff_dim, hidden_size), nn.Tanh(), nn.Linear(hidden_size, hidden_dim))
        self.d_net = nn.Sequential(nn.Linear(coeff_dim, hidden_size), nn.Tanh(), nn.Linear(hidden_size, hidden_dim))
        self.m_net = nn.Sequential(nn.Linear(coeff_dim, hidden_size), nn.Tanh(), nn.Linear(hidden_size, hidden_dim))
        self.g_net = nn.Sequential(nn.Linear(coeff_dim + hidden_dim, hidden_size), nn.Tanh(), nn.Linear(hidden_size, coeff_dim))

    def forward(self, x, theta, C, eps):
        drift = self.f_net(torch.cat([x, C], dim=-1))
        sigma = F.softplus(self.sigma_net(C)) + 1e-3
        noise = sigma * eps
        dither = torch.sin(self.d_net(C))
        macro = torch.tanh(self.m_net(C))
        theta_new = theta + drift + noise + dither + macro
        C_new = C + self.g_net(torch.cat([theta_new, C], dim=-1))
        return theta_new, C_new


class AMELayer(nn.Module):
    def __init__(self, input_dim, hidden_dim, coeff_dim):
        super().__init__()
        self.cell = AMECell(input_dim, hidden_dim, coeff_dim)
        self.readout = nn.Linear(hidden_dim, input_dim)

    def forward(self, x_seq, eps_seq):
        batch, T, _ = x_seq.shape
        theta = torch.zeros(batch, self.cell.hidden_dim, dtype=x_seq.dtype)
        C = torch.zeros(batch, self.cell.coeff_dim, dtype=x_seq.dtype)
        outputs = []
        for t in range(T):
            theta, C = self.cell(x_seq[:, t, :], theta, C, eps_seq[:, t, :])
            outputs.append(self.readout(theta).unsqueeze(1))
        return torch.cat(outputs, dim=1)


# ---- seed 002: AMEDSynth (noise drawn from eps)
class AMEDSynth(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.f_net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.sigma_net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.d_net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, eps):
        theta = torch.zeros(1, dtype=eps.dtype)
        C = torch.zeros(1, dtype=eps.dtype)
        out = []
        for t in range(eps.shape[0]):
            drift = self.f_net(C)
            sigma = F.softplus(self.sigma_net(C)) + 1e-3
            noise = sigma * eps[t]
            dither = torch.sin(self.d_net(C) + 0.01 * t)
            theta = theta + drift + noise + dither
            C = C + 0.01 * torch.tanh(theta)
            out.append(theta)
        return torch.cat(out)


# ---- seed 003: FNetResidual and DynamicsModelResidual
class FNetResidual(nn.Module):
    def __init__(self, m, hidden=128):
        super().__init__()
        self.fc1 = nn.Linear(4 * m, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, m)

    def forward(self, N_prev, y_t, r_t, g_prev):
        x = torch.cat([N_prev, y_t, r_t, g_prev], dim=-1)
        h = F.relu(self.fc1(x))
        h = F.relu(self.fc2(h))
        delta_logits = self.out(h)
        logits = torch.log(N_prev + 1e-9) + delta_logits
        return F.softmax(logits, dim=-1), logits


class DynamicsModelResidual(nn.Module):
    def __init__(self, m, alpha_values, hidden=128):
        super().__init__()
        self.F = FNetResidual(m, hidden)
        self.register_buffer("alpha", torch.tensor(alpha_values, dtype=torch.float64))

    def forward(self, N0, g0, ys, rs):
        N_prev, g_prev = N0, g0
        Ns, gs = [], []
        for t in range(ys.size(0)):
            N_t, _ = self.F(N_prev, ys[t], rs[t], g_prev)
            g_t = self.alpha * g_prev + (N_t - self.alpha * N_prev) * ys[t]
            Ns.append(N_t)
            gs.append(g_t)
            N_prev, g_prev = N_t, g_t
        return torch.stack(Ns), torch.stack(gs)


def name(key):
    # AMELayer holds its AMECell as 'cell': the golden files name the cell's nets without that prefix.
    return key[len("cell."):] if key.startswith("cell.") else key


def tensors(module):
    return {name(k): v.tolist() for k, v in module.state_dict().items() if k != "alpha"}


def grads(module):
    return {name(k): p.grad.tolist() for k, p in module.named_parameters()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cell", choices=["amelayer", "amed_synth", "residual_dynamics"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--time", type=int, default=10)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_default_dtype(torch.float64)
    if a.cell == "amelayer":
        model = AMELayer(8, 32, 16).double()
        x = torch.randn(a.batch, a.time, 8)
        eps = torch.randn(a.batch, a.time, 32)
        target = torch.randn(a.batch, a.time, 8)
        y = model(x, eps)
        loss = F.mse_loss(y, target)
        loss.backward()
        ref = {"cell": "AMELayer (seed 000_85a3dc854ecfdffb.txt)",
               "dims": {"input": 8, "hidden": 32, "coeff": 16, "net_hidden": 64, "batch": a.batch, "time": a.time},
               "loss": "mean squared error of y against target", "params": tensors(model),
               "inputs": {"x": x.tolist(), "eps": eps.tolist(), "target": target.tolist()},
               "outputs": {"y": y.tolist(), "loss": loss.item()}, "grads": grads(model)}
    elif a.cell == "amed_synth":
        model = AMEDSynth(32).double()
        eps = torch.randn(a.time, 1)
        target = torch.tensor([math.sin(2 * math.pi * 440.0 * k / 8000.0) for k in range(a.time)])
        y = model(eps)
        loss = F.mse_loss(y, target)
        loss.backward()
        ref = {"cell": "AMEDSynth (seed 002_edd93b04508800d2.txt)", "dims": {"net_hidden": 32, "time": a.time},
               "loss": "mean squared error of the output sequence against target", "params": tensors(model),
               "inputs": {"eps": eps.tolist(), "target": target.tolist()},
               "outputs": {"y": y.tolist(), "loss": loss.item()}, "grads": grads(model)}
    else:
        m, alpha = 3, [0.1, 0.5, 0.9]
        model = DynamicsModelResidual(m, alpha, hidden=16).double()
        N0 = F.softmax(torch.rand(a.batch, m), dim=-1)
        g0 = torch.randn(a.batch, m) * 0.1
        ys = torch.rand(a.time, a.batch, m)
        rs = torch.rand(a.time, a.batch, m)
        Ns, gs = model(N0, g0, ys, rs)
        entropy = -(Ns * torch.log(Ns + 1e-9)).sum(dim=-1)
        loss = gs.pow(2).sum(dim=-1).mean() - 0.1 * entropy.mean()
        loss.backward()
        ref = {"cell": "DynamicsModelResidual (seed 003_a0da35fc9727c074.txt)",
               "dims": {"m": m, "hidden": 16, "time": a.time, "batch": a.batch}, "alpha": alpha,
               "loss": "mean over (t,b) of sum g^2  -  0.1 * mean entropy of N", "params": tensors(model),
               "inputs": {"N0": N0.tolist(), "g0": g0.tolist(), "ys": ys.tolist(), "rs": rs.tolist()},
               "outputs": {"N": Ns.tolist(), "g": gs.tolist(), "loss": loss.item()}, "grads": grads(model)}
    json.dump(ref, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
