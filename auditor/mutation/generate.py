"""`python -m auditor.mutation.generate N`: mutmut's generation phase only, run in the workspace.

`mutmut run` always runs the stats and clean-test phases before it can be told which mutants to
test, but we must know every generated mutant first (to skip arid lines, apply --diff and shards and
detect changed tests). This calls the same functions `mutmut run` calls for its first phase; the
following `mutmut run NAMES` then finds the files up to date (mtime check) and re-uses them. Kept
tiny because it is the only place that touches mutmut internals (pinned 3.8.1).
"""

from __future__ import annotations

import sys


def main(max_children: int) -> int:
    from pathlib import Path

    from mutmut.__main__ import create_mutants
    from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir

    Path("mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    create_mutants(max_children)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1))
