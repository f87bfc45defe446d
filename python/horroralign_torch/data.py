"""The pre-tokenized data that `horroralign train --export-for-pytorch DIR` writes (model ids, never text):

- sft_{train,val}.jsonl: {"ids": [int, ...], "loss_start": int} — prompt ids, response ids, EOS; tokens at positions
  >= loss_start are the supervised targets.
- dpo_{train,val}.jsonl: {"chosen": {"ids", "loss_start"}, "rejected": {"ids", "loss_start"}} (same prompt).
"""

import json
import os
from typing import List, NamedTuple

import torch


class Example(NamedTuple):
    ids: List[int]
    loss_start: int  # first supervised target position


def read_sft(path, vocab_size, context_length):
    """Examples of an SFT JSONL file ([] when the file does not exist: e.g. no validation split)."""
    return [_example(row, vocab_size, context_length, where) for row, where in _rows(path)]


def read_dpo(path, vocab_size, context_length):
    """(chosen, rejected) Example pairs of a DPO JSONL file ([] when the file does not exist)."""
    return [(_example(row["chosen"], vocab_size, context_length, f"{where} chosen"),
             _example(row["rejected"], vocab_size, context_length, f"{where} rejected"))
            for row, where in _rows(path)]


def pad(examples, device="cpu"):
    """Right-pads to the longest row with id 0 → ids [B,T] int64 and loss_mask [B,T] bool (true at supervised targets).
    Padding sits after every real token, so under causal attention it never changes a real position."""
    width = max(len(e.ids) for e in examples)
    ids = torch.zeros(len(examples), width, dtype=torch.int64)
    mask = torch.zeros(len(examples), width, dtype=torch.bool)
    for row, e in enumerate(examples):
        ids[row, :len(e.ids)] = torch.tensor(e.ids, dtype=torch.int64)
        mask[row, e.loss_start:len(e.ids)] = True
    return ids.to(device), mask.to(device)


def _rows(path):
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield json.loads(line), f"{path}:{number}"


def _example(row, vocab_size, context_length, where):
    ids, start = row.get("ids"), row.get("loss_start")
    if not isinstance(ids, list) or not isinstance(start, int):
        raise ValueError(f"{where}: expected {{\"ids\": [int, ...], \"loss_start\": int}}")
    if not 1 <= start < len(ids):
        raise ValueError(f"{where}: loss_start {start} leaves no supervised target in {len(ids)} ids (nothing predicts position 0)")
    if len(ids) > context_length:
        raise ValueError(f"{where}: {len(ids)} ids exceed the model's context length {context_length}")
    if not all(isinstance(i, int) and 0 <= i < vocab_size for i in ids):
        raise ValueError(f"{where}: ids must be integers in [0, {vocab_size})")
    return Example(ids, start)
