"""SFT: completion-only next-token cross-entropy, the token mean over each step's whole batch (.NET SftObjective).

    torchrun --nproc_per_node 2 -m horroralign_torch.train_sft --data DIR --out sft.safetensors [--max-steps K]
"""

import dataclasses

from . import data, training
from .losses import completion_logprobs


@dataclasses.dataclass
class SftOptions(training.TrainOptions):
    """The .NET SftOptions defaults."""

    learning_rate: float = 3e-3
    max_epochs: int = 2
    warmup_steps: int = 50
    eval_interval: int = 128


class SftObjective:
    stage = "sft"
    Options = SftOptions
    metric_names = ()
    use_dropout = True
    read = staticmethod(data.read_sft)

    def __init__(self, model, options, device):
        self.device = device

    def collate(self, examples):
        return data.pad(examples, self.device)

    def weight(self, batch):
        """Normalisation units of a batch: its supervised tokens."""
        return batch[1].sum().item()

    def loss(self, model, batch):
        """-Σ log p(target) over the batch's supervised tokens (the trainer divides by the token count)."""
        ids, mask = batch
        sums, _ = completion_logprobs(model, ids, mask)
        return -sums.sum(), {}


if __name__ == "__main__":
    training.main(SftObjective)
