"""Forward parity between .NET and PyTorch: writes a model's logits for given token ids, and optionally compares
them with logits written by the other side.

    /usr/bin/python3 python/parity.py --model M.safetensors --ids ids.json --out logits.json
    /usr/bin/python3 python/parity.py --model M.safetensors --ids ids.json --expect dotnet_logits.json [--tolerance 1e-4]

ids.json     {"ids": [[int, ...], ...]}  model ids; rows may differ in length (each at most context_length).
logits.json  {"model": "M.safetensors", "ids": [[...], ...], "logits": [[[float x vocab_size] x len(row)] x rows]}
             logits[b][t]: the raw next-token logits (before softmax) after ids[b][:t+1]; each row runs on its own,
             unpadded.
--expect     a logits.json of the same shape (e.g. written by .NET); prints the largest absolute difference and exits
             with status 1 when it exceeds --tolerance.
The model may be .safetensors (the horroralign JSON in its metadata) or .pt (with config.json beside it).
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from horroralign_torch import checkpoint  # noqa: E402


def logits_for(model, rows):
    with torch.no_grad():
        return [model(torch.tensor([row], dtype=torch.int64))[0].tolist() for row in rows]


def max_difference(a, b):
    """Largest |a - b| over two logits lists of the same shape (raises on a shape mismatch)."""
    worst = 0.0
    for b_index, (row_a, row_b) in enumerate(zip(a, b, strict=True)):
        got, want = torch.tensor(row_a, dtype=torch.float64), torch.tensor(row_b, dtype=torch.float64)
        if got.shape != want.shape:
            raise ValueError(f"row {b_index}: logits of shape {list(got.shape)} against {list(want.shape)}")
        worst = max(worst, (got - want).abs().max().item() if got.numel() else 0.0)
    return worst


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help=".safetensors or .pt model")
    p.add_argument("--ids", required=True, help='JSON {"ids": [[int, ...], ...]}')
    p.add_argument("--out", help="where to write the logits JSON")
    p.add_argument("--expect", help="logits JSON to compare with")
    p.add_argument("--tolerance", type=float, default=1e-4, help="largest allowed absolute difference (default 1e-4)")
    args = p.parse_args(argv)
    if not (args.out or args.expect):
        p.error("give --out, --expect or both")

    model, _ = checkpoint.load(args.model)
    with open(args.ids, encoding="utf-8") as f:
        rows = json.load(f)["ids"]
    logits = logits_for(model, rows)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump({"model": args.model, "ids": rows, "logits": logits}, f)
    if args.expect:
        with open(args.expect, encoding="utf-8") as f:
            expected = json.load(f)["logits"]
        worst = max_difference(logits, expected)
        ok = worst <= args.tolerance
        print(f"max |logits difference| = {worst:.3g} ({'within' if ok else 'ABOVE'} tolerance {args.tolerance:g})")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
