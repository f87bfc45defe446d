"""Shared by the tests: puts python/ on sys.path (so `python3 -m unittest discover -s python/tests` works from the
repository root) and reads the golden vectors from the .NET tests' copy, which every clone has."""

import json
import os
import sys

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_DIR = os.path.join(PYTHON_DIR, "..", "test", "HorrorAlign.ML.Tests", "data", "golden")

if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)


def golden(name):
    with open(os.path.join(GOLDEN_DIR, name), encoding="utf-8") as f:
        return json.load(f)
