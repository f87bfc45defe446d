"""Completion-only language-model losses and the DPO loss variants, as in the .NET Losses/CompletionLoss.cs and
Losses/DpoLoss.cs (and the golden files sft_loss.json / dpo_loss.json).

Convention: logits at position t predict token t+1; loss_mask[b, t] != 0 marks token t as a supervised TARGET
(response tokens and EOS), so loss_mask[:, 0] is ignored and padding is simply mask 0.
"""

import torch
from torch.nn import functional as F

DPO_LOSS_TYPES = ("sigmoid", "robust", "ipo", "hinge")


def predicting_positions(loss_mask):
    """[B,T] target mask → [B,T] bool, true at the positions whose NEXT token is supervised."""
    select = torch.zeros(loss_mask.shape, dtype=torch.bool, device=loss_mask.device)
    select[:, :-1] = loss_mask[:, 1:] != 0
    return select


def _summed_target_logprobs(selected_logits, ids, select):
    """Logits [N,V] at the selected positions (row-major) → per-row sums of log p(next token) [B] and target counts [B]."""
    targets = ids.roll(-1, dims=1)[select]
    rows = select.nonzero()[:, 0]
    logprobs = selected_logits.log_softmax(-1).gather(1, targets.unsqueeze(1)).squeeze(1)
    sums = torch.zeros(ids.shape[0], dtype=logprobs.dtype, device=logprobs.device).index_add(0, rows, logprobs)
    return sums, select.sum(1).to(logprobs.dtype)


def sequence_logprobs(logits, ids, loss_mask):
    """Full logits [B,T,V] → per-row summed completion log-probs [B] and supervised token counts [B]."""
    select = predicting_positions(loss_mask)
    return _summed_target_logprobs(logits[select], ids, select)


def completion_logprobs(model, ids, loss_mask):
    """Same as sequence_logprobs(model(ids), ...), but the output layer runs only where a target is predicted.
    Calls model(ids, select) so that a DistributedDataParallel wrapper sees the forward."""
    select = predicting_positions(loss_mask)
    return _summed_target_logprobs(model(ids, select), ids, select)


def masked_cross_entropy(logits, ids, loss_mask):
    """Next-token cross-entropy on supervised targets, token mean over the whole batch (0 for a batch without targets)."""
    sums, counts = sequence_logprobs(logits, ids, loss_mask)
    return -sums.sum() / counts.sum().clamp_min(1)


def dpo_loss(policy_chosen, policy_rejected, reference_chosen, reference_rejected,
             loss_type="sigmoid", beta=0.1, label_smoothing=0.0):
    """Mean DPO loss over the batch and the rewards β(pc - rc), β(pr - rr) [B] (detached), from summed log-probs.

    h = (pc - rc) - (pr - rr), e = label_smoothing:
    sigmoid -(1-e)·logσ(βh) - e·logσ(-βh) (cDPO when e > 0); robust (-(1-e)·logσ(βh) + e·logσ(-βh)) / (1-2e);
    ipo (h - 1/(2β))²; hinge relu(1 - βh). IPO and hinge ignore e.
    """
    if not (beta > 0 and beta != float("inf")):
        raise ValueError(f"beta must be a positive finite number (got {beta})")
    if not 0 <= label_smoothing < 0.5:
        raise ValueError(f"label_smoothing must be in [0, 0.5) (got {label_smoothing})")
    chosen_ratio = policy_chosen - reference_chosen
    rejected_ratio = policy_rejected - reference_rejected
    h = chosen_ratio - rejected_ratio
    e = label_smoothing
    if loss_type == "sigmoid":
        losses = -(1 - e) * F.logsigmoid(beta * h) - e * F.logsigmoid(-beta * h)
    elif loss_type == "robust":
        losses = (-(1 - e) * F.logsigmoid(beta * h) + e * F.logsigmoid(-beta * h)) / (1 - 2 * e)
    elif loss_type == "ipo":
        losses = (h - 1 / (2 * beta)).square()
    elif loss_type == "hinge":
        losses = (1 - beta * h).relu()
    else:
        raise ValueError(f"unknown DPO loss_type {loss_type!r}; expected one of {DPO_LOSS_TYPES}")
    return losses.mean(), (beta * chosen_ratio).detach(), (beta * rejected_ratio).detach()
