"""DPO against a frozen copy of the starting weights, with the optional RPO term (.NET DpoObjective):
loss = DPO(summed completion log-probs) + rpo_alpha x the chosen response's per-token NLL, both averaged over pairs.

    torchrun --nproc_per_node 2 -m horroralign_torch.train_dpo --data DIR --init sft.safetensors --out dpo.safetensors
"""

import copy
import dataclasses

import torch

from . import data, training
from .losses import DPO_LOSS_TYPES, completion_logprobs, dpo_loss


@dataclasses.dataclass
class DpoOptions(training.TrainOptions):
    """The .NET DpoOptions defaults."""

    learning_rate: float = 2e-5
    max_epochs: int = 2
    weight_decay: float = 0.0
    eval_interval: int = 24
    beta: float = 0.1
    loss_type: str = "sigmoid"  # sigmoid | robust | ipo | hinge
    label_smoothing: float = 0.0
    rpo_alpha: float = 1.0  # 0 = plain DPO
    policy_dropout: bool = False

    def __post_init__(self):
        super().__post_init__()
        self.loss_type = self.loss_type.lower()  # .NET may write the enum name ("Sigmoid")
        if self.loss_type not in DPO_LOSS_TYPES:
            raise ValueError(f"dpo loss_type {self.loss_type!r} is not one of {DPO_LOSS_TYPES}")


class DpoObjective:
    stage = "dpo"
    Options = DpoOptions
    # Summed over pairs, like the loss: the trainer logs their means (TRL's names, as .NET does).
    metric_names = ("rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies",
                    "logps/chosen", "logps/rejected", "policy_accuracy")
    read = staticmethod(data.read_dpo)

    def __init__(self, model, options, device):
        self.options = options
        self.device = device
        self.use_dropout = options.policy_dropout
        # The reference is the starting policy, frozen: no gradients, dropout off.
        self.reference = copy.deepcopy(model).eval().requires_grad_(False)

    def collate(self, pairs):
        """Chosen rows first, then rejected rows: one forward serves both."""
        ids, mask = data.pad([chosen for chosen, _ in pairs] + [rejected for _, rejected in pairs], self.device)
        return ids, mask, len(pairs)

    def weight(self, batch):
        """Normalisation units of a batch: its pairs."""
        return batch[2]

    def loss(self, model, batch):
        ids, mask, n = batch
        o = self.options
        policy, counts = completion_logprobs(model, ids, mask)
        with torch.no_grad():
            reference, _ = completion_logprobs(self.reference, ids, mask)
        pc, pr = policy[:n], policy[n:]
        loss, chosen_rewards, rejected_rewards = dpo_loss(pc, pr, reference[:n], reference[n:], o.loss_type, o.beta, o.label_smoothing)
        summed = loss * n
        if o.rpo_alpha > 0:
            # RPO: + alpha x the per-token NLL of each chosen response, summed over pairs like the DPO term.
            summed = summed - o.rpo_alpha * (pc / counts[:n].clamp_min(1)).sum()
        pc, pr = pc.detach(), pr.detach()
        return summed, dict(zip(self.metric_names, (
            chosen_rewards.sum(), rejected_rewards.sum(), (chosen_rewards - rejected_rewards).sum(),
            (chosen_rewards > rejected_rewards).sum(), pc.sum(), pr.sum(), (pc > pr).sum())))


if __name__ == "__main__":
    training.main(DpoObjective)
