"""The model and the losses against the golden vectors computed with PyTorch 1.13 by the original pipeline's code."""

import unittest

import torch

from support import golden  # first: puts python/ on sys.path
from horroralign_torch.losses import completion_logprobs, dpo_loss, masked_cross_entropy, sequence_logprobs
from horroralign_torch.model import GPT, GptConfig


def golden_model():
    g = golden("decoder_forward.json")
    c = g["config"]
    model = GPT(GptConfig(vocab_size=c["vocab_size"], d_model=c["d_model"], n_heads=c["n_heads"], n_layers=c["n_blocks"],
                          mlp_ratio=c["mlp_hidden"] // c["d_model"], context_length=c["max_seq_len"], dropout=0.0))
    model.load_state_dict({k: torch.tensor(v) for k, v in g["parameters"].items()}, strict=True)
    return model.eval(), g


class DecoderForwardTest(unittest.TestCase):
    def test_logits_match_golden(self):
        model, g = golden_model()
        with torch.no_grad():
            logits = model(torch.tensor(g["tokens"]))
        expected = torch.tensor(g["expected_logits"])
        self.assertEqual(logits.shape, expected.shape)
        self.assertLess((logits - expected).abs().max().item(), g["tolerance"])

    def test_selected_positions_equal_full_logits(self):
        model, g = golden_model()
        ids = torch.tensor(g["tokens"])
        select = torch.tensor([[False, True, False, True, True, False], [True, False, False, False, False, True]])
        with torch.no_grad():
            torch.testing.assert_close(model(ids, select), model(ids)[select])


class SftLossTest(unittest.TestCase):
    def setUp(self):
        g = golden("sft_loss.json")
        self.g = g
        self.logits = torch.tensor(g["logits"], dtype=torch.float64)
        self.ids = torch.tensor(g["tokens"])
        self.mask = torch.tensor(g["loss_mask"])

    def test_masked_cross_entropy_is_the_token_mean(self):
        loss = masked_cross_entropy(self.logits, self.ids, self.mask)
        self.assertAlmostEqual(loss.item(), self.g["expected_masked_ce"], delta=self.g["tolerance"])

    def test_sequence_logprobs_and_counts(self):
        sums, counts = sequence_logprobs(self.logits, self.ids, self.mask)
        for got, want in zip(sums.tolist(), self.g["expected_sequence_logps"]):
            self.assertAlmostEqual(got, want, delta=self.g["tolerance"])
        self.assertEqual(counts.tolist(), self.g["expected_token_counts"])

    def test_first_mask_column_is_ignored(self):
        # Nothing predicts token 0, so marking it changes nothing.
        marked = self.mask.clone()
        marked[:, 0] = 1
        self.assertEqual(masked_cross_entropy(self.logits, self.ids, marked).item(),
                         masked_cross_entropy(self.logits, self.ids, self.mask).item())

    def test_model_fast_path_equals_full_logits(self):
        model, g = golden_model()
        ids = torch.tensor(g["tokens"])
        mask = torch.tensor([[0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 1, 0]])
        with torch.no_grad():
            fast, fast_counts = completion_logprobs(model, ids, mask)
            full, full_counts = sequence_logprobs(model(ids), ids, mask)
        torch.testing.assert_close(fast, full)
        self.assertEqual(fast_counts.tolist(), [4.0, 1.0])


class DpoLossTest(unittest.TestCase):
    def test_every_case(self):
        g = golden("dpo_loss.json")
        logps = [torch.tensor(g[k], dtype=torch.float64) for k in
                 ("policy_chosen_logps", "policy_rejected_logps", "reference_chosen_logps", "reference_rejected_logps")]
        tol = g["tolerance"]
        for case in g["cases"]:
            with self.subTest(**{k: case[k] for k in ("loss_type", "beta", "label_smoothing")}):
                loss, chosen, rejected = dpo_loss(*logps, case["loss_type"], case["beta"], case["label_smoothing"])
                self.assertAlmostEqual(loss.item(), case["expected_loss"], delta=tol * max(1.0, abs(case["expected_loss"])))
                if "expected_rewards_chosen" in case:
                    for got, want in zip(chosen.tolist() + rejected.tolist(),
                                         case["expected_rewards_chosen"] + case["expected_rewards_rejected"]):
                        self.assertAlmostEqual(got, want, delta=tol * max(1.0, abs(want)))
                    self.assertAlmostEqual((chosen - rejected).mean().item(), case["expected_reward_margin_mean"], delta=tol)
                    self.assertAlmostEqual((chosen > rejected).double().mean().item(), case["expected_reward_accuracy"], delta=tol)

    def test_rejects_bad_arguments(self):
        x = torch.zeros(2, dtype=torch.float64)
        with self.assertRaisesRegex(ValueError, "loss_type"):
            dpo_loss(x, x, x, x, "kto")
        with self.assertRaisesRegex(ValueError, "label_smoothing"):
            dpo_loss(x, x, x, x, "sigmoid", 0.1, 0.5)


if __name__ == "__main__":
    unittest.main()
