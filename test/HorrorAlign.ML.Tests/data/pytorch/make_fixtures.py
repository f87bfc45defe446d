"""Makes the PyTorch checkpoint fixtures of the interop tests from the golden decoder (../golden/decoder_forward.json).

Run with Debian's PyTorch (it serves /usr/bin/python3 only):  /usr/bin/python3 make_fixtures.py
Writes, next to this script:
  golden_decoder.pt           torch.save(state_dict): the original pipeline's bare state dict
  golden_decoder_wrapped.pt   torch.save({"model_state_dict": ..., "epoch": 7, "optimizer_state_dict": {...}})
  golden_decoder.safetensors  the same tensors in safetensors form (written by hand: torch 1.13 has no safetensors)
  code_on_load.pt             a state dict whose pickle asks to run `touch /tmp/horroralign-pickle-ran` when
                              unpickled (what torch.load without weights_only would do); loading must not run it
The golden logits are checked here with PyTorch's own forward before anything is written.
"""
import json
import math
import os
import struct
from collections import OrderedDict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
golden = json.load(open(os.path.join(HERE, "..", "golden", "decoder_forward.json")))
cfg = golden["config"]
state = OrderedDict((name, torch.tensor(value, dtype=torch.float32)) for name, value in golden["parameters"].items())


def rms(x, w):
    return w * x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5)


def forward(sd, ids):
    d, h = cfg["d_model"], cfg["n_heads"]
    b, t = ids.shape
    x = sd["token_embedding.weight"][ids] + sd["pos_embedding.weight"][:t]
    for i in range(cfg["n_blocks"]):
        p = f"blocks.{i}."
        q, k, v = (rms(x, sd[p + "attn_norm.weight"]) @ sd[p + "attn.qkv.weight"].T).split(d, -1)
        q, k, v = (z.view(b, t, h, d // h).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // h)
        scores = scores.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
        y = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + y @ sd[p + "attn.out_proj.weight"].T
        f = rms(x, sd[p + "ff_norm.weight"]) @ sd[p + "ff.net.0.weight"].T + sd[p + "ff.net.0.bias"]
        f = torch.nn.functional.gelu(f) @ sd[p + "ff.net.2.weight"].T + sd[p + "ff.net.2.bias"]
        x = x + f
    return rms(x, sd["final_norm.weight"]) @ sd["output_layer.weight"].T


logits = forward(state, torch.tensor(golden["tokens"]))
assert torch.allclose(logits, torch.tensor(golden["expected_logits"]), atol=golden["tolerance"]), "golden logits differ"

torch.save(state, os.path.join(HERE, "golden_decoder.pt"))
torch.save({"model_state_dict": state, "epoch": 7, "optimizer_state_dict": {"state": {}, "param_groups": [{"lr": 5e-5}]}},
           os.path.join(HERE, "golden_decoder_wrapped.pt"))

header, blobs, offset = {}, [], 0
for name, t in state.items():
    data = t.contiguous().numpy().tobytes()
    header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(os.path.join(HERE, "golden_decoder.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for blob in blobs:
        f.write(blob)


class RunsCodeOnLoad:
    def __reduce__(self):
        return (os.system, ("touch /tmp/horroralign-pickle-ran",))


torch.save(OrderedDict([("token_embedding.weight", state["token_embedding.weight"]), ("payload", RunsCodeOnLoad())]),
           os.path.join(HERE, "code_on_load.pt"))
print("wrote code_on_load.pt, golden_decoder.pt, golden_decoder_wrapped.pt, golden_decoder.safetensors")
