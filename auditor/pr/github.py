"""Post or update the pull-request comment through the GitHub REST API (urllib only).

One comment per PR, found again by the hidden marker and edited in place, so a PR that is pushed
twenty times has one current report instead of twenty stale ones (what Codecov and
py-cov-action do). Errors name the missing permission or setting; the token never appears in output.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import ToolError, UsageError

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
MAX_RETRY_AFTER = 60
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass
class Target:
    """Where the comment goes: API base, `owner/name` and the PR number."""

    api: str
    repo: str
    pr: int
    token: str


def target_from_env(
    pr: int | None = None, repo: str | None = None, env: dict[str, str] | None = None
) -> Target:
    """Read GITHUB_TOKEN / _REPOSITORY / _EVENT_PATH / _API_URL (or the overrides)."""
    env = dict(os.environ) if env is None else env
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise UsageError(
            "--post needs a token in GITHUB_TOKEN. In GitHub Actions add "
            "`env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` to the step and grant "
            "`permissions: pull-requests: write` to the job."
        )
    repo = repo or env.get("GITHUB_REPOSITORY", "").strip()
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo or ""):
        raise UsageError(
            f"--post needs the repository as OWNER/NAME in GITHUB_REPOSITORY (set by GitHub "
            f"Actions) "
            f"or --repo; got {repo!r}."
        )
    number = pr if pr is not None else _pr_from_event(env.get("GITHUB_EVENT_PATH", ""))
    if number is None or number < 1:
        raise UsageError(
            "--post could not tell which pull request to comment on: GITHUB_EVENT_PATH has no "
            "pull_request number (a `workflow_run` or `push` event). Pass it with `--pr N`, e.g. "
            "the number the PR job saved in its artifact."
        )
    api = (env.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
    return Target(api=api, repo=repo, pr=number, token=token)


def _pr_from_event(path: str) -> int | None:
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for candidate in (event.get("pull_request"), event.get("issue"), event):
        if isinstance(candidate, dict) and isinstance(candidate.get("number"), int):
            return int(candidate["number"])
    return None


class Client:
    """The three calls the comment needs: list (paginated), create, update."""

    def __init__(
        self, target: Target, sleep: Callable[[float], None] = time.sleep, timeout: float = 30.0
    ) -> None:
        self.target = target
        self.sleep = sleep
        self.timeout = timeout

    def list_comments(self) -> list[dict[str, Any]]:
        """Every comment of the pull request (all pages), as GitHub's JSON objects."""
        url: str | None = (
            f"{self.target.api}/repos/{self.target.repo}/issues/{self.target.pr}"
            f"/comments?per_page=100"
        )
        out: list[dict[str, Any]] = []
        while url:
            data, headers = self._request("GET", url)
            if isinstance(data, list):
                out.extend(c for c in data if isinstance(c, dict))
            match = _NEXT.search(headers.get("link", "") or "")
            url = match.group(1) if match else None
        return out

    def create(self, body: str) -> dict[str, Any]:
        """Post a new comment; GitHub's JSON for it."""
        url = f"{self.target.api}/repos/{self.target.repo}/issues/{self.target.pr}/comments"
        data, _ = self._request("POST", url, {"body": body})
        return data if isinstance(data, dict) else {}

    def update(self, comment_id: int, body: str) -> dict[str, Any]:
        """Replace the body of comment `comment_id`; GitHub's JSON for it."""
        url = f"{self.target.api}/repos/{self.target.repo}/issues/comments/{comment_id}"
        data, _ = self._request("PATCH", url, {"body": body})
        return data if isinstance(data, dict) else {}

    def _request(
        self, method: str, url: str, payload: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, str]]:
        for attempt in range(2):
            request = urllib.request.Request(url, method=method, headers=self._headers())
            if payload is not None:
                request.data = json.dumps(payload).encode("utf-8")
                request.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    headers = {k.lower(): v for k, v in response.headers.items()}
                    raw = response.read()
                    return (json.loads(raw) if raw else None), headers
            except urllib.error.HTTPError as exc:
                headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
                body = exc.read().decode("utf-8", errors="replace")
                wait = _retry_after(exc.code, headers)
                if wait is not None and attempt == 0 and wait <= MAX_RETRY_AFTER:
                    self.sleep(wait)
                    continue
                raise self._error(method, exc.code, headers, body) from None
            except (urllib.error.URLError, OSError) as exc:
                raise ToolError(
                    f"Could not reach the GitHub API at {self.target.api} ({exc}). Check the "
                    f"network "
                    f"and GITHUB_API_URL (GitHub Enterprise: https://HOST/api/v3)."
                ) from None
        raise ToolError(
            "GitHub kept asking to retry later; run the step again."
        )  # pragma: no cover

    def _headers(self) -> dict[str, str]:
        from auditor.version import __version__

        return {
            "Authorization": f"Bearer {self.target.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"auditor/{__version__}",
        }

    def _error(self, method: str, status: int, headers: dict[str, str], body: str) -> Exception:
        message = _api_message(body).replace(self.target.token, "***")
        where = f"{method} {self.target.repo} PR #{self.target.pr}"
        if _rate_limited(status, headers):
            reset = headers.get("x-ratelimit-reset", "")
            when = (
                f" The limit resets at {time.strftime('%H:%M:%S UTC', time.gmtime(int(reset)))}."
                if reset.isdigit()
                else ""
            )
            after = headers.get("retry-after")
            return ToolError(
                f"GitHub API rate limit hit ({where}: HTTP {status}, {message}).{when}"
                + (f" GitHub asks to retry after {after} s." if after else "")
                + " Run the step again later; the rendered comment is unchanged."
            )
        if status == 401:
            return UsageError(
                f"GitHub rejected the token ({where}: HTTP 401, {message}). Set GITHUB_TOKEN to a "
                f"valid token, e.g. `${{{{ secrets.GITHUB_TOKEN }}}}`."
            )
        if status == 403:
            return UsageError(
                f"The token may not comment on this pull request ({where}: HTTP 403, {message}). "
                f"Give the job `permissions: pull-requests: write`; for pull requests from forks, "
                f"post from "
                f"a separate `workflow_run` job (see docs/github-actions.md)."
            )
        if status == 404:
            return UsageError(
                f"GitHub does not know {self.target.repo} PR #{self.target.pr} or the comment "
                f"({where}: HTTP 404, {message}). Check GITHUB_REPOSITORY and --pr, and that the "
                f"token can see the repository."
            )
        if status == 422:
            return UsageError(
                f"GitHub refused the comment ({where}: HTTP 422, {message}). The body may be too "
                f"long or malformed; render it with --output FILE and check it."
            )
        return ToolError(f"GitHub API error ({where}: HTTP {status}, {message}). Try again later.")


def _api_message(body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body.strip()[:200] or "no message"
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])[:200]
    return "no message"


def _rate_limited(status: int, headers: dict[str, str]) -> bool:
    if status == 429:
        return True
    return status == 403 and (
        headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
    )


def _retry_after(status: int, headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after", "")
    if _rate_limited(status, headers) and value.strip().isdigit():
        return float(value)
    return None


def post_or_update(
    body: str, marker: str, target: Target, client: Client | None = None
) -> dict[str, Any]:
    """Update the comment carrying `marker`, else create one. Returns action, id and url."""
    client = client or Client(target)
    existing = [c for c in client.list_comments() if marker in str(c.get("body") or "")]
    bots = [c for c in existing if (c.get("user") or {}).get("type") == "Bot"]
    candidates = bots or existing
    chosen = candidates[0] if candidates else None
    if chosen is not None and isinstance(chosen.get("id"), int):
        data = client.update(int(chosen["id"]), body)
        action = "updated"
    else:
        data = client.create(body)
        action = "created"
    return {"action": action, "id": data.get("id"), "url": data.get("html_url", "")}
