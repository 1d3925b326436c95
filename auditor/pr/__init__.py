"""Pull-request and CI subsystem: everything that scopes, scores, splits or posts one change.

- `diffscope`: which lines changed since a git BASE (merge-base semantics);
- `patch_metrics`: patch coverage and the patch mutation score, stored in `card.patch`;
- `comment`: the markdown pull-request comment (also `scan --markdown`);
- `command`: `auditor pr-comment`, which renders and optionally posts it;
- `github`: the GitHub REST client that creates or updates the comment;
- `shards`: deterministic `--shard K/N` over mutant names;
- `merge`: `auditor merge`, which joins shard scorecards into one.
"""
