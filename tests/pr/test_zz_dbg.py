import json, sys
sys.path.insert(0, "/work/main/tests/pr")
from test_pr_e2e import *

def test_dbg(repo):
    r = run_cli(repo, "scan", "tests", "--only", "static", "--format", "json")
    c = json.loads(r.stdout)
    print(repo, c["stages"][0], len(c["findings"]), r.stderr[-500:])
    import os; print({k: v for k, v in os.environ.items() if "PYTEST" in k or "AUDITOR" in k})
    assert 0
