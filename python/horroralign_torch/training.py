"""The training loop shared by SFT and DPO, with the .NET Trainer's semantics (src/HorrorAlign.ML/Training):
AdamW with weight decay on >=2-dim parameters only, linear warmup then cosine decay to a floor, global-norm gradient
clipping, whole-set validation every eval_interval steps, at each epoch end and at the last step, early stopping,
and the best validation weights put back at the end. A stage supplies an objective (train_sft.py, train_dpo.py).

Distribution: one optimizer step takes batch_size x gradient_accumulation_steps examples over ALL processes (so the
step count and schedule match a .NET run on the same data); a DistributedSampler deals each process its share, and
the loss is normalised by the step's GLOBAL weight (supervised tokens for SFT, pairs for DPO), so the averaged
DistributedDataParallel gradient is exactly the gradient of the whole batch's mean, however it was split.
"""

import argparse
import dataclasses
import json
import math
import os
from contextlib import nullcontext
from typing import Optional

import torch
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

from . import checkpoint, distributed


@dataclasses.dataclass
class TrainOptions:
    """The .NET TrainingOptions in snake_case; defaults are the .NET defaults."""

    learning_rate: float = 1e-3
    batch_size: int = 8
    gradient_accumulation_steps: int = 1
    max_epochs: int = 10
    max_steps: Optional[int] = None
    warmup_steps: int = 10
    min_learning_rate_ratio: float = 0.1
    weight_decay: float = 0.01
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-8
    max_grad_norm: float = 1.0  # 0 = no clipping
    seed: int = 42
    eval_interval: int = 50  # 0 = only at epoch ends (and the last step)
    eval_batch_size: int = 0  # 0 = batch_size
    logging_interval: int = 1
    early_stopping_patience: int = 3  # 0 = never stop early
    early_stopping_min_delta: float = 0.0
    restore_best_model: bool = True

    @classmethod
    def load(cls, path, stage, overrides):
        """Options of `stage` from train_options.json ({"sft": {...}, "dpo": {...}}; a missing file, stage or key
        takes the default; keys that only matter to .NET are ignored), then the non-None overrides."""
        values = {}
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                values = json.load(f).get(stage) or {}
        names = {f.name for f in dataclasses.fields(cls)}
        chosen = {k: v for k, v in values.items() if k in names and v is not None}
        chosen.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**chosen)

    def __post_init__(self):
        for name in ("batch_size", "gradient_accumulation_steps", "max_epochs", "logging_interval"):
            if getattr(self, name) < 1:
                raise ValueError(f"training option {name} must be at least 1 (got {getattr(self, name)})")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError(f"training option max_steps must be null or at least 1 (got {self.max_steps})")
        if not (self.learning_rate > 0 and self.warmup_steps >= 0 and 0 <= self.min_learning_rate_ratio <= 1):
            raise ValueError("training options need learning_rate > 0, warmup_steps >= 0 and min_learning_rate_ratio in [0, 1]")


def learning_rate(options, step, total_steps):
    """Rate of the 0-based step: linear warmup from peak/warmup (not 0: a zero-rate step wastes a batch), then cosine
    decay to peak x min_learning_rate_ratio at the last step."""
    peak = options.learning_rate
    if step < options.warmup_steps:
        return peak * (step + 1) / options.warmup_steps
    floor = peak * options.min_learning_rate_ratio
    progress = min(1.0, (step - options.warmup_steps) / max(1, total_steps - options.warmup_steps))
    return floor + (peak - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def train(objective, model, train_set, val_set, options, env):
    """Trains model in place (world-size-agnostic); returns a summary dict. objective: see train_sft.SftObjective."""
    if not train_set:
        raise ValueError("the training set is empty")
    params = [p for p in model.parameters() if p.requires_grad]
    # nanoGPT's grouping: decay matrices and embeddings, never biases or norm scales.
    optimizer = torch.optim.AdamW(
        [{"params": [p for p in params if p.dim() >= 2], "weight_decay": options.weight_decay},
         {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
        lr=options.learning_rate, betas=(options.adam_beta1, options.adam_beta2), eps=options.adam_epsilon)
    ddp = model if env.world == 1 else DistributedDataParallel(
        model, device_ids=[env.device.index] if env.device.type == "cuda" else None)

    per_step = options.batch_size * options.gradient_accumulation_steps
    per_rank = math.ceil(per_step / env.world)
    # Pads each epoch to a multiple of the world size by repeating a few examples (at most world - 1).
    sampler = DistributedSampler(train_set, num_replicas=env.world, rank=env.rank, shuffle=True, seed=options.seed)
    steps_per_epoch = math.ceil(len(sampler) / per_rank)
    total_steps = min(steps_per_epoch * options.max_epochs, options.max_steps or math.inf)
    env.log({"stage": objective.stage, "event": "start", "world_size": env.world, "device": str(env.device),
             "backend": env.backend or None, "train": len(train_set), "val": len(val_set),
             "examples_per_step": per_rank * env.world, "steps_per_epoch": steps_per_epoch, "total_steps": total_steps})

    best_loss = best_step = best_state = eval_loss = None
    bad_evaluations = 0
    stop_reason = "completed"
    window = []
    step = 0
    while step < total_steps:
        epoch, index = divmod(step, steps_per_epoch)
        if index == 0:
            sampler.set_epoch(epoch)
            order = list(sampler)
        share = [train_set[i] for i in order[index * per_rank:(index + 1) * per_rank]]
        # Dropout is a function of (seed, step, rank): repeatable, and different on each process.
        torch.manual_seed(options.seed * 1000003 + step + (env.rank << 40))
        values, grad_norm = _step(objective, ddp, model, params, share, options, env)
        rate = learning_rate(options, step, total_steps)
        for group in optimizer.param_groups:
            group["lr"] = rate
        optimizer.step()
        step += 1

        window.append(values)
        last = step == total_steps
        if step % options.logging_interval == 0 or last:
            _flush(window, env, {"stage": objective.stage, "step": step, "total_steps": total_steps,
                                 "epoch": step / steps_per_epoch, "learning_rate": rate, "grad_norm": grad_norm})
        if val_set and ((options.eval_interval > 0 and step % options.eval_interval == 0)
                        or step % steps_per_epoch == 0 or last):
            eval_loss = evaluate(objective, model, val_set, options, env, step)
            if best_loss is None or eval_loss < best_loss - options.early_stopping_min_delta:
                best_loss, best_step, bad_evaluations = eval_loss, step, 0
                if options.restore_best_model:
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                bad_evaluations += 1
                if 0 < options.early_stopping_patience <= bad_evaluations:
                    stop_reason = "early_stopped"
                    break
    if window:  # an early stop between logging points still reports its last steps
        _flush(window, env, {"stage": objective.stage, "step": step, "total_steps": total_steps})

    restored = best_state is not None and best_step != step
    if best_state is not None:
        model.load_state_dict(best_state)
        eval_loss = best_loss
    # eval_loss: the validation loss of the weights returned (None without a validation set).
    summary = {"stage": objective.stage, "event": "done", "stop_reason": stop_reason, "steps": step,
               "total_steps": total_steps, "eval_loss": eval_loss, "best_step": best_step, "restored_best": restored}
    env.log(summary)
    return summary


def _step(objective, ddp, model, params, share, options, env):
    """Forward and backward over this process's share of one step (in micro-batches of at most batch_size), then
    clipping. Returns the step's global mean loss and metrics, and the gradient norm."""
    model.train(objective.use_dropout)
    batches = [objective.collate(share[i:i + options.batch_size]) for i in range(0, len(share), options.batch_size)]
    (weight,) = env.all_sum([sum(objective.weight(b) for b in batches)])
    for p in params:
        p.grad = None
    sums = [0.0] * (1 + len(objective.metric_names))  # loss, then the metrics
    for i, batch in enumerate(batches):
        # Only the last micro-batch's backward all-reduces the accumulated gradients.
        sync = i == len(batches) - 1 or ddp is model
        with nullcontext() if sync else ddp.no_sync():
            summed, metrics = objective.loss(ddp, batch)
            # x world: DistributedDataParallel AVERAGES gradients over processes; the result is sum / global weight.
            (summed * (env.world / weight)).backward()
        sums = _add(sums, summed.detach(), metrics, objective)
    totals = env.all_sum(sums)
    values = {"loss": totals[0] / weight, **{n: t / weight for n, t in zip(objective.metric_names, totals[1:])}}
    if not math.isfinite(values["loss"]):
        raise FloatingPointError(f"training diverged: loss is {values['loss']}; the update was not applied. Lower learning_rate or check the data.")
    grad_norm = torch.nn.utils.clip_grad_norm_(params, options.max_grad_norm if options.max_grad_norm > 0 else math.inf).item()
    if not math.isfinite(grad_norm):
        raise FloatingPointError(f"training diverged: grad_norm is {grad_norm}; the update was not applied. Lower learning_rate or check the data.")
    return values, grad_norm


def evaluate(objective, model, val_set, options, env, step):
    """Loss over the WHOLE validation set (each process takes every world-th example); logs and returns eval_loss."""
    model.eval()
    size = options.eval_batch_size or options.batch_size
    shard = val_set[env.rank::env.world]
    sums, weight = [0.0] * (1 + len(objective.metric_names)), 0.0
    with torch.no_grad():
        for start in range(0, len(shard), size):
            batch = objective.collate(shard[start:start + size])
            summed, metrics = objective.loss(model, batch)
            sums = _add(sums, summed, metrics, objective)
            weight += objective.weight(batch)
    weight, *totals = env.all_sum([weight] + sums)
    values = {"eval_loss": totals[0] / weight,
              **{f"eval_{n}": t / weight for n, t in zip(objective.metric_names, totals[1:])}}
    env.log({"stage": objective.stage, "step": step, **values})
    if not math.isfinite(values["eval_loss"]):
        raise FloatingPointError(f"training diverged: eval_loss is {values['eval_loss']} at step {step}")
    return values["eval_loss"]


def _add(sums, summed_loss, metrics, objective):
    """Adds a batch's summed loss and metric sums to the running [loss, *metrics] list."""
    return [a + b for a, b in zip(sums, [summed_loss] + [metrics[n] for n in objective.metric_names])]


def _flush(window, env, record):
    """Logs the mean of each value over the window's steps (learning rate and grad norm: the latest step's)."""
    means = {name: sum(v[name] for v in window) / len(window) for name in window[0]}
    env.log({**record, **means})
    window.clear()


def main(objective_class, argv=None):
    """Command line of train_sft / train_dpo (see parse_args); runs under torchrun or as a single process."""
    stage = objective_class.stage
    args = parse_args(stage, argv)
    env = distributed.init(args.backend, args.device)
    try:
        model, meta = checkpoint.load(args.init or os.path.join(args.data, "model.safetensors"), env.device)
        overrides = {k: getattr(args, k) for k in ("max_steps", "max_epochs", "batch_size", "learning_rate", "seed")}
        options = objective_class.Options.load(args.options or os.path.join(args.data, "train_options.json"), stage, overrides)
        config = model.config
        train_set, val_set = (objective_class.read(os.path.join(args.data, f"{stage}_{split}.jsonl"), config.vocab_size, config.context_length)
                              for split in ("train", "val"))
        objective = objective_class(model, options, env.device)
        train(objective, model, train_set, val_set, options, env)
        if env.rank == 0:
            checkpoint.save(args.out, model, meta)
            env.log({"stage": stage, "event": "saved", "path": args.out})
        env.barrier()  # the others exit once the result is on disk
    finally:
        env.close()


def parse_args(stage, argv=None):
    p = argparse.ArgumentParser(
        prog=f"python -m horroralign_torch.train_{stage}",
        description=f"{stage.upper()} on data exported by `horroralign train --export-for-pytorch DIR`. "
                    "Run under torchrun for several processes (DistributedDataParallel) or directly for one.")
    p.add_argument("--data", required=True, help="the exported folder (holds %s_train.jsonl, %s_val.jsonl, train_options.json)" % (stage, stage))
    p.add_argument("--init", help="starting model, .safetensors or .pt (default DATA/model.safetensors)"
                   + ("; for DPO, the SFT result: also the frozen reference" if stage == "dpo" else ""))
    p.add_argument("--out", required=True, help="where rank 0 writes the trained model (.safetensors or .pt)")
    p.add_argument("--options", help="train options JSON (default DATA/train_options.json; missing = .NET defaults)")
    p.add_argument("--max-steps", type=int, help="cap on optimizer steps (overrides the options file)")
    p.add_argument("--max-epochs", type=int, help="passes over the training set (overrides the options file)")
    p.add_argument("--batch-size", type=int, help="examples per optimizer step over ALL processes, times the options' gradient_accumulation_steps (overrides the options file)")
    p.add_argument("--learning-rate", type=float, help="peak learning rate (overrides the options file)")
    p.add_argument("--seed", type=int, help="shuffling and dropout seed (overrides the options file)")
    p.add_argument("--backend", choices=("auto", "gloo", "nccl"), default="auto", help="process-group backend (auto: nccl on CUDA, gloo on the CPU)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="auto: CUDA when available")
    return p.parse_args(argv)
