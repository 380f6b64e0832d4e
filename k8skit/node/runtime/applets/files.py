"""File and text tools: cat, ls, touch, rm, mkdir, cp, mv, head, tail, wc, grep, sort, uniq,
cut, tr, tee, find, chmod, basename, dirname.

Each takes the options the official docs and everyday debugging use. Messages follow the
userland of the image the binary comes from: busybox (``cat: can't open 'x': No such file or
directory``) or GNU coreutils (``cat: x: No such file or directory``).
"""

from __future__ import annotations

import errno
import os
import posixpath
import re
from collections.abc import Generator
from datetime import timedelta
from typing import Any

from k8skit.api.meta import EPOCH
from k8skit.node.runtime.applets.basics import interpret_escapes
from k8skit.node.runtime.patterns import match_pattern
from k8skit.node.runtime.process import Context, Sleep
from k8skit.node.runtime.registry import program

# How often ``tail -f`` looks for new lines (busybox and GNU tail both poll about once a second
# when inotify is not used).
TAIL_POLL_SECONDS = 1.0


def strerror(err: OSError) -> str:
    return os.strerror(err.errno or errno.EIO)


def cannot_open(ctx: Context, tool: str, path: str, err: OSError) -> None:
    """The "can't open" message of ``tool`` for ``path`` in this image's userland."""
    reason = strerror(err)
    if ctx.flavour != "gnu":
        if err.errno == errno.EISDIR:
            ctx.error(f"{tool}: read error: {reason}")
        else:
            ctx.error(f"{tool}: can't open '{path}': {reason}")
    elif tool in ("head", "tail") and err.errno != errno.EISDIR:
        ctx.error(f"{tool}: cannot open '{path}' for reading: {reason}")
    elif tool == "sort":
        ctx.error(f"sort: cannot read: {path}: {reason}")
    else:
        ctx.error(f"{tool}: {path}: {reason}")


def read_inputs(ctx: Context, tool: str, names: list[str]) -> Generator[Any, Any, tuple]:
    """The text of each named file (stdin for none or ``-``): ``([(name, text)], status)``."""
    texts: list[tuple[str, str]] = []
    status = 0
    for name in names or ["-"]:
        if name == "-":
            text = ctx.stdin.read_all()
            if not text:
                yield from ctx.stdin.wait_for_more()
            texts.append(("-", text))
            continue
        try:
            texts.append((name, ctx.fs.read(ctx.path(name))))
        except OSError as err:
            cannot_open(ctx, tool, name, err)
            status = 1
    return texts, status


def split_options(args: list[str], with_value: str = "") -> tuple[dict[str, str], list[str]]:
    """Short options (``-la``, ``-n 5``, ``-n5``) and operands; ``--`` ends the options.

    ``with_value`` lists the letters that take a value. Long options are kept by name.
    """
    options: dict[str, str] = {}
    operands: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            operands.extend(args[i + 1:])
            break
        if arg.startswith("--") and len(arg) > 2:
            name, _, value = arg[2:].partition("=")
            options["--" + name] = value
        elif arg.startswith("-") and len(arg) > 1 and not re.fullmatch(r"-\d+", arg):
            j = 1
            while j < len(arg):
                letter = arg[j]
                if letter in with_value:
                    value = arg[j + 1:]
                    if not value and i + 1 < len(args):
                        i += 1
                        value = args[i]
                    options[letter] = value
                    break
                options[letter] = ""
                j += 1
        else:
            operands.append(arg)
        i += 1
    return options, operands


def line_count_option(options: dict[str, str], operands: list[str], default: int = 10
                      ) -> tuple[str, list[str]]:
    """``-n 5``, ``-n +5``, ``-5`` for head and tail."""
    for arg in list(operands):
        if re.fullmatch(r"-\d+", arg):
            operands.remove(arg)
            return arg[1:], operands
    return options.get("n", str(default)), operands


def _time_of(seconds: float) -> str:
    return (EPOCH + timedelta(seconds=int(seconds))).strftime("%b %e %H:%M")


def _mode_string(kind: str, mode: int) -> str:
    bits = "".join(letter if mode & (1 << (8 - i)) else "-"
                   for i, letter in enumerate("rwxrwxrwx"))
    return ("d" if kind == "dir" else "-") + bits


# -- reading -----------------------------------------------------------------------------------
@program("cat")
def cat(ctx: Context) -> Generator[Any, Any, int]:
    options, names = split_options(ctx.argv[1:])
    texts, status = yield from read_inputs(ctx, "cat", names)
    for _, text in texts:
        if "n" in options:
            lines = text.splitlines(keepends=True)
            text = "".join(f"{i:6d}\t{line}" for i, line in enumerate(lines, start=1))
        ctx.write(text)
    return status


@program("head")
def head(ctx: Context) -> Generator[Any, Any, int]:
    options, names = split_options(ctx.argv[1:], with_value="nc")
    count, names = line_count_option(options, names)
    if not count.lstrip("+-").isdecimal():
        ctx.error(f"head: invalid number '{count}'")
        return 1
    texts, status = yield from read_inputs(ctx, "head", names)
    for index, (name, text) in enumerate(texts):
        if len(texts) > 1:
            ctx.write(("\n" if index else "") + f"==> {name} <==\n")
        if "c" in options:
            if not options["c"].isdecimal():
                ctx.error(f"head: invalid number of bytes: '{options['c']}'")
                return 1
            ctx.write(text[:int(options["c"])])
            continue
        lines = text.splitlines(keepends=True)
        n = int(count)
        ctx.write("".join(lines[:n] if n >= 0 else lines[:n]))
    return status


@program("tail")
def tail(ctx: Context) -> Generator[Any, Any, int]:
    """``tail [-n N|+N] [-f|-F] FILE``; following polls the file for what was appended."""
    options, names = split_options(ctx.argv[1:], with_value="nc")
    count, names = line_count_option(options, names)
    follow = "f" in options or "F" in options or "--follow" in options
    retry = "F" in options or "--retry" in options
    if not re.fullmatch(r"[+-]?\d+", count):
        ctx.error(f"tail: invalid number '{count}'")
        return 1
    if not follow or not names:
        texts, status = yield from read_inputs(ctx, "tail", names)
        for index, (name, text) in enumerate(texts):
            if len(texts) > 1:
                ctx.write(("\n" if index else "") + f"==> {name} <==\n")
            ctx.write(_tail_text(text, count))
        return status
    return (yield from _follow(ctx, names[0], count, retry))


def _tail_text(text: str, count: str) -> str:
    lines = text.splitlines(keepends=True)
    if count.startswith("+"):
        return "".join(lines[max(int(count) - 1, 0):])
    n = abs(int(count))
    return "".join(lines[-n:]) if n else ""


def _follow(ctx: Context, name: str, count: str, retry: bool) -> Generator[Any, Any, int]:
    path = ctx.path(name)
    position = None
    while True:
        try:
            data = ctx.fs.read(path)
        except OSError as err:
            if not retry:
                cannot_open(ctx, "tail", name, err)
                return 1
            if position is not None:
                ctx.error(f"tail: '{name}' has become inaccessible: {strerror(err)}")
            position = 0
        else:
            if position is None:
                ctx.write(_tail_text(data, count))
            elif len(data) < position:
                ctx.error(f"tail: {name}: file truncated")
                ctx.write(data)
            else:
                ctx.write(data[position:])
            position = len(data)
        yield Sleep(TAIL_POLL_SECONDS)


@program("wc")
def wc(ctx: Context) -> Generator[Any, Any, int]:
    options, names = split_options(ctx.argv[1:])
    wanted = [flag for flag in "lwc" if flag in options] or ["l", "w", "c"]
    texts, status = yield from read_inputs(ctx, "wc", names)
    rows = []
    for name, text in texts:
        counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode())}
        rows.append(([counts[f] for f in wanted], name))
    if len(rows) > 1:
        rows.append(([sum(r[0][i] for r in rows) for i in range(len(wanted))], "total"))
    pad = 7 if ctx.flavour == "gnu" else 9
    for numbers, name in rows:
        cells = [str(numbers[0])] if len(wanted) == 1 else [str(n).rjust(pad) for n in numbers]
        ctx.print(" ".join(cells) + ("" if name == "-" else f" {name}"))
    return status


# -- grep --------------------------------------------------------------------------------------
_POSIX_CLASSES = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z",
                  "lower": "a-z", "space": r"\s", "blank": r" \t", "xdigit": "0-9A-Fa-f",
                  "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"), "word": r"\w"}


def _bracket(pattern: str, i: int) -> tuple[str, int]:
    """Translate a bracket expression starting at ``pattern[i] == "["``."""
    j = i + 1
    out = ["["]
    if j < len(pattern) and pattern[j] in "^!":
        out.append("^")
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        out.append(r"\]")
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        match = re.match(r"\[:(\w+):\]", pattern[j:])
        if match and match.group(1) in _POSIX_CLASSES:
            out.append(_POSIX_CLASSES[match.group(1)])
            j += match.end()
            continue
        out.append("\\" + pattern[j] if pattern[j] in "\\[" else pattern[j])
        j += 1
    if j >= len(pattern):
        raise re.error("brackets ([ ]) not balanced")
    return "".join(out) + "]", j + 1


def regex_of(pattern: str, extended: bool) -> str:
    """A Python regular expression for a POSIX basic (or, ``extended``, ERE) pattern."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            d = pattern[i + 1]
            if not extended and d in "(){}|+?":
                out.append(d)
            elif d in "<>":
                out.append(r"\b")
            elif d.isdecimal() or d in "wWsSbB":
                out.append("\\" + d)
            else:
                out.append(re.escape(d))
            i += 2
        elif c == "[":
            text, i = _bracket(pattern, i)
            out.append(text)
        elif not extended and c in "(){}|+?":
            out.append("\\" + c)
            i += 1
        elif c == "*" and (not out or out[-1] in ("^", "(", "|")):
            out.append(r"\*")
            i += 1
        else:
            out.append(c if c in ".^$*" or (extended and c in "(){}|+?") else re.escape(c))
            i += 1
    return "".join(out)


@program("grep", "egrep", "fgrep")
def grep(ctx: Context) -> Generator[Any, Any, int]:
    """``grep [-ivcnqlhHEFwxos] [-e PATTERN] PATTERN [FILE...]``: 0 matched, 1 not, 2 error."""
    options, operands = split_options(ctx.argv[1:], with_value="eAB")
    tool = ctx.argv[0].rsplit("/", 1)[-1] if ctx.argv else "grep"
    patterns = [options["e"]] if "e" in options else []
    if not patterns:
        if not operands:
            ctx.error("Usage: grep [OPTION]... PATTERNS [FILE]...")
            return 2
        patterns = [operands.pop(0)]
    extended = "E" in options or tool == "egrep"
    fixed = "F" in options or tool == "fgrep"
    try:
        sources = [re.escape(p) if fixed else regex_of(p, extended)
                   for pattern in patterns for p in pattern.split("\n")]
        if "w" in options:
            sources = [rf"\b(?:{s})\b" for s in sources]
        if "x" in options:
            sources = [rf"^(?:{s})$" for s in sources]
        regex = re.compile("|".join(f"(?:{s})" for s in sources),
                           re.IGNORECASE if "i" in options else 0)
    except re.error:
        ctx.error(f"{tool}: Invalid regular expression")
        return 2
    texts, status = yield from read_inputs(ctx, tool, operands)
    show_names = ("H" in options or len(texts) > 1) and "h" not in options
    matched_any = False
    for name, text in texts:
        label = "(standard input)" if name == "-" else name
        count = 0
        for number, line in enumerate(text.splitlines(), start=1):
            yield from ctx.pace()
            found = regex.search(line)
            if bool(found) == ("v" in options):
                continue
            count += 1
            matched_any = True
            if "q" in options:
                return 0
            if "c" in options or "l" in options:
                continue
            prefix = (f"{label}:" if show_names else "") + (f"{number}:" if "n" in options
                                                             else "")
            if "o" in options and found:
                for match in regex.finditer(line):
                    if match.group(0):
                        ctx.print(prefix + match.group(0))
            else:
                ctx.print(prefix + line)
        if "c" in options:
            ctx.print((f"{label}:" if show_names else "") + str(count))
        if "l" in options and count:
            ctx.print(label)
    if status and "s" not in options:
        return 2
    return 0 if matched_any else (2 if status else 1)


# -- sorting and cutting -----------------------------------------------------------------------
@program("sort")
def sort(ctx: Context) -> Generator[Any, Any, int]:
    options, names = split_options(ctx.argv[1:], with_value="kto")
    texts, status = yield from read_inputs(ctx, "sort", names)
    lines = [line for _, text in texts for line in text.splitlines()]
    separator = options.get("t") or None
    field = int(re.match(r"\d*", options.get("k", "")).group(0) or 0)

    def key(line: str):
        text = line
        if field:
            parts = line.split(separator)
            text = (separator or " ").join(parts[field - 1:]) if len(parts) >= field else ""
        if "n" in options:
            match = re.match(r"\s*(-?\d+(?:\.\d*)?)", text)
            return (float(match.group(1)) if match else 0.0, line)
        return (text, line)

    lines.sort(key=key, reverse="r" in options)
    if "u" in options:
        unique = []
        for line in lines:
            if not unique or key(unique[-1])[0] != key(line)[0]:
                unique.append(line)
        lines = unique
    ctx.write("".join(line + "\n" for line in lines))
    return status


@program("uniq")
def uniq(ctx: Context) -> Generator[Any, Any, int]:
    options, names = split_options(ctx.argv[1:])
    texts, status = yield from read_inputs(ctx, "uniq", names[:1])
    groups: list[list] = []
    for line in (texts[0][1].splitlines() if texts else []):
        if groups and groups[-1][0] == line:
            groups[-1][1] += 1
        else:
            groups.append([line, 1])
    for line, count in groups:
        if ("d" in options and count < 2) or ("u" in options and count > 1):
            continue
        ctx.print(f"{count:7d} {line}" if "c" in options else line)
    return status


def _ranges(spec: str) -> list[tuple[int, int]] | None:
    ranges = []
    for piece in spec.split(","):
        match = re.fullmatch(r"(\d*)-?(\d*)", piece)
        if not piece or match is None:
            return None
        start, end = match.groups()
        if "-" not in piece:
            end = start
        ranges.append((int(start or 1), int(end) if end else 1 << 30))
    return ranges


@program("cut")
def cut(ctx: Context) -> Generator[Any, Any, int]:
    options, names = split_options(ctx.argv[1:], with_value="dfc")
    spec = options.get("f") or options.get("c")
    ranges = _ranges(spec) if spec else None
    if ranges is None:
        ctx.error("cut: you must specify a list of bytes, characters, or fields")
        return 1
    texts, status = yield from read_inputs(ctx, "cut", names)
    delimiter = options.get("d", "\t") or "\t"
    for _, text in texts:
        for line in text.splitlines():
            if "c" in options:
                ctx.print("".join(ch for i, ch in enumerate(line, start=1)
                                  if any(a <= i <= b for a, b in ranges)))
            elif delimiter not in line:
                ctx.print(line)
            else:
                parts = line.split(delimiter)
                ctx.print(delimiter.join(p for i, p in enumerate(parts, start=1)
                                         if any(a <= i <= b for a, b in ranges)))
    return status


def _char_set(spec: str) -> str:
    classes = {"[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[:lower:]": "abcdefghijklmnopqrstuvwxyz",
               "[:digit:]": "0123456789", "[:space:]": " \t\n\r\f\v"}
    for name, chars in classes.items():
        spec = spec.replace(name, chars)
    spec, _ = interpret_escapes(spec, octal_needs_zero=False)
    out: list[str] = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-" and ord(spec[i]) <= ord(spec[i + 2]):
            out.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            out.append(spec[i])
            i += 1
    return "".join(out)


@program("tr")
def tr(ctx: Context) -> int:
    options, sets = split_options(ctx.argv[1:])
    if not sets or ("d" not in options and len(sets) < 2):
        ctx.error("tr: missing operand")
        return 1
    text = ctx.stdin.read_all()
    source = _char_set(sets[0])
    if "d" in options:
        ctx.write("".join(ch for ch in text if ch not in source))
        return 0
    target = _char_set(sets[1])
    target = (target + target[-1:] * len(source))[:len(source)] if target else ""
    table = {ord(a): b for a, b in zip(source, target, strict=False)}
    result = text.translate(table)
    if "s" in options:
        result = re.sub("([" + re.escape(target) + "])\\1+", r"\1", result) if target \
            else result
    ctx.write(result)
    return 0


@program("tee")
def tee(ctx: Context) -> Generator[Any, Any, int]:
    options, names = split_options(ctx.argv[1:])
    text = ctx.stdin.read_all()
    if not text:
        yield from ctx.stdin.wait_for_more()
    ctx.write(text)
    status = 0
    for name in names:
        try:
            ctx.fs.write(ctx.path(name), text, append="a" in options, mtime=ctx.now,
                         parents=False)
        except OSError as err:
            ctx.error(f"tee: {name}: {strerror(err)}" if ctx.flavour == "gnu"
                      else f"tee: can't open '{name}': {strerror(err)}")
            status = 1
    return status


# -- changing files ----------------------------------------------------------------------------
@program("touch")
def touch(ctx: Context) -> int:
    options, names = split_options(ctx.argv[1:], with_value="dtr")
    if not names:
        ctx.error("touch: missing file operand")
        return 1
    status = 0
    for name in names:
        path = ctx.path(name)
        try:
            if ctx.fs.exists(path):
                if not ctx.fs.is_dir(path):
                    ctx.fs.write(path, "", append=True, mtime=ctx.now)
            elif "c" not in options:
                if not ctx.fs.is_dir(posixpath.dirname(path)):
                    raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), path)
                ctx.fs.write(path, "", mtime=ctx.now, parents=False)
        except OSError as err:
            ctx.error(f"touch: cannot touch '{name}': {strerror(err)}" if ctx.flavour == "gnu"
                      else f"touch: {name}: {strerror(err)}")
            status = 1
    return status


@program("rm")
def rm(ctx: Context) -> int:
    options, names = split_options(ctx.argv[1:])
    force = "f" in options or "--force" in options
    recursive = bool({"r", "R", "--recursive"} & set(options))
    if not names and not force:
        ctx.error("rm: missing operand")
        return 1
    status = 0
    gnu = ctx.flavour == "gnu"
    for name in names:
        path = ctx.path(name)
        try:
            if ctx.fs.is_dir(path) and not recursive:
                ctx.error(f"rm: cannot remove '{name}': Is a directory" if gnu
                          else f"rm: '{name}' is a directory")
                status = 1
                continue
            ctx.fs.remove(path, recursive=recursive)
        except OSError as err:
            if force and err.errno == errno.ENOENT:
                continue
            ctx.error(f"rm: cannot remove '{name}': {strerror(err)}" if gnu
                      else f"rm: can't remove '{name}': {strerror(err)}")
            status = 1
    return status


@program("rmdir")
def rmdir(ctx: Context) -> int:
    _, names = split_options(ctx.argv[1:])
    status = 0
    for name in names:
        try:
            if not ctx.fs.is_dir(ctx.path(name)):
                raise OSError(errno.ENOTDIR if ctx.fs.exists(ctx.path(name)) else errno.ENOENT,
                              "", name)
            ctx.fs.remove(ctx.path(name))
        except OSError as err:
            ctx.error(f"rmdir: failed to remove '{name}': {strerror(err)}"
                      if ctx.flavour == "gnu" else f"rmdir: '{name}': {strerror(err)}")
            status = 1
    return status


@program("mkdir")
def mkdir(ctx: Context) -> int:
    options, names = split_options(ctx.argv[1:], with_value="m")
    if not names:
        ctx.error("mkdir: missing operand")
        return 1
    status = 0
    for name in names:
        try:
            ctx.fs.mkdir(ctx.path(name), parents="p" in options, mtime=ctx.now)
        except OSError as err:
            ctx.error(f"mkdir: cannot create directory '{name}': {strerror(err)}"
                      if ctx.flavour == "gnu"
                      else f"mkdir: can't create directory '{name}': {strerror(err)}")
            status = 1
    return status


def _copy_tree(ctx: Context, source: str, target: str) -> None:
    pending = [(source, target)]
    while pending:
        src, dst = pending.pop()
        if ctx.fs.is_dir(src):
            ctx.fs.mkdir(dst, parents=False)
            pending.extend((posixpath.join(src, name), posixpath.join(dst, name))
                           for name in ctx.fs.listdir(src))
        else:
            info = ctx.fs.stat(src)
            ctx.fs.write(dst, ctx.fs.read(src), mode=info.mode, mtime=ctx.now, parents=False)


def _copy_or_move(ctx: Context, tool: str) -> int:
    options, names = split_options(ctx.argv[1:])
    if len(names) < 2:
        ctx.error(f"{tool}: missing destination file operand" if len(names) == 1
                  else f"{tool}: missing file operand")
        return 1
    *sources, destination = names
    dest_path = ctx.path(destination)
    into_dir = ctx.fs.is_dir(dest_path)
    if len(sources) > 1 and not into_dir:
        ctx.error(f"{tool}: target '{destination}' is not a directory")
        return 1
    status = 0
    for source in sources:
        src_path = ctx.path(source)
        target = posixpath.join(dest_path, posixpath.basename(src_path)) if into_dir \
            else dest_path
        try:
            if not ctx.fs.exists(src_path):
                raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), source)
            if tool == "mv":
                ctx.fs.rename(src_path, target)
            elif ctx.fs.is_dir(src_path) and not ({"r", "R", "a"} & set(options)):
                ctx.error(f"cp: -r not specified; omitting directory '{source}'"
                          if ctx.flavour == "gnu" else f"cp: omitting directory '{source}'")
                status = 1
            else:
                _copy_tree(ctx, src_path, target)
        except OSError as err:
            ctx.error(f"{tool}: cannot stat '{source}': {strerror(err)}"
                      if ctx.flavour == "gnu" and err.errno == errno.ENOENT
                      else f"{tool}: can't stat '{source}': {strerror(err)}"
                      if err.errno == errno.ENOENT
                      else f"{tool}: {source}: {strerror(err)}")
            status = 1
    return status


@program("cp")
def cp(ctx: Context) -> int:
    return _copy_or_move(ctx, "cp")


@program("mv")
def mv(ctx: Context) -> int:
    return _copy_or_move(ctx, "mv")


@program("chmod")
def chmod(ctx: Context) -> int:
    args = [a for a in ctx.argv[1:] if a not in ("-R", "-v", "-f")]
    if len(args) < 2:
        ctx.error("chmod: missing operand")
        return 1
    spec, names = args[0], args[1:]
    status = 0
    for name in names:
        path = ctx.path(name)
        try:
            info = ctx.fs.stat(path)
            mode = _apply_mode(spec, info.mode)
            if mode is None:
                ctx.error(f"chmod: invalid mode: '{spec}'")
                return 1
            if info.kind == "file":
                ctx.fs.write(path, "", append=True, mode=mode)
        except OSError as err:
            ctx.error(f"chmod: cannot access '{name}': {strerror(err)}" if ctx.flavour == "gnu"
                      else f"chmod: {name}: {strerror(err)}")
            status = 1
    return status


def _apply_mode(spec: str, mode: int) -> int | None:
    if re.fullmatch(r"[0-7]{1,4}", spec):
        return int(spec, 8)
    for clause in spec.split(","):
        match = re.fullmatch(r"([ugoa]*)([-+=])([rwx]*)", clause)
        if match is None:
            return None
        who, op, perms = match.groups()
        who = who or "a"
        bits = 0
        for person in ("u", "g", "o"):
            if person in who or "a" in who:
                shift = {"u": 6, "g": 3, "o": 0}[person]
                bits |= sum({"r": 4, "w": 2, "x": 1}[p] for p in perms) << shift
        if op == "+":
            mode |= bits
        elif op == "-":
            mode &= ~bits
        else:
            mode = bits
    return mode


# -- looking around ----------------------------------------------------------------------------
@program("ls")
def ls(ctx: Context) -> int:
    """``ls [-1laAd] [PATH...]``, one name per line (kubectl exec gives it no terminal)."""
    options, names = split_options(ctx.argv[1:])
    gnu = ctx.flavour == "gnu"
    long = "l" in options
    show_all = "a" in options
    status = 0
    files, directories = [], []
    for name in names or ["."]:
        path = ctx.path(name)
        if not ctx.fs.exists(path):
            ctx.error(f"ls: cannot access '{name}': No such file or directory" if gnu
                      else f"ls: {name}: No such file or directory")
            status = 2 if gnu else 1
        elif ctx.fs.is_dir(path) and "d" not in options:
            directories.append((name, path))
        else:
            files.append((name, path))
    for name, path in files:
        ctx.print(_long_line(ctx, name, path) if long else name)
    for index, (name, path) in enumerate(directories):
        if len(names) > 1:
            ctx.write(("\n" if index or files else "") + f"{name}:\n")
        entries = ctx.fs.listdir(path)
        if show_all:
            entries = [".", ".."] + entries
        elif "A" not in options:
            entries = [e for e in entries if not e.startswith(".")]
        if long and gnu:
            total = sum((ctx.fs.stat(posixpath.join(path, e)).size + 4095) // 4096 * 4
                        for e in entries if e not in (".", ".."))
            ctx.print(f"total {total}")
        for entry in entries:
            ctx.print(_long_line(ctx, entry, posixpath.join(path, entry)) if long else entry)
    return status


def _long_line(ctx: Context, name: str, path: str) -> str:
    info = ctx.fs.stat(path)
    mode = _mode_string(info.kind, info.mode)
    links = 2 if info.kind == "dir" else 1
    if ctx.flavour == "gnu":
        return f"{mode} {links} root root {info.size:>5} {_time_of(info.mtime)} {name}"
    return f"{mode} {links:>4} root     root     {info.size:>9} {_time_of(info.mtime)} {name}"


@program("find")
def find(ctx: Context) -> Generator[Any, Any, int]:
    args = ctx.argv[1:]
    roots = []
    while args and not args[0].startswith("-"):
        roots.append(args.pop(0))
    name_pattern, kind = None, None
    while args:
        flag = args.pop(0)
        value = args.pop(0) if args else ""
        if flag == "-name":
            name_pattern = value
        elif flag == "-type":
            kind = {"f": "file", "d": "dir"}.get(value)
        else:
            ctx.error(f"find: unrecognized: {flag}")
            return 1
    status = 0
    for root in roots or ["."]:
        path = ctx.path(root)
        if not ctx.fs.exists(path):
            ctx.error(f"find: '{root}': No such file or directory" if ctx.flavour == "gnu"
                      else f"find: {root}: No such file or directory")
            status = 1
            continue
        stack = [(root, path)]
        while stack:
            shown, real = stack.pop()
            yield from ctx.pace()
            info = ctx.fs.stat(real)
            if (name_pattern is None or match_pattern(name_pattern, posixpath.basename(real)))\
                    and (kind is None or info.kind == kind):
                ctx.print(shown)
            if info.kind == "dir":
                stack.extend((posixpath.join(shown, e), posixpath.join(real, e))
                             for e in reversed(ctx.fs.listdir(real)))
    return status


@program("basename")
def basename(ctx: Context) -> int:
    if len(ctx.argv) < 2:
        ctx.error("basename: missing operand")
        return 1
    name = posixpath.basename(ctx.argv[1].rstrip("/")) or "/"
    if len(ctx.argv) > 2 and name.endswith(ctx.argv[2]) and name != ctx.argv[2]:
        name = name[:-len(ctx.argv[2])]
    ctx.print(name)
    return 0


@program("dirname")
def dirname(ctx: Context) -> int:
    if len(ctx.argv) < 2:
        ctx.error("dirname: missing operand")
        return 1
    ctx.print(posixpath.dirname(ctx.argv[1].rstrip("/")) or ".")
    return 0
