"""PyTorch side of HorrorAlign's scale-out path: the same decoder as the .NET library, its interchange format
(safetensors + the horroralign JSON), and SFT / DPO training with DistributedDataParallel. Needs only torch."""

from .checkpoint import load, save
from .model import GPT, GptConfig

__all__ = ["GPT", "GptConfig", "load", "save"]
