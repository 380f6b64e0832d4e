"""The README's two set-up commands, read from the README itself.

The README gives a learner exactly two commands: one that installs the course and opens
JupyterLab, one that installs the test tools and runs every test. CI must run the second one as
written, not a copy that could drift from it, so ``.ci/run`` takes it from here::

    python3 -m tools.readme_commands test            # the command, on one line
    python3 -m tools.readme_commands test --stages   # its steps (split at "&&"), one per line

Each command is the single line of the fenced code block that follows its marker comment
(``<!-- setup-command -->`` or ``<!-- test-command -->``). Standard library only: CI runs this
before anything is installed.
"""

import argparse
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"

MARKERS = {"setup": "<!-- setup-command -->", "test": "<!-- test-command -->"}


class ReadmeCommandError(ValueError):
    """The README does not hold the command where its marker says."""


def readme_command(name: str, readme: Path = README) -> str:
    """The one-line command that follows the marker ``name`` ("setup" or "test")."""
    marker = MARKERS[name]
    text = readme.read_text(encoding="utf-8")
    if text.count(marker) != 1:
        raise ReadmeCommandError(f"{readme.name} must hold {marker} exactly once")
    lines = iter(text.split(marker, 1)[1].splitlines())
    for line in lines:
        if line.strip():
            if not line.startswith("```"):
                raise ReadmeCommandError(f"a fenced code block must follow {marker}")
            break
    block = []
    for line in lines:
        if line.startswith("```"):
            break
        block.append(line)
    commands = [line for line in block if line.strip()]
    if len(commands) != 1:
        raise ReadmeCommandError(f"the block after {marker} must hold exactly one command line")
    return commands[0].strip()


def stages(command: str) -> list[str]:
    """The steps of a command chained with ``&&``, in order."""
    return [step.strip() for step in command.split("&&")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tools.readme_commands")
    parser.add_argument("name", choices=sorted(MARKERS))
    parser.add_argument("--stages", action="store_true", help="print each step on its own line")
    args = parser.parse_args(argv)
    try:
        command = readme_command(args.name)
    except ReadmeCommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("\n".join(stages(command)) if args.stages else command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
