"""Options, schedule and data of the trainers, and end-to-end runs: SFT under torchrun with 2 gloo processes on
loopback, the same run as one plain process (same global batches, so the same weights), and DPO under torchrun."""

import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import torch
from torch.utils.data.distributed import DistributedSampler

from support import PYTHON_DIR, write_export  # first: puts python/ on sys.path
from horroralign_torch import checkpoint, data
from horroralign_torch.losses import masked_cross_entropy
from horroralign_torch.train_dpo import DpoObjective, DpoOptions
from horroralign_torch.train_sft import SftOptions
from horroralign_torch.training import TrainOptions, learning_rate

FAST = {"learning_rate": 0.01, "batch_size": 4, "warmup_steps": 2, "seed": 3}


def run(module, args, processes):
    """Runs a trainer (under torchrun when processes > 1) → its JSON log records, in order."""
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(processes),
                # Debian's torch 1.13 launcher crashes on Python 3.11 with the default --redirects/--tee 0.
                "--redirects", "1", "--tee", "1", "--log_dir", os.path.join(args[args.index("--data") + 1], "logs"),
                "-m"] if processes > 1 else [sys.executable, "-m"]
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR, OMP_NUM_THREADS="1")
    done = subprocess.run(launcher + [module] + args, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"{module} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    # torchrun's tee prefixes each line with "[default0]:".
    return [json.loads(line[line.index("{"):]) for line in done.stdout.splitlines() if '{"stage"' in line]


class ScheduleAndOptionsTest(unittest.TestCase):
    def test_warmup_then_cosine_to_the_floor(self):
        o = TrainOptions(learning_rate=1.0, warmup_steps=4, min_learning_rate_ratio=0.1)
        self.assertEqual([learning_rate(o, s, 14) for s in range(4)], [0.25, 0.5, 0.75, 1.0])
        self.assertAlmostEqual(learning_rate(o, 9, 14), 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 0.5)))
        self.assertAlmostEqual(learning_rate(o, 14, 14), 0.1)

    def test_options_take_the_stage_defaults_then_the_file_then_the_command_line(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "train_options.json")
            with open(path, "w") as f:
                json.dump({"sft": {"batch_size": 16, "max_steps": None, "warmup_steps": None, "threads": 2},
                           "dpo": {"loss_type": "Robust", "beta": 0.5}}, f)
            sft = SftOptions.load(path, "sft", {"seed": 7, "max_epochs": None})
            self.assertEqual((sft.batch_size, sft.warmup_steps, sft.seed, sft.learning_rate, sft.max_epochs), (16, 50, 7, 3e-3, 2))
            dpo = DpoOptions.load(path, "dpo", {})
            self.assertEqual((dpo.loss_type, dpo.beta, dpo.weight_decay, dpo.rpo_alpha), ("robust", 0.5, 0.0, 1.0))
            self.assertEqual(DpoOptions.load(os.path.join(folder, "missing.json"), "dpo", {}), DpoOptions())


class DataTest(unittest.TestCase):
    def test_pad_right_pads_with_zero_and_masks_targets(self):
        ids, mask = data.pad([data.Example([5, 6, 7, 8], 2), data.Example([9, 3], 1)])
        self.assertEqual(ids.tolist(), [[5, 6, 7, 8], [9, 3, 0, 0]])
        self.assertEqual(mask.tolist(), [[False, False, True, True], [False, True, False, False]])

    def test_read_names_the_bad_line(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "sft_train.jsonl")
            for row, message in (({"ids": [1, 2], "loss_start": 2}, "leaves no supervised target"),
                                 ({"ids": [1, 2, 11], "loss_start": 1}, r"in \[0, 11\)"),
                                 ({"ids": list(range(1, 11)) * 2, "loss_start": 1}, "context length 16")):
                with open(path, "w") as f:
                    f.write('{"ids": [1, 2], "loss_start": 1}\n' + json.dumps(row) + "\n")
                with self.subTest(message=message), self.assertRaisesRegex(ValueError, f"sft_train.jsonl:2: .*{message}"):
                    data.read_sft(path, vocab_size=11, context_length=16)


class DistributedTrainingTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.data = self.dir.name
        # SFT in forward passes of one example: 2 per process per step, 4 for one process (accumulation, no_sync).
        self.meta = write_export(self.data, sft_options={**FAST, "batch_size": 1, "gradient_accumulation_steps": 4}, dpo_options=FAST)

    def tearDown(self):
        self.dir.cleanup()

    def test_sft_with_two_processes_learns_and_equals_one_process(self):
        out2, out1 = os.path.join(self.data, "sft2.safetensors"), os.path.join(self.data, "sft1.safetensors")
        args = ["--data", self.data, "--max-steps", "6", "--backend", "gloo", "--device", "cpu"]
        log = run("horroralign_torch.train_sft", args + ["--out", out2], processes=2)
        self.assertEqual(log[0]["world_size"], 2)
        self.assertEqual(log[0]["examples_per_step"], 4)
        # The gradient is that of the token mean over the step's 4 examples, whichever process held them.
        self.assertAlmostEqual(log[1]["grad_norm"], self.first_step_grad_norm(), delta=1e-5 * log[1]["grad_norm"])
        done = next(r for r in log if r.get("event") == "done")
        self.assertEqual(done["steps"], 6)
        self.assertLess(done["eval_loss"], self.initial_sft_eval_loss() - 0.1)

        trained, meta = checkpoint.load(out2)
        self.assertEqual(meta, self.meta)  # the vocabulary travels through unchanged
        # One process taking the same global batches must reach the same weights: the loss is normalised by the
        # whole step's token count, not per process.
        single = run("horroralign_torch.train_sft", args + ["--out", out1], processes=1)
        self.assertEqual(single[0]["world_size"], 1)
        self.assertAlmostEqual(single[1]["grad_norm"], log[1]["grad_norm"], delta=1e-5 * log[1]["grad_norm"])
        alone, _ = checkpoint.load(out1)
        for name, tensor in trained.state_dict().items():
            torch.testing.assert_close(alone.state_dict()[name], tensor, rtol=0, atol=1e-5, msg=name)

    def test_dpo_with_two_processes_raises_the_margin(self):
        out = os.path.join(self.data, "dpo.safetensors")
        log = run("horroralign_torch.train_dpo", ["--data", self.data, "--out", out, "--max-steps", "6", "--backend", "gloo"], processes=2)
        self.assertEqual(log[1]["rewards/margins"], 0.0)  # policy = reference at the first step
        evaluation = [r for r in log if "eval_loss" in r and "event" not in r][-1]
        self.assertGreater(evaluation["eval_rewards/margins"], 0.0)
        self.assertLess(evaluation["eval_loss"], self.initial_dpo_eval_loss())
        checkpoint.load(out)

    def first_step_grad_norm(self):
        """Norm of the gradient of the token-mean loss over the first step's examples (the sampler's first 4)."""
        model, _ = checkpoint.load(os.path.join(self.data, "model.safetensors"))
        train = data.read_sft(os.path.join(self.data, "sft_train.jsonl"), 11, 16)
        order = list(DistributedSampler(train, num_replicas=1, rank=0, shuffle=True, seed=FAST["seed"]))
        ids, mask = data.pad([train[i] for i in order[:4]])
        masked_cross_entropy(model(ids), ids, mask).backward()
        return torch.nn.utils.clip_grad_norm_(model.parameters(), math.inf).item()

    def initial_sft_eval_loss(self):
        model, _ = checkpoint.load(os.path.join(self.data, "model.safetensors"))
        ids, mask = data.pad(data.read_sft(os.path.join(self.data, "sft_val.jsonl"), 11, 16))
        with torch.no_grad():
            return masked_cross_entropy(model(ids), ids, mask).item()

    def initial_dpo_eval_loss(self):
        model, _ = checkpoint.load(os.path.join(self.data, "model.safetensors"))
        objective = DpoObjective(model, DpoOptions(), "cpu")
        pairs = data.read_dpo(os.path.join(self.data, "dpo_val.jsonl"), 11, 16)
        with torch.no_grad():
            summed, _ = objective.loss(model, objective.collate(pairs))
        return summed.item() / len(pairs)


if __name__ == "__main__":
    unittest.main()
