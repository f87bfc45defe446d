"""Process-group set-up for torchrun (RANK / LOCAL_RANK / WORLD_SIZE in the environment) or a plain single process."""

import dataclasses
import json
import os

import torch
import torch.distributed as dist


@dataclasses.dataclass(frozen=True)
class Env:
    rank: int
    world: int
    device: torch.device
    backend: str  # "" without a process group (world size 1)

    def all_sum(self, values):
        """Sums a list of numbers or scalar tensors over all processes → list of Python floats (one collective)."""
        packed = torch.stack([torch.as_tensor(v).detach().to(self.device, torch.float64) for v in values])
        if self.world > 1:
            dist.all_reduce(packed)
        return packed.tolist()

    def close(self):
        if self.world > 1:
            dist.destroy_process_group()

    def barrier(self):
        if self.world > 1:
            dist.barrier()

    def log(self, record):
        """Rank 0 prints one JSON line per record: easy to read, easy for a script to parse."""
        if self.rank == 0:
            print(json.dumps(record), flush=True)


def init(backend="auto", device="auto"):
    """Joins the torchrun process group when WORLD_SIZE > 1. Auto: CUDA (one GPU per local rank) with nccl when a
    GPU is present, else the CPU with gloo."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("--device cuda: this torch sees no GPU")
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device(device)
    if backend == "auto":
        backend = "nccl" if device.type == "cuda" else "gloo"
    if backend == "nccl" and device.type != "cuda":
        raise RuntimeError("the nccl backend needs --device cuda; use gloo on the CPU")
    if world == 1:
        return Env(0, 1, device, "")
    dist.init_process_group(backend)
    return Env(rank, world, device, backend)
