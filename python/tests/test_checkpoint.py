"""The safetensors reader/writer and the interchange format (weights + the horroralign JSON)."""

import json
import os
import struct
import tempfile
import unittest

import torch

from support import tiny_meta  # first: puts python/ on sys.path
from horroralign_torch import checkpoint, safetensors
from horroralign_torch.model import GPT


class SafetensorsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "t.safetensors")

    def tearDown(self):
        self.dir.cleanup()

    def test_round_trip_of_every_dtype_with_metadata(self):
        tensors = {
            "f32": torch.randn(3, 5),
            "f16": torch.randn(7).half(),
            "bf16": torch.randn(2, 3).bfloat16(),
            "i64": torch.tensor([[-(2 ** 40), 3]]),
            "i32": torch.tensor([7, -8], dtype=torch.int32),
            "bool": torch.tensor([True, False, True]),
            "u8": torch.tensor([0, 255], dtype=torch.uint8),
            "scalar": torch.tensor(2.5),
            "empty": torch.zeros(0, 4),
            "strided": torch.arange(12.0).reshape(3, 4).t(),  # not contiguous
        }
        metadata = {"horroralign": json.dumps({"a": [1, 2]}), "other": "x"}
        safetensors.save_file(tensors, self.path, metadata)
        loaded, meta = safetensors.load_file(self.path)
        self.assertEqual(meta, metadata)
        self.assertEqual(list(loaded), list(tensors))
        for name, tensor in tensors.items():
            self.assertEqual(loaded[name].dtype, tensor.dtype, name)
            self.assertTrue(torch.equal(loaded[name], tensor), name)

    def test_layout_follows_the_format(self):
        # Read back by hand: u64 LE header length, padded JSON header, then raw little-endian data at its offsets.
        safetensors.save_file({"a": torch.tensor([1.5, -2.0]), "b": torch.tensor([7], dtype=torch.int64)}, self.path, {"k": "v"})
        with open(self.path, "rb") as f:
            raw = f.read()
        (n,) = struct.unpack("<Q", raw[:8])
        self.assertEqual(n % 8, 0)
        header = json.loads(raw[8:8 + n])
        self.assertEqual(header["__metadata__"], {"k": "v"})
        self.assertEqual(header["a"], {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]})
        self.assertEqual(header["b"], {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]})
        self.assertEqual(raw[8 + n:], struct.pack("<2f", 1.5, -2.0) + struct.pack("<q", 7))

    def test_reads_a_file_written_by_someone_else(self):
        # Unpadded header, tensors stored in the opposite order to the header's, no metadata.
        header = json.dumps({"w": {"dtype": "F32", "shape": [2, 1], "data_offsets": [4, 12]},
                             "s": {"dtype": "F16", "shape": [], "data_offsets": [0, 2]}}).encode()
        data = struct.pack("<e", 0.5) + b"\0\0" + struct.pack("<2f", 3.0, 4.0)
        loaded, meta = safetensors.loads(struct.pack("<Q", len(header)) + header + data)
        self.assertEqual(meta, {})
        self.assertTrue(torch.equal(loaded["w"], torch.tensor([[3.0], [4.0]])))
        self.assertEqual(loaded["s"].item(), 0.5)

    def test_rejects_offsets_outside_the_data(self):
        header = json.dumps({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode()
        with self.assertRaisesRegex(ValueError, "does not fit"):
            safetensors.loads(struct.pack("<Q", len(header)) + header + b"\0" * 8)


class CheckpointTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def assert_same_model(self, a, b):
        ids = torch.tensor([[1, 4, 2, 9, 10]])
        with torch.no_grad():
            torch.testing.assert_close(a(ids), b(ids), rtol=0, atol=0)

    def test_safetensors_round_trip_of_a_tied_model(self):
        meta = tiny_meta(tie=True)
        model = GPT.from_config(meta)
        checkpoint.save(self.path("m.safetensors"), model, meta)
        tensors, metadata = safetensors.load_file(self.path("m.safetensors"))
        self.assertNotIn("output_layer.weight", tensors)
        self.assertEqual(sorted(tensors), sorted(model.state_dict()))
        self.assertTrue(all(t.dtype == torch.float32 for t in tensors.values()))
        self.assertEqual(json.loads(metadata["horroralign"]), meta)  # vocabulary carried through unchanged
        loaded, loaded_meta = checkpoint.load(self.path("m.safetensors"))
        self.assertEqual(loaded_meta, meta)
        self.assert_same_model(model, loaded)
        self.assertEqual(os.listdir(self.dir.name), ["m.safetensors"])  # no temporary left behind

    def test_pt_round_trip_writes_config_json_beside_the_weights(self):
        meta = tiny_meta(tie=False)
        model = GPT.from_config(meta)
        checkpoint.save(self.path("m.pt"), model, meta)
        self.assertIn("output_layer.weight", torch.load(self.path("m.pt")))
        with open(self.path("config.json")) as f:
            self.assertEqual(json.load(f), meta)
        loaded, _ = checkpoint.load(self.path("m.pt"))
        self.assert_same_model(model, loaded)

    def test_half_precision_weights_load_as_float32(self):
        meta = tiny_meta()
        model = GPT.from_config(meta)
        half = {k: v.half() for k, v in model.state_dict().items()}
        safetensors.save_file(half, self.path("h.safetensors"), {"horroralign": json.dumps(meta)})
        loaded, _ = checkpoint.load(self.path("h.safetensors"))
        self.assertEqual(loaded.token_embedding.weight.dtype, torch.float32)
        torch.testing.assert_close(loaded.token_embedding.weight, half["token_embedding.weight"].float())

    def test_refuses_the_options_it_does_not_implement(self):
        for option, words in (("copy_head", "copy head"), ("unseen_token_embedding", "unseen-token embedding")):
            meta = tiny_meta(**{option: True})
            safetensors.save_file({}, self.path("x.safetensors"), {"horroralign": json.dumps(meta)})
            with self.subTest(option=option), self.assertRaisesRegex(NotImplementedError, f"'{option}'.*does not implement the {words}"):
                checkpoint.load(self.path("x.safetensors"))

    def test_refuses_unknown_config_keys_and_mismatches(self):
        cases = [
            (tiny_meta(rotary=True), "unknown model config option"),
            (dict(tiny_meta(), version=2), "version 2"),
            (dict(tiny_meta(), vocabulary={"kind": "gpt2", "size": 50257, "gpt2_ids": None}), "vocabulary size 50257"),
        ]
        model = GPT.from_config(tiny_meta())
        for meta, message in cases:
            safetensors.save_file(model.state_dict(), self.path("x.safetensors"), {"horroralign": json.dumps(meta)})
            with self.subTest(message=message), self.assertRaisesRegex(ValueError, message):
                checkpoint.load(self.path("x.safetensors"))

    def test_refuses_weights_that_do_not_match_the_config(self):
        untied = GPT.from_config(tiny_meta(tie=False))
        safetensors.save_file(untied.state_dict(), self.path("x.safetensors"), {"horroralign": json.dumps(tiny_meta(tie=True))})
        with self.assertRaisesRegex(ValueError, "output_layer.weight"):
            checkpoint.load(self.path("x.safetensors"))


if __name__ == "__main__":
    unittest.main()
