"""Coverage stage: one pytest run under coverage.py with per-test contexts -> CoverageMap.

`stage.run` is the stage; `map.CoverageMap` is the who-tests-what table the other stages load.
"""
