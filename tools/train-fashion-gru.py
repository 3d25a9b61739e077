#!/usr/bin/env python3
"""Trains a PyTorch GRU on `ae train --task fashion-rows`'s data and objective, for the results beside cells/gru.ae's.
Prints one JSON object: samples, epochs, batch, time, hidden, first_loss, final_loss (both the mean cross-entropy
of the last step, divided by T as `ae train` prints it), curve (per epoch, the same), test_accuracy, test_cross_entropy,
seconds (the epochs), seconds_per_epoch, threads.

    python3 tools/train-fashion-gru.py --samples 10000 --epochs 2     # the first 10,000 training images, 2 epochs

The model is nn.GRUCell(28, hidden) and nn.Linear(hidden, 10), PyTorch's default initialisation (as cells/gru.ae's
runs: uniform within 1/sqrt(hidden)), fed as the task feeds the cell: one row of 28 pixels / 255 per step, then
T - 28 steps of zeros (T 29 by default: one reasoning step), the hidden state from zeros; the loss is the
cross-entropy of the last step's logits, Adam lr 1e-3, mini-batches of 64 shuffled every epoch, the last incomplete
batch dropped. The test set is all 10,000 images (forward only). The data are Debian's dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist, the idx files gzip-compressed). The shuffles and the initial weights are
PyTorch's, from --seed: not the draws of `ae train`, so the curves agree in kind, not bit for bit. Threads:
PyTorch's default unless --threads.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def load(split, limit):
    prefix = "train" if split == "train" else "t10k"

    def read(name):
        path = os.path.join(DATA, name)
        opener = gzip.open if os.path.exists(path + ".gz") else open
        with opener(path + ".gz" if os.path.exists(path + ".gz") else path, "rb") as f:
            return f.read()
    images = read(prefix + "-images-idx3-ubyte")
    labels = read(prefix + "-labels-idx1-ubyte")
    n = int.from_bytes(images[4:8], "big")
    n = min(n, limit)
    x = np.frombuffer(images, dtype=np.uint8, offset=16, count=n * 784).reshape(n, 28, 28).astype(np.float32) / 255.0
    y = np.frombuffer(labels, dtype=np.uint8, offset=8, count=n).astype(np.int64)
    return torch.from_numpy(x.copy()), torch.from_numpy(y.copy())


class RowGru(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.cell = nn.GRUCell(28, hidden)
        self.readout = nn.Linear(hidden, 10)

    def forward(self, images, T):
        h = torch.zeros(images.shape[0], self.cell.hidden_size)
        zeros = torch.zeros(images.shape[0], 28)
        for t in range(T):
            h = self.cell(images[:, t] if t < 28 else zeros, h)
        return self.readout(h)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=60000, help="the first N training images (default all)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--time", type=int, default=29, help="28 rows, then time - 28 reasoning steps")
    ap.add_argument("--hidden", type=int, default=128, help="the hidden size (cells/gru.ae: 128)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train_x, train_y = load("train", a.samples)
    test_x, test_y = load("test", 10000)
    model = RowGru(a.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = len(train_x) // a.batch
    curve = []
    start = time.perf_counter()
    for _ in range(a.epochs):
        order = torch.randperm(len(train_x))
        total = 0.0
        for s in range(steps):
            idx = order[s * a.batch:(s + 1) * a.batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(train_x[idx], a.time), train_y[idx])
            loss.backward()
            opt.step()
            total += loss.item()
        curve.append(total / steps / a.time)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        final = sum(F.cross_entropy(model(train_x[s * a.batch:(s + 1) * a.batch], a.time), train_y[s * a.batch:(s + 1) * a.batch]).item()
                    for s in range(steps)) / steps / a.time
        logits = torch.cat([model(test_x[i:i + 500], a.time) for i in range(0, len(test_x), 500)])
        accuracy = (logits.argmax(dim=1) == test_y).float().mean().item()
        test_ce = F.cross_entropy(logits, test_y).item()
    print(json.dumps({"samples": len(train_x), "epochs": a.epochs, "batch": a.batch, "time": a.time, "hidden": a.hidden,
                      "params": sum(p.numel() for p in model.parameters()), "first_loss": curve[0], "final_loss": final,
                      "curve": curve, "test_accuracy": accuracy, "test_cross_entropy": test_ce, "seconds": seconds,
                      "seconds_per_epoch": seconds / a.epochs, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
