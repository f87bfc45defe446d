"""A minimal reader and writer of the safetensors format (torch 1.13 has no safetensors support).

Layout: an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON, then the raw little-endian tensor
data. The JSON maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data
section) and may hold "__metadata__", a map of string to string. Writers pad the header with spaces so the data
section starts at a multiple of 8 bytes.
"""

import json
import struct
import sys

import torch

_DTYPES = {
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "BOOL": torch.bool,
    "U8": torch.uint8,
}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}
_ALIGNMENT = 8

if sys.byteorder != "little":
    # torch.frombuffer and the raw bytes we write use the machine's byte order; the format is little-endian.
    raise ImportError("horroralign_torch.safetensors needs a little-endian machine.")


def _element_size(dtype):
    return torch.empty((), dtype=dtype).element_size()


def save_file(tensors, path, metadata=None):
    """Writes a dict name → tensor (any device; stored contiguous, on the CPU) with optional string metadata."""
    header = {}
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        if tensor.dtype not in _NAMES:
            raise ValueError(f"tensor '{name}' has dtype {tensor.dtype}, which this writer does not support")
        data = _tensor_bytes(tensor)
        header[name] = {"dtype": _NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("safetensors metadata keys and values must be strings")
        header["__metadata__"] = dict(metadata)

    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % _ALIGNMENT)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def _tensor_bytes(tensor):
    flat = tensor.detach().to("cpu").contiguous().reshape(-1)
    # Viewed as bytes: numpy has no bfloat16, and uint8 covers every dtype (bool is stored as one byte too).
    return flat.view(torch.uint8).numpy().tobytes()


def load_file(path):
    """Reads a safetensors file → (dict name → CPU tensor, metadata dict or {})."""
    with open(path, "rb") as f:
        data = f.read()
    return loads(data, what=f"'{path}'")


def loads(data, what="the safetensors data"):
    """Parses safetensors bytes → (dict name → CPU tensor, metadata dict or {})."""
    if len(data) < 8:
        raise ValueError(f"{what} is too short to be a safetensors file")
    (length,) = struct.unpack("<Q", data[:8])
    if 8 + length > len(data):
        raise ValueError(f"{what}: the header length {length} runs past the end of the file")
    try:
        header = json.loads(data[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{what} has an unreadable header: {e}") from e
    if not isinstance(header, dict):
        raise ValueError(f"{what}: the header is not a JSON object")

    metadata = header.pop("__metadata__", None) or {}
    body = memoryview(data)[8 + length:]
    tensors = {}
    for name, entry in header.items():
        dtype = _DTYPES.get(entry.get("dtype"))
        if dtype is None:
            raise ValueError(f"{what}: tensor '{name}' has unsupported dtype {entry.get('dtype')!r}")
        shape = entry["shape"]
        begin, end = entry["data_offsets"]
        count = 1
        for d in shape:
            count *= d
        if not 0 <= begin <= end <= len(body) or end - begin != count * _element_size(dtype):
            raise ValueError(f"{what}: tensor '{name}' ({entry['dtype']} {shape}) does not fit its data_offsets [{begin}, {end}]")
        if count == 0:
            tensors[name] = torch.empty(shape, dtype=dtype)
            continue
        # A copy: the tensor then owns aligned memory instead of pinning (and aliasing) the whole file's bytes.
        raw = torch.frombuffer(bytearray(body[begin:end]), dtype=torch.uint8)
        tensors[name] = raw.view(dtype).reshape(shape)
    return tensors, metadata
