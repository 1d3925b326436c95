"""Issue 12, security and crash cases of `auditor pr-comment --post` (the GitHub token).

The token may reach only the configured API origin over https (loopback http for these tests).
"""

from __future__ import annotations

import json

import pytest
from fake_api import serve

from auditor import cli
from auditor.errors import ToolError, UsageError
from auditor.pr import github

TOKEN = "ghs_hardening_secret"
MARKER = "<!-- auditor-pr-comment -->"


def _target(api: str) -> github.Target:
    return github.Target(api=api, repo="octo/proj", pr=7, token=TOKEN)


def _json(data: object, status: int = 200, headers: dict[str, str] | None = None):
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(data).encode()


def test_case_cross_origin_pagination_link_gets_no_token():
    with serve(lambda m, p, h: _json([])) as other:

        def api(method, path, headers):
            return _json([], headers={"Link": f'<{other.url}/page2>; rel="next"'})

        with serve(api) as fake, pytest.raises(ToolError, match="another origin"):
            github.post_or_update(f"{MARKER}\nx", MARKER, _target(fake.url))
    assert other.requests == []  # nothing, let alone the token, went to the other origin


def test_case_cross_origin_redirect_gets_no_token():
    with serve(lambda m, p, h: _json([])) as other:

        def api(method, path, headers):
            return 307, {"Location": f"{other.url}{path}"}, b""

        with serve(api) as fake, pytest.raises(ToolError, match="redirected GET to another origin"):
            github.post_or_update(f"{MARKER}\nx", MARKER, _target(fake.url))
    assert other.requests == []


def test_case_same_origin_redirect_is_followed_with_the_token():
    def api(method, path, headers):
        if path.startswith("/old/"):
            return 301, {"Location": path.replace("/old/", "/", 1)}, b""
        if method == "GET":
            return _json([])
        return _json({"id": 5, "html_url": "https://github.test/c/5"}, status=201)

    with serve(api) as fake:
        result = github.post_or_update("b", MARKER, _target(fake.url + "/old"))
        assert result["action"] == "created"
        assert all(h.get("authorization") == f"Bearer {TOKEN}" for _, _, h in fake.requests)


def test_case_self_referencing_pagination_link_stops():
    def api(method, path, headers):
        if method == "GET":
            return _json([], headers={"Link": f'<{fake.url}{path}>; rel="next"'})
        return _json({"id": 1}, status=201)

    with serve(api) as fake:
        github.post_or_update("b", MARKER, _target(fake.url))
        gets = [r for r in fake.requests if r[0] == "GET"]
    assert len(gets) == 1


def test_case_endless_pagination_is_capped():
    def api(method, path, headers):
        page = int(path.rsplit("page=", 1)[1]) if "page=" in path else 1
        return _json([], headers={"Link": f'<{fake.url}/x?page={page + 1}>; rel="next"'})

    with serve(api) as fake:
        with pytest.raises(ToolError, match=f"did not end after {github.MAX_PAGES} pages"):
            github.post_or_update("b", MARKER, _target(fake.url))
        assert len(fake.requests) == github.MAX_PAGES


@pytest.mark.parametrize(
    "url",
    ["http://api.github.com", "file:///etc/passwd", "notaurl", "ftp://x", "https://u:p@host/api"],
)
def test_case_insecure_or_invalid_api_url_is_refused(tmp_path, url):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 3}}))
    env = {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_API_URL": url,
    }
    with pytest.raises(UsageError, match="GITHUB_API_URL") as caught:
        github.target_from_env(env=env)
    assert TOKEN not in caught.value.message


def test_case_loopback_http_is_allowed_for_tests():
    assert github.validate_api_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert github.validate_api_url("https://ghe.example/api/v3") == "https://ghe.example/api/v3"


def test_case_github_api_url_notaurl_exits_2_without_traceback(tmp_path, monkeypatch, capsys):
    scorecard = tmp_path / "pr.json"
    scorecard.write_text(json.dumps({"schema_version": 1, "summary": {}, "mutants": []}))
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 3}}))
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_API_URL", "notaurl")
    code = cli.main(["pr-comment", "--scorecard", str(scorecard), "--post"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "GITHUB_API_URL='notaurl'" in err and "Traceback" not in err


def test_case_event_file_holding_a_json_list(tmp_path):
    event = tmp_path / "event.json"
    event.write_text("[1, 2, 3]")
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_PATH": str(event)}
    with pytest.raises(UsageError, match=r"holds a JSON list.*--pr N"):
        github.target_from_env(env=env)
    assert github.target_from_env(pr=4, env=env).pr == 4  # --pr still works


def test_case_malformed_json_after_the_comment_was_created():
    def api(method, path, headers):
        if method == "GET":
            return _json([])
        return 201, {"Content-Type": "application/json"}, b"{not json"

    with serve(api) as fake:
        result = github.post_or_update("b", MARKER, _target(fake.url))
    assert result["action"] == "created" and result["url"] == ""


def test_case_malformed_json_in_the_comment_list_is_an_error():
    html = (200, {"Content-Type": "text/html"}, b"<html>proxy</html>")
    with serve(lambda m, p, h: html) as fake, pytest.raises(ToolError, match="not JSON"):
        github.post_or_update("b", MARKER, _target(fake.url))
