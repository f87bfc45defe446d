"""Models in the interchange format shared with .NET: float32 weights under the GptModel state-dict names, plus the
horroralign JSON object {"format": "horroralign", "version": 1, "config": {...}, "vocabulary": {...}}.

- NAME.safetensors: the JSON text is the "horroralign" entry of the safetensors __metadata__.
- NAME.pt: torch.save(state_dict), with the JSON in config.json in the same folder.

Python never tokenizes: the vocabulary is carried through unchanged.
"""

import json
import os

import torch

from . import safetensors
from .model import GPT

FORMAT = "horroralign"
VERSION = 1
METADATA_KEY = "horroralign"  # the safetensors __metadata__ entry that holds the JSON


def load(path, device="cpu"):
    """Reads a .safetensors or .pt model → (GPT on device, in eval mode; the horroralign JSON object as a dict)."""
    if path.endswith(".safetensors"):
        state, metadata = safetensors.load_file(path)
        if METADATA_KEY not in metadata:
            raise ValueError(f"'{path}' has no '{METADATA_KEY}' entry in its safetensors metadata: it was not written by HorrorAlign")
        meta = json.loads(metadata[METADATA_KEY])
    elif path.endswith(".pt"):
        state = torch.load(path, map_location="cpu")
        with open(_config_path(path), encoding="utf-8") as f:
            meta = json.load(f)
    else:
        raise ValueError(f"'{path}': expected a .safetensors or .pt file")
    check_meta(meta, f"'{path}'")

    model = GPT.from_config(meta["config"])
    # Half-precision files widen to float32, the precision this package trains in.
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise ValueError(f"'{path}': the weights do not match its config: {e}") from e
    return model.to(device).eval(), meta


def save(path, model, meta):
    """Writes model (float32, on the CPU) with meta's vocabulary and the model's own config, atomically."""
    meta = dict(meta, format=FORMAT, version=VERSION, config=model.config.to_dict())
    state = {k: v.detach().to("cpu", torch.float32) for k, v in model.state_dict().items()}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if path.endswith(".safetensors"):
        _atomic(path, lambda tmp: safetensors.save_file(state, tmp, {METADATA_KEY: json.dumps(meta)}))
    elif path.endswith(".pt"):
        _atomic(_config_path(path), lambda tmp: _write_json(tmp, meta))
        _atomic(path, lambda tmp: torch.save(state, tmp))
    else:
        raise ValueError(f"'{path}': expected a .safetensors or .pt file name")


def check_meta(meta, what):
    """Raises ValueError unless meta is a horroralign JSON object this package reads."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{what}: the config is not a horroralign object (format {meta.get('format') if isinstance(meta, dict) else None!r})")
    if meta.get("version") != VERSION:
        raise ValueError(f"{what}: horroralign format version {meta.get('version')!r}; this package reads version {VERSION}")
    if not isinstance(meta.get("config"), dict):
        raise ValueError(f"{what}: the horroralign object lacks 'config'")
    size = (meta.get("vocabulary") or {}).get("size")
    if size is not None and size != meta["config"].get("vocab_size"):
        raise ValueError(f"{what}: vocabulary size {size} differs from config.vocab_size {meta['config'].get('vocab_size')}")


def _config_path(weights_path):
    return os.path.join(os.path.dirname(os.path.abspath(weights_path)), "config.json")


def _write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1)
        f.write("\n")


def _atomic(path, write):
    """write(tmp) then rename over path: a reader never sees half a file, and a crash leaves the old one."""
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
