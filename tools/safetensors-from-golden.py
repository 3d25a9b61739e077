#!/usr/bin/env python3
"""Write a .safetensors file, as the format's specification lays it out, with no `safetensors` package.

  tools/safetensors-from-golden.py ../shared/golden/cell_amelayer.json out.safetensors
      the golden file's `params` (PyTorch names, nested lists) as F64 tensors, __metadata__ naming the cell;
  tools/safetensors-from-golden.py --fixture out.safetensors
      the test fixture tests/AE.Experiments.Tests/Data/torch_dtypes.safetensors: one tensor of each dtype
      (F64, F32, F16, BF16) whose values are small binary fractions, so every dtype holds them exactly.

Layout (https://github.com/huggingface/safetensors, "Format"): 8 bytes little-endian u64 N, N bytes of
UTF-8 JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}
padded with spaces, then the tensors' bytes, little-endian, row-major, offsets relative to the data.
The tensor bytes come from torch (1.13) with the given dtype; the header from json and struct.
"""
import json
import os
import struct
import sys

import torch


def write(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    dtype_names = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
    for name, t in tensors:
        t = t.contiguous()
        # bfloat16 has no numpy type in torch 1.13: its bits as int16 are the same bytes.
        raw = (t.view(torch.int16) if t.dtype in (torch.float16, torch.bfloat16) else t).numpy().astype(
            "<i2" if t.dtype in (torch.float16, torch.bfloat16) else t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype_names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main(argv):
    if len(argv) == 3 and argv[1] == "--fixture":
        grid = torch.arange(6, dtype=torch.float64).reshape(2, 3) / 4 - 0.5   # -0.5, -0.25, 0, 0.25, 0.5, 0.75
        write(argv[2], [
            ("a.f64", grid.clone()),
            ("b.f32", grid.to(torch.float32).t()),          # the transpose, made contiguous: [3, 2]
            ("c.f16", torch.tensor([1.5, -2.0, 65504.0, 2.0 ** -24], dtype=torch.float16)),
            ("d.bf16", torch.tensor([[1.5, -2.0], [0.15625, 2.0 ** 100]], dtype=torch.bfloat16)),
            ("e.scalar", torch.tensor(3.25, dtype=torch.float64)),
        ], {"format": "pt", "made_by": "tools/safetensors-from-golden.py --fixture"})
        return 0
    if len(argv) != 3:
        print("usage: safetensors-from-golden.py GOLDEN.json OUT.safetensors | --fixture OUT.safetensors", file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        golden = json.load(f)
    params = [(name, torch.tensor(value, dtype=torch.float64)) for name, value in golden["params"].items()]
    write(argv[2], params, {"cell": str(golden.get("cell", "")), "source": os.path.basename(argv[1])})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
