"""The flakiness stage: order-dependent, brittle, non-deterministic and parallel-unsafe tests.

Every claim is verified by running the tests in fresh pytest processes (docs/flaky.md):

- `schedule`  which orders to run (seeded shuffles that together cover every consecutive pair);
- `command`   the one place a pytest command line for these runs is built;
- `plugin`    the pytest plugin loaded with `-p`: reorders, records outcomes, snapshots state;
- `runner`    one run in a subprocess with a time limit; `store` keeps finished runs as JSON;
- `analyze`   polluter / cleaner / state-setter search by delta debugging, then verification;
- `engine`    the phases within the time budget.
"""
