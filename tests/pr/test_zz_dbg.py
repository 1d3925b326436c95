import json

import test_pr_e2e as e


def test_dbg(tmp_path_factory):
    root = tmp_path_factory.mktemp("shop")
    e.init_repo(root, {"pyproject.toml": e.PYPROJECT, "shop/__init__.py": "", "shop/core.py": e.BASE_CODE,
                       "tests/test_core.py": e.BASE_TESTS, "tests/test_legacy.py": e.LEGACY_TESTS,
                       ".gitignore": ".auditor/\nmutants/\n"})
    e.git(root, "checkout", "-q", "-b", "feature")
    e.write(root, {"shop/core.py": e.CHANGED_CODE, "tests/test_core.py": e.CHANGED_TESTS})
    e.commit(root, "cap the discount")
    for args in (["--only", "static"], ["--diff", "main", "--only", "static"], ["--diff", "main", "--skip", "properties", "--jobs", "2"]):
        r = e.run_cli(root, "scan", "tests", *args, "--format", "json")
        c = json.loads(r.stdout)
        print(args, c["stages"][0], len(c["findings"]), c["meta"].get("static"))
    assert 0
