"""Posting the PR comment, against a local stand-in for the GitHub REST API (127.0.0.1 only)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from pr_cards import card

from auditor import cli, score
from auditor.config import Config
from auditor.errors import ToolError, UsageError
from auditor.pr import comment as pr_comment
from auditor.pr import github

TOKEN = "ghs_secret_token_value"
MARKER = pr_comment.MARKER
PAGE = 2  # the fake paginates by 2 so three comments span two pages


class FakeGitHub:
    """Issue-comment endpoints of one repository, with request checks and scripted failures."""

    def __init__(self) -> None:
        self.comments: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.failures: list[tuple[int, dict[str, str], str]] = []
        self.next_id = 100

    def add(self, body: str, user_type: str = "User") -> int:
        self.next_id += 1
        self.comments.append(
            {
                "id": self.next_id,
                "body": body,
                "user": {"type": user_type},
                "html_url": f"https://github.test/c/{self.next_id}",
            }
        )
        return self.next_id


def make_handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _check(self) -> bool:
            state.requests.append((self.command, self.path))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                state.problems.append(f"bad Authorization on {self.command} {self.path}")
            if self.headers.get("Accept") != "application/vnd.github+json":
                state.problems.append(f"bad Accept on {self.command} {self.path}")
            if state.failures:
                status, headers, body = state.failures.pop(0)
                self._send(status, {"message": body}, headers)
                return False
            return True

        def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def _body(self) -> dict[str, Any]:
            if self.headers.get("Content-Type") != "application/json":
                state.problems.append("request body is not declared as JSON")
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if set(data) != {"body"} or not isinstance(data["body"], str):
                state.problems.append(f"unexpected payload keys {sorted(data)}")
            return dict(data)

        def do_GET(self) -> None:
            if not self._check():
                return
            url = urlparse(self.path)
            if url.path != "/repos/octo/proj/issues/7/comments":
                self._send(404, {"message": "Not Found"})
                return
            page = int(parse_qs(url.query).get("page", ["1"])[0])
            chunk = state.comments[(page - 1) * PAGE : page * PAGE]
            headers = {}
            if page * PAGE < len(state.comments):
                host = f"http://{self.headers['Host']}"
                headers["Link"] = (
                    f'<{host}{url.path}?per_page=100&page={page + 1}>; rel="next", '
                    f'<{host}{url.path}?page=9>; rel="last"'
                )
            self._send(200, chunk, headers)

        def do_POST(self) -> None:
            if not self._check():
                return
            if self.path != "/repos/octo/proj/issues/7/comments":
                self._send(404, {"message": "Not Found"})
                return
            new_id = state.add(self._body()["body"], "Bot")
            self._send(201, state.comments[-1] | {"id": new_id})

        def do_PATCH(self) -> None:
            if not self._check():
                return
            comment_id = int(self.path.rsplit("/", 1)[1])
            for comment in state.comments:
                if comment["id"] == comment_id and self.path.startswith(
                    "/repos/octo/proj/issues/comments/"
                ):
                    comment["body"] = self._body()["body"]
                    self._send(200, comment)
                    return
            self._send(404, {"message": "Not Found"})

    return Handler


@pytest.fixture
def fake() -> Iterator[tuple[FakeGitHub, str]]:
    state = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert not state.problems


def target(api: str) -> github.Target:
    return github.Target(api=api, repo="octo/proj", pr=7, token=TOKEN)


def test_first_post_creates_then_updates_in_place(fake: tuple[FakeGitHub, str]) -> None:
    state, api = fake
    state.add("LGTM")
    state.add("please add tests")
    state.add("another human comment")
    first = github.post_or_update(f"{MARKER}\nv1", MARKER, target(api))
    assert first["action"] == "created"
    second = github.post_or_update(f"{MARKER}\nv2", MARKER, target(api))
    assert second == {"action": "updated", "id": first["id"], "url": first["url"]}
    assert len(state.comments) == 4
    assert state.comments[-1]["body"] == f"{MARKER}\nv2"
    methods = [m for m, _ in state.requests]
    assert methods == ["GET", "GET", "POST", "GET", "GET", "PATCH"]
    assert state.requests[1][1].endswith("page=2")


def test_marker_on_the_second_page_is_found(fake: tuple[FakeGitHub, str]) -> None:
    state, api = fake
    state.add("a")
    state.add("b")
    mine = state.add(f"{MARKER}\nold", "Bot")
    result = github.post_or_update(f"{MARKER}\nnew", MARKER, target(api))
    assert result["action"] == "updated" and result["id"] == mine
    assert [c["body"] for c in state.comments] == ["a", "b", f"{MARKER}\nnew"]


@pytest.mark.parametrize(
    ("status", "headers", "error", "text"),
    [
        (401, {}, UsageError, "rejected the token"),
        (403, {}, UsageError, "pull-requests: write"),
        (404, {}, UsageError, "does not know octo/proj PR #7"),
        (422, {}, UsageError, "too long or malformed"),
        (
            403,
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000"},
            ToolError,
            "rate limit hit",
        ),
        (429, {"retry-after": "3600"}, ToolError, "retry after 3600 s"),
        (500, {}, ToolError, "HTTP 500"),
    ],
)
def test_error_statuses_have_clear_messages_without_the_token(
    fake: tuple[FakeGitHub, str],
    status: int,
    headers: dict[str, str],
    error: type[Exception],
    text: str,
) -> None:
    state, api = fake
    state.failures.append((status, headers, f"server says: bad credentials {TOKEN}"))
    with pytest.raises(error) as info:
        github.post_or_update("body", MARKER, target(api))
    message = str(info.value)
    assert text in message
    assert TOKEN not in message and "***" in message


def test_short_retry_after_is_waited_once(fake: tuple[FakeGitHub, str]) -> None:
    state, api = fake
    state.failures.append((429, {"retry-after": "2"}, "slow down"))
    waits: list[float] = []
    client = github.Client(target(api), sleep=waits.append)
    result = github.post_or_update("hello", MARKER, target(api), client)
    assert waits == [2.0]
    assert result["action"] == "created"


def test_unreachable_api_is_a_tool_error() -> None:
    with pytest.raises(ToolError, match="Could not reach the GitHub API"):
        github.post_or_update("x", MARKER, target("http://127.0.0.1:9"))


def test_target_from_env(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 42}}), encoding="utf-8")
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "octo/proj", "GITHUB_EVENT_PATH": str(event)}
    got = github.target_from_env(env=env)
    assert (got.api, got.repo, got.pr) == ("https://api.github.com", "octo/proj", 42)
    assert github.target_from_env(
        pr=5, env=env | {"GITHUB_API_URL": "https://ghe/api/v3/"}
    ).api == ("https://ghe/api/v3")
    with pytest.raises(UsageError, match="GITHUB_TOKEN"):
        github.target_from_env(env={k: v for k, v in env.items() if k != "GITHUB_TOKEN"})
    with pytest.raises(UsageError, match="OWNER/NAME"):
        github.target_from_env(env=env | {"GITHUB_REPOSITORY": "nope"})
    event.write_text(json.dumps({"workflow_run": {"pull_requests": []}}), encoding="utf-8")
    with pytest.raises(UsageError, match="--pr N"):
        github.target_from_env(env=env)


def test_pr_comment_command_posts_and_writes(
    fake: tuple[FakeGitHub, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, api = fake
    scorecard = card()
    score.finalize(scorecard, Config())
    path = tmp_path / "pr.json"
    path.write_text(json.dumps(scorecard.to_dict()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/proj")
    monkeypatch.setenv("GITHUB_API_URL", api)
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    out = tmp_path / "comment.md"
    argv = ["pr-comment", "--scorecard", str(path), "--post", "--pr", "7", "--output", str(out)]
    assert cli.main(argv) == 0
    assert cli.main(argv) == 0
    assert len(state.comments) == 1
    assert state.comments[0]["body"] == out.read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8").startswith(MARKER)
    monkeypatch.delenv("GITHUB_TOKEN")
    assert cli.main(argv) == 2
