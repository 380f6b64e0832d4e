"""Tools for the course's contributors: re-executing notebooks and reading the README's commands.

Run them from the repository's root, e.g. ``python -m tools.run_notebooks``. They are not part of
the installed ``k8skit`` package: a learner never needs them.
"""
