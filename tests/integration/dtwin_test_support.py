"""Helpers shared by the integration tests: run the real dtwin binary in a fresh data dir."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

DTWIN = os.environ.get("DTWIN_BIN", "dtwin")
SOURCE_DIR = os.environ.get("DTWIN_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED_DIR = os.environ.get("DTWIN_SHARED_DIR", os.path.join(SOURCE_DIR, "..", "shared"))
EXAMPLE_DIR = os.path.join(SOURCE_DIR, "examples", "door-and-two-rooms")


class Result:
    def __init__(self, completed):
        self.code = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"exit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}"


class DtwinTestCase(unittest.TestCase):
    """Each test gets its own temporary data directory, removed afterwards."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dtwin-test-")
        self.data = os.path.join(self.tmp, "data")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def dtwin(self, *args, data=True, input=None):
        command = [DTWIN, *args]
        if data:
            command += ["--data", self.data]
        completed = subprocess.run(command, capture_output=True, text=True, input=input, timeout=120)
        return Result(completed)

    def ok(self, *args, **kwargs):
        result = self.dtwin(*args, **kwargs)
        self.assertEqual(result.code, 0, result)
        return result

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def load_example(self):
        self.ok("model", "import", os.path.join(EXAMPLE_DIR, "models"))
        self.ok("import", os.path.join(EXAMPLE_DIR, "twins.json"))
