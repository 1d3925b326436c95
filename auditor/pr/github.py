"""Post or update the pull-request comment through the GitHub REST API (httpx).

One comment per PR, found again by the hidden marker and edited in place, so a PR that is pushed
twenty times has one current report instead of twenty stale ones (what Codecov and
py-cov-action do). Errors name the missing permission or setting; the token never appears in output.

The token goes only to the configured API origin (`GITHUB_API_URL`, default api.github.com): the
URL must be https (plain http only for a loopback host, for tests), pagination links and redirects
to any other origin are refused, pagination stops after `MAX_PAGES` pages or at a repeated page,
and a reply that is not the JSON GitHub documents is an error, never a traceback.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from auditor.errors import ToolError, UsageError

if TYPE_CHECKING:
    import httpx

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
MAX_RETRY_AFTER = 60
MAX_PAGES = 50  # 5,000 comments at 100 a page; a PR with more is not a PR anyone reads
MAX_REDIRECTS = 3
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
    api = validate_api_url((env.get("GITHUB_API_URL") or DEFAULT_API).strip())
    return Target(api=api, repo=repo, pr=number, token=token)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_api_url(url: str) -> str:
    """The API base URL without a trailing slash, or `UsageError`: it must be https with a host
    (http only for a loopback host), with no credentials, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    problem = None
    if parts.scheme not in ("https", "http") or not host:
        problem = "it is not an http(s) URL with a host"
    elif parts.scheme == "http" and not _is_loopback(host):
        problem = "plain http would send the token in clear text (only loopback hosts may use it)"
    elif parts.username or parts.password or parts.query or parts.fragment:
        problem = "it carries credentials, a query or a fragment"
    if problem:
        raise UsageError(
            f"GITHUB_API_URL={url!r} cannot be used: {problem}. Use https://api.github.com, or "
            f"https://HOST/api/v3 for GitHub Enterprise Server (GitHub Actions sets it for you)."
        )
    return url.rstrip("/")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def _pr_from_event(path: str) -> int | None:
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(
            f"GITHUB_EVENT_PATH={path} cannot be read ({exc.strerror}). Pass the pull request "
            f"number with `--pr N`."
        ) from None
    except ValueError as exc:
        raise UsageError(
            f"GITHUB_EVENT_PATH={path} is not valid JSON ({exc}). Pass the pull request number "
            f"with `--pr N`."
        ) from None
    if not isinstance(event, dict):
        raise UsageError(
            f"GITHUB_EVENT_PATH={path} holds a JSON {type(event).__name__}, not the event object "
            f"GitHub writes. Pass the pull request number with `--pr N`."
        )
    for candidate in (event.get("pull_request"), event.get("issue"), event):
        if isinstance(candidate, dict) and isinstance(candidate.get("number"), int):
            return int(candidate["number"])
    return None


class Client:
    """The three calls the comment needs: list (paginated), create, update."""

    def __init__(
        self,
        target: Target,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.target = target
        self.sleep = sleep
        self.timeout = timeout
        import httpx  # imported on use: `auditor --help` must not pay for it

        self.api_origin = _origin(validate_api_url(target.api))
        self.http = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport)

    def close(self) -> None:
        self.http.close()

    def list_comments(self) -> list[dict[str, Any]]:
        """Every comment of the pull request (all pages), as GitHub's JSON objects."""
        url: str | None = (
            f"{self.target.api}/repos/{self.target.repo}/issues/{self.target.pr}"
            f"/comments?per_page=100"
        )
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        while url:
            if url in seen:
                break  # a `next` link back to a page already read: the list is complete
            if len(seen) >= MAX_PAGES:
                raise ToolError(
                    f"GitHub's comment list did not end after {MAX_PAGES} pages "
                    f"({self.target.repo} PR #{self.target.pr}); stopped there. Post with "
                    f"--output FILE and check the API (GITHUB_API_URL)."
                )
            seen.add(url)
            data, headers = self._request("GET", url)
            if not isinstance(data, list):
                raise ToolError(
                    f"GitHub's comment list for {self.target.repo} PR #{self.target.pr} is not "
                    f"a JSON list; is GITHUB_API_URL ({self.target.api}) the GitHub API?"
                )
            out.extend(c for c in data if isinstance(c, dict))
            match = _NEXT.search(headers.get("link", "") or "")
            url = urljoin(url, match.group(1)) if match else None
            if url is not None and _origin(url) != self.api_origin:
                raise ToolError(
                    f"GitHub's pagination link points at another origin ({_origin_text(url)}); "
                    f"refusing to send the token there. Only {self.target.api} is trusted."
                )
        return out

    def create(self, body: str) -> dict[str, Any]:
        """Post a new comment; GitHub's JSON for it."""
        url = f"{self.target.api}/repos/{self.target.repo}/issues/{self.target.pr}/comments"
        data, _ = self._request("POST", url, {"body": body}, reply_optional=True)
        return data if isinstance(data, dict) else {}

    def update(self, comment_id: int, body: str) -> dict[str, Any]:
        """Replace the body of comment `comment_id`; GitHub's JSON for it."""
        url = f"{self.target.api}/repos/{self.target.repo}/issues/comments/{comment_id}"
        data, _ = self._request("PATCH", url, {"body": body}, reply_optional=True)
        return data if isinstance(data, dict) else {}

    def _request(
        self,
        method: str,
        url: str,
        payload: dict[str, Any] | None = None,
        reply_optional: bool = False,
    ) -> tuple[Any, dict[str, str]]:
        """One API call: retries once on a short Retry-After, follows same-origin redirects only.

        `reply_optional`: the call already had its effect when it succeeded (create/update), so
        a reply that is not JSON gives None instead of an error.
        """
        for attempt in range(2):
            response = self._send(self.http, method, url, payload)
            headers = {k.lower(): v for k, v in response.headers.items()}
            if response.is_success:
                return self._json(response, method, reply_optional), headers
            wait = _retry_after(response.status_code, headers)
            if wait is not None and attempt == 0 and wait <= MAX_RETRY_AFTER:
                self.sleep(wait)
                continue
            raise self._error(method, response.status_code, headers, response.text)
        raise ToolError("GitHub kept asking to retry later; run the step again.")  # pragma: no cover

    def _send(
        self, http: httpx.Client, method: str, url: str, payload: dict[str, Any] | None
    ) -> httpx.Response:
        for _ in range(MAX_REDIRECTS + 1):
            if _origin(url) != self.api_origin:
                raise ToolError(
                    f"GitHub redirected {method} to another origin ({_origin_text(url)}); "
                    f"refusing to send the token there. Only {self.target.api} is trusted."
                )
            import httpx

            try:
                response = http.request(method, url, headers=self._headers(), json=payload)
            except httpx.HTTPError as exc:
                raise ToolError(
                    f"Could not reach the GitHub API at {self.target.api} "
                    f"({type(exc).__name__}: {str(exc).replace(self.target.token, '***')}). "
                    f"Check the network and GITHUB_API_URL (GitHub Enterprise: "
                    f"https://HOST/api/v3)."
                ) from None
            location = response.headers.get("location")
            if not response.is_redirect or not location:
                return response
            url = urljoin(url, location)
            if response.status_code in (301, 302, 303):
                method, payload = ("GET", None) if method != "GET" else (method, payload)
        raise ToolError(f"GitHub redirected more than {MAX_REDIRECTS} times ({self.target.api}).")

    def _json(self, response: httpx.Response, method: str, optional: bool) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            if optional:
                return None  # the comment was written; only its URL is unknown
            raise ToolError(
                f"GitHub's reply to {method} was not JSON (HTTP {response.status_code}, "
                f"{response.headers.get('content-type', 'no content type')}); is GITHUB_API_URL "
                f"({self.target.api}) the GitHub API?"
            ) from None

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


def _origin_text(url: str) -> str:
    scheme, host, port = _origin(url)
    return f"{scheme}://{host}:{port}"


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
    own = client is None
    client = client or Client(target)
    try:
        return _post_or_update(body, marker, client)
    finally:
        if own:
            client.close()


def _post_or_update(body: str, marker: str, client: Client) -> dict[str, Any]:
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
    return {"action": action, "id": data.get("id"), "url": str(data.get("html_url") or "")}
