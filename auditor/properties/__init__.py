"""Hypothesis signals: per-test statistics, the `@given` reach, and witness search for survivors.

`stage.run` is the `properties` stage; `witness` finds a distinguishing input for each surviving
mutant (in a subprocess, `worker`); `suggest` turns the witnesses into ready-to-paste tests.
"""
