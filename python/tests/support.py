"""Shared by the tests: puts python/ on sys.path (so `python3 -m unittest discover -s python/tests` works from the
repository root) and reads the golden vectors from the .NET tests' copy, which every clone has."""

import json
import os
import sys

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_DIR = os.path.join(PYTHON_DIR, "..", "test", "HorrorAlign.ML.Tests", "data", "golden")

if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)


def golden(name):
    with open(os.path.join(GOLDEN_DIR, name), encoding="utf-8") as f:
        return json.load(f)


def tiny_meta(tie=True, **config):
    """A horroralign JSON object for a tiny model with a compact vocabulary of 11 ids, 2 of them field tokens."""
    return {"format": "horroralign", "version": 1,
            "config": {"vocab_size": 11, "d_model": 8, "n_heads": 2, "n_layers": 2, "mlp_ratio": 4, "context_length": 16,
                       "dropout": 0.0, "attention_dropout": None, "tie_embeddings": tie, "fused_attention": True,
                       "copy_head": False, "unseen_token_embedding": False, **config},
            "vocabulary": {"kind": "gpt2-compact", "size": 11, "gpt2_ids": [50256, 464, 11, 13, 262, 286, 257, 290, 284],
                           "field_tokens": 2}}


def write_export(folder, sft_options=None, dpo_options=None, train=16, val=5, seed=0):
    """What `horroralign train --export-for-pytorch` writes, for a tiny random model and a learnable toy task:
    the prompt is [1, a, b, ...] and the response repeats the prompt's content, then EOS (id 2). Rows vary in
    length so that processes see different token counts. DPO prefers the repeat over a run of id 3."""
    import random
    import torch
    from horroralign_torch import checkpoint
    from horroralign_torch.model import GPT

    rng = random.Random(seed)
    torch.manual_seed(seed)
    meta = tiny_meta()
    checkpoint.save(os.path.join(folder, "model.safetensors"), GPT.from_config(meta), meta)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(meta, f)

    def example(content):
        prompt = [1] + content
        return {"ids": prompt + content + [2], "loss_start": len(prompt)}

    for split, count in (("train", train), ("val", val)):
        contents = [[rng.randrange(4, 11) for _ in range(rng.randrange(2, 6))] for _ in range(count)]
        with open(os.path.join(folder, f"sft_{split}.jsonl"), "w") as f:
            for content in contents:
                f.write(json.dumps(example(content)) + "\n")
        with open(os.path.join(folder, f"dpo_{split}.jsonl"), "w") as f:
            for content in contents:
                rejected = {**example(content), "ids": [1] + content + [3] * len(content) + [2]}
                f.write(json.dumps({"chosen": example(content), "rejected": rejected}) + "\n")
    with open(os.path.join(folder, "train_options.json"), "w") as f:
        json.dump({"sft": sft_options or {}, "dpo": dpo_options or {}}, f)
    return meta
