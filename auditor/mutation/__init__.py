"""Mutation stage: drives real mutmut 3.8.1 in an isolated workspace copy and parses its results."""
