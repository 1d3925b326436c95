"""`python -m benchmarks.corpus ...` (from the repo root) or `python benchmarks/corpus ...`."""

import sys
from pathlib import Path

if not __package__:  # run as a directory: make `benchmarks.corpus` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.corpus.cli import main

sys.exit(main())
