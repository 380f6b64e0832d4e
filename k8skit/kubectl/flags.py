"""Command-line flags, parsed as kubectl's library (spf13/pflag, through cobra) parses them.

Long flags take ``--name=value`` or ``--name value``; short ones ``-n value``, ``-nvalue`` or
``-n=value``; boolean flags need no value (``--overwrite``, ``-A``) and several short booleans
may be joined (``-it``). Flags may come before, between or after the arguments; ``--`` ends the
flags, and what follows it is passed on untouched (``kubectl exec web -- ls -l``).

The error messages are pflag's, because kubectl prints them as they are
(``unknown flag: --foo``, ``flag needs an argument: 'n' in -n``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class FlagError(ValueError):
    """A flag kubectl would not accept; the message is pflag's."""


@dataclass(frozen=True)
class Flag:
    """One flag: ``Flag("namespace", "n", "string", help="...")``.

    ``kind`` is ``bool``, ``string``, ``int``, ``strings`` (repeatable, each value may also
    be a comma-separated list, as ``-L app,tier``: pflag's StringSlice) or ``array``
    (repeatable, each value kept whole, commas and all, as ``--from-literal=k=a,b``: pflag's
    StringArray). A ``string`` flag with ``optional_value``
    may be given bare (``--dry-run`` means ``--dry-run=client``), like pflag's NoOptDefVal.
    """

    name: str
    short: str = ""
    kind: str = "string"
    default: object = None
    help: str = ""
    optional_value: str | None = None

    def initial(self) -> object:
        if self.default is not None:
            return list(self.default) if self.kind in ("strings", "array") else self.default
        return {"bool": False, "string": "", "int": 0, "strings": [], "array": []}[self.kind]


@dataclass
class ParsedArgs:
    """Positional arguments, flag values by name, and what came after ``--``."""

    args: list[str]
    values: dict[str, object]
    set_flags: set[str] = field(default_factory=set)
    after_dash: list[str] | None = None  # None when there was no "--"

    def __getitem__(self, name: str) -> object:
        return self.values[name]

    def given(self, name: str) -> bool:
        return name in self.set_flags


def _convert(flag: Flag, text: str, shown: str) -> object:
    if flag.kind == "bool":
        lowered = {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True,
                   "0": False, "f": False, "F": False, "false": False, "FALSE": False,
                   "False": False}
        if text not in lowered:
            raise FlagError(f'invalid argument "{text}" for "{shown}" flag: '
                            f'strconv.ParseBool: parsing "{text}": invalid syntax')
        return lowered[text]
    if flag.kind == "int":
        try:
            return int(text, 10)
        except ValueError:
            raise FlagError(f'invalid argument "{text}" for "{shown}" flag: '
                            f'strconv.ParseInt: parsing "{text}": invalid syntax') from None
    return text


def _shown(flag: Flag) -> str:
    return f"-{flag.short}, --{flag.name}" if flag.short else f"--{flag.name}"


def parse(tokens: list[str], flags: list[Flag]) -> ParsedArgs:
    """Split ``tokens`` into positional arguments and flag values; raises :class:`FlagError`."""
    by_long = {f.name: f for f in flags}
    by_short = {f.short: f for f in flags if f.short}
    parsed = ParsedArgs([], {f.name: f.initial() for f in flags})

    def store(flag: Flag, value: object) -> None:
        if flag.kind in ("strings", "array"):
            if flag.name not in parsed.set_flags:
                parsed.values[flag.name] = []
            values = str(value).split(",") if flag.kind == "strings" else [str(value)]
            parsed.values[flag.name].extend(v for v in values if v)
        else:
            parsed.values[flag.name] = value
        parsed.set_flags.add(flag.name)

    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token == "--":
            parsed.after_dash = tokens[i:]
            parsed.args.extend(tokens[i:])
            break
        if token.startswith("--"):
            name, has_value, value = token[2:].partition("=")
            flag = by_long.get(name)
            if flag is None:
                raise FlagError(f"unknown flag: --{name}")
            if has_value:
                store(flag, _convert(flag, value, _shown(flag)))
            elif flag.kind == "bool":
                store(flag, True)
            elif flag.optional_value is not None:
                store(flag, flag.optional_value)
            elif i < len(tokens):
                store(flag, _convert(flag, tokens[i], _shown(flag)))
                i += 1
            else:
                raise FlagError(f"flag needs an argument: --{name}")
        elif token.startswith("-") and token != "-":
            shorthands = token[1:]
            while shorthands:
                letter, shorthands = shorthands[0], shorthands[1:]
                flag = by_short.get(letter)
                if flag is None:
                    raise FlagError(f"unknown shorthand flag: '{letter}' in {token}")
                if shorthands.startswith("="):
                    store(flag, _convert(flag, shorthands[1:], _shown(flag)))
                    break
                if flag.kind == "bool":
                    store(flag, True)
                elif flag.optional_value is not None and not shorthands:
                    store(flag, flag.optional_value)
                elif shorthands:
                    store(flag, _convert(flag, shorthands, _shown(flag)))
                    break
                elif i < len(tokens):
                    store(flag, _convert(flag, tokens[i], _shown(flag)))
                    i += 1
                else:
                    raise FlagError(f"flag needs an argument: '{letter}' in -{letter}")
        else:
            parsed.args.append(token)
    return parsed


def help_lines(flags: list[Flag]) -> list[str]:
    """The ``Options:`` part of a command's help."""
    lines = []
    for flag in flags:
        if not flag.help:
            continue
        names = f"-{flag.short}, --{flag.name}" if flag.short else f"    --{flag.name}"
        default = flag.default
        shown_default = f"{names}={default!s}" if default not in (None, "", False, []) \
            else names
        if flag.kind == "bool" and default is True:
            shown_default = f"{names}=true"
        lines.append(f"    {shown_default}:\n\t{flag.help}")
    return lines
