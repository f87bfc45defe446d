"""parity.py: the logits it writes, and its comparison."""

import contextlib
import io
import json
import os
import tempfile
import unittest

import torch

from support import tiny_meta  # first: puts python/ (parity.py, horroralign_torch) on sys.path
import parity
from horroralign_torch import checkpoint
from horroralign_torch.model import GPT


class ParityTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.model = GPT.from_config(tiny_meta()).eval()
        self.model_path = self.file("m.safetensors")
        checkpoint.save(self.model_path, self.model, tiny_meta())
        self.rows = [[1, 5, 9, 2], [3, 4]]
        with open(self.file("ids.json"), "w") as f:
            json.dump({"ids": self.rows}, f)

    def tearDown(self):
        self.dir.cleanup()

    def file(self, name):
        return os.path.join(self.dir.name, name)

    def parity(self, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = parity.main(["--model", self.model_path, "--ids", self.file("ids.json"), *args])
        return status, out.getvalue()

    def test_writes_each_rows_logits(self):
        self.assertEqual(self.parity("--out", self.file("logits.json"))[0], 0)
        with open(self.file("logits.json")) as f:
            written = json.load(f)
        self.assertEqual(written["ids"], self.rows)
        for row, logits in zip(self.rows, written["logits"]):
            with torch.no_grad():
                expected = self.model(torch.tensor([row]))[0]
            self.assertEqual(torch.tensor(logits).shape, (len(row), 11))
            torch.testing.assert_close(torch.tensor(logits), expected, rtol=0, atol=0)

    def test_compares_with_expected_logits(self):
        self.parity("--out", self.file("logits.json"))
        with open(self.file("logits.json")) as f:
            written = json.load(f)
        self.assertEqual(self.parity("--expect", self.file("logits.json"))[0], 0)
        written["logits"][1][1][7] += 1e-3
        with open(self.file("off.json"), "w") as f:
            json.dump(written, f)
        status, printed = self.parity("--expect", self.file("off.json"))
        self.assertEqual(status, 1)
        self.assertIn("ABOVE tolerance", printed)


if __name__ == "__main__":
    unittest.main()
