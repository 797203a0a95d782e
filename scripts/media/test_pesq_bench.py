"""Tests for pesq_bench.py: alignment, Markdown section rewrite, and one
end-to-end run (espeak-ng -> sender -> relay -> reference receiver -> PESQ)."""
import io
import json
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pesq_bench as pb  # noqa: E402

try:
    import pesq  # noqa: F401
    HAVE_PESQ = True
except ImportError:
    HAVE_PESQ = False


def speechlike(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    env = np.repeat(rng.uniform(0, 1, n // 400 + 1) > 0.4, 400)[:n]  # on/off bursts
    from scipy.signal import lfilter
    return lfilter([1.0], [1.0, -0.9], x) * env * 3000


class AlignTest(unittest.TestCase):
    def test_known_offsets(self):
        ref = speechlike(40000)
        rng = np.random.default_rng(1)
        for lag in (0, 1234, 17, 8000 * 3 + 5, -500):
            if lag >= 0:
                deg = np.concatenate([np.zeros(lag), ref, np.zeros(999)])
            else:
                deg = ref[-lag:]
            deg = deg + rng.normal(0, 100, len(deg))
            out, found, corr = pb.align(ref, deg)
            self.assertEqual(found, lag)
            self.assertEqual(len(out), len(ref))
            self.assertGreater(corr, 0.95)
            if lag < 0:
                self.assertTrue(np.all(out[:500] == 0))

    def test_empty_and_short(self):
        ref = speechlike(8000)
        out, lag, corr = pb.align(ref, np.zeros(0))
        self.assertEqual((len(out), lag, corr), (8000, 0, 0.0))
        out, lag, corr = pb.align(ref, ref[:4000])
        self.assertEqual(lag, 0)
        self.assertTrue(np.all(out[4000:] == 0))


class MarkdownTest(unittest.TestCase):
    H = pb.SECTION

    def test_replace_only_that_section(self):
        doc = ("# Benchmarks\n\nintro\n\n" + self.H + "\n\nold table\n\n### sub\nold\n\n"
               "## Next\nkeep me\n")
        new = pb.replace_section(doc, self.H, "NEW\n")
        self.assertIn("NEW\n", new)
        self.assertNotIn("old", new)
        self.assertTrue(new.startswith("# Benchmarks\n\nintro\n\n" + self.H + "\n\nNEW\n"))
        self.assertTrue(new.endswith("\n## Next\nkeep me\n"))
        self.assertEqual(pb.replace_section(new, self.H, "NEW\n"), new)  # idempotent

    def test_append_when_missing_and_at_eof(self):
        self.assertEqual(pb.replace_section("# T\n", self.H, "x"), "# T\n\n" + self.H + "\n\nx\n")
        doc = "# T\n\n" + self.H + "\n\nold\n"
        self.assertEqual(pb.replace_section(doc, self.H, "y\n"), "# T\n\n" + self.H + "\n\ny\n")


@unittest.skipUnless(HAVE_PESQ and shutil.which("espeak-ng"),
                     "needs `pip install pesq` and `apt-get install espeak-ng`")
class EndToEndTest(unittest.TestCase):
    def test_clean_vs_5pct_loss_reference_receiver(self):
        td = tempfile.mkdtemp(prefix="pesq-e2e-")
        try:
            jl = os.path.join(td, "out.jsonl")
            md = os.path.join(td, "BENCH.md")
            with open(md, "w") as f:
                f.write("# B\n\n" + pb.SECTION + "\n\nstale\n\n## Other\nkept\n")
            with redirect_stdout(io.StringIO()):
                rc = pb.main(["--loss", "0,5", "--jitter", "10", "--reps", "1", "--extra",
                              "none", "--jobs", "2", "--jsonl", jl, "--update-md", md,
                              "--base-port", "25500"])
            with open(jl) as f:
                rows = [json.loads(l) for l in f]
            summ = {r["condition"]: r for r in rows if r["type"] == "summary"}
            runs = [r for r in rows if r["type"] == "run"]
            with open(md) as f:
                text = f.read()
        finally:
            shutil.rmtree(td)
        self.assertEqual(rc, 0)
        self.assertTrue(all(r["error"] is None for r in runs), runs)
        clean = summ["loss0_jit10"]["pesq_median"]
        lossy = summ["loss5_jit10"]["pesq_median"]
        self.assertGreaterEqual(clean, 4.2)
        self.assertLessEqual(clean, 4.6)
        self.assertLess(lossy, clean - 0.5)
        self.assertGreater(summ["loss5_jit10"]["relay_dropped"], 5)
        self.assertEqual(summ["loss0_jit10"]["relay_dropped"], 0)
        for r in runs:
            self.assertGreater(r["corr"], 0.9)
            self.assertLess(r["wall_s"], r["seconds"] + 1.5)
        self.assertIn("| loss5_jit10 |", text)
        self.assertNotIn("stale", text)
        self.assertTrue(text.endswith("## Other\nkept\n"))
        self.assertIn("python3 scripts/media/pesq_bench.py --loss 0,5", text)


if __name__ == "__main__":
    unittest.main()
