"""Reading shell text: the tokenizer and the parser of the POSIX ``sh`` grammar subset.

The grammar follows "Shell Command Language" (POSIX.1-2017, XCU chapter 2.10), trimmed to what
container command lines use: lists with ``;``, ``&`` and newlines, ``&&`` / ``||``, pipelines,
``!``, simple commands with assignments and redirections, ``{ ...; }``, ``( ... )``, ``if``,
``while``, ``until``, ``for``, ``case`` and function definitions. Here-documents are not read.

Words are kept as the text the user typed (quotes and ``$`` included): expansion happens when the
command runs (``expand.py``), exactly as the shell defers it. The parser only needs to know
where a word ends, which means skipping over quotes, ``$(...)``, ``${...}`` and backquotes.
Nothing here ever evaluates anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How deeply constructs may nest in one piece of text. Real shells allow more; this bound keeps
# the simulator's own stack (a generator frame per level) far from Python's recursion limit.
MAX_NESTING = 40

RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while",
            "until", "for", "{", "}", "!", "in"}
OPERATORS = ("&&", "||", ";;", "<<-", "<<", ">>", "<&", ">&", "<>", ">|", "&>",
             ";", "&", "|", "(", ")", "<", ">")
REDIRECTIONS = {"<", ">", ">>", "<&", ">&", "<>", ">|", "&>", "<<", "<<-"}
METACHARACTERS = set(" \t\n;&|<>()")


class ShellSyntaxError(Exception):
    """Text the shell cannot read. ``kind`` is "unexpected" (``token`` is what came),
    "eof" (``expecting`` what was missing), "unterminated" (a quote) or "nesting"."""

    def __init__(self, kind: str, token: str = "", expecting: str = "", line: int = 1) -> None:
        super().__init__(kind, token, expecting)
        self.kind = kind
        self.token = token
        self.expecting = expecting
        self.line = line


# -- the syntax tree -----------------------------------------------------------------------------
@dataclass(slots=True)
class Redirect:
    fd: int
    op: str
    target: str


@dataclass(slots=True)
class Simple:
    assignments: list[tuple[str, str]]
    words: list[str]
    redirects: list[Redirect]
    line: int = 1


@dataclass(slots=True)
class Pipeline:
    commands: list
    negated: bool = False


@dataclass(slots=True)
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]]


@dataclass(slots=True)
class Sequence:
    items: list[tuple[AndOr, bool]]  # (command, run in the background)


@dataclass(slots=True)
class If:
    branches: list[tuple[Sequence, Sequence]]
    orelse: Sequence | None
    redirects: list[Redirect] = field(default_factory=list)


@dataclass(slots=True)
class Loop:
    condition: Sequence
    body: Sequence
    until: bool
    redirects: list[Redirect] = field(default_factory=list)


@dataclass(slots=True)
class For:
    name: str
    items: list[str] | None  # None: "for x; do" iterates over "$@"
    body: Sequence
    redirects: list[Redirect] = field(default_factory=list)


@dataclass(slots=True)
class Case:
    word: str
    arms: list[tuple[list[str], Sequence]]
    redirects: list[Redirect] = field(default_factory=list)


@dataclass(slots=True)
class Group:
    body: Sequence
    subshell: bool
    redirects: list[Redirect] = field(default_factory=list)


@dataclass(slots=True)
class FunctionDef:
    name: str
    body: object


# -- tokens ------------------------------------------------------------------------------------
@dataclass(slots=True)
class Token:
    kind: str  # "word", "op", "newline", "eof"
    text: str
    line: int
    fd: int | None = None  # the IO_NUMBER of "2>" and the like


def tokenize(source: str) -> list[Token]:
    """Split shell text into words, operators and newlines (comments dropped)."""
    tokens: list[Token] = []
    i, n, line = 0, len(source), 1
    while i < n:
        c = source[i]
        if c in " \t":
            i += 1
        elif c == "\\" and source.startswith("\\\n", i):
            i += 2
            line += 1
        elif c == "\n":
            tokens.append(Token("newline", "\n", line))
            line += 1
            i += 1
        elif c == "#":
            end = source.find("\n", i)
            i = n if end < 0 else end
        elif c in METACHARACTERS:
            op = next(o for o in OPERATORS if source.startswith(o, i))
            tokens.append(Token("op", op, line))
            i += len(op)
        else:
            end = scan_word(source, i)
            text = source[i:end]
            if text.isdecimal() and end < n and source[end] in "<>":
                op = next(o for o in OPERATORS if source.startswith(o, end))
                tokens.append(Token("op", op, line, fd=int(text)))
                end += len(op)
            else:
                tokens.append(Token("word", text, line))
            line += text.count("\n")
            i = end
    tokens.append(Token("eof", "", line))
    return tokens


def scan_word(s: str, i: int) -> int:
    """Where the word starting at ``i`` ends (quotes and substitutions included)."""
    n = len(s)
    while i < n:
        c = s[i]
        if c in METACHARACTERS:
            break
        i = _skip_quoted(s, i)
    return i


def _skip_quoted(s: str, i: int) -> int:
    """Skip one character, or one whole quoted or substituted part starting at ``i``."""
    c = s[i]
    if c == "\\":
        return min(i + 2, len(s))
    if c == "'":
        end = s.find("'", i + 1)
        if end < 0:
            raise ShellSyntaxError("unterminated", "'")
        return end + 1
    if c == '"':
        return scan_double_quoted(s, i + 1)
    if c == "`":
        return scan_backquoted(s, i + 1)
    if c == "$" and s.startswith("$(", i):
        return scan_dollar_paren(s, i + 2)
    if c == "$" and s.startswith("${", i):
        return scan_braced(s, i + 2)
    return i + 1


def scan_double_quoted(s: str, i: int) -> int:
    """``i`` is just after an opening ``"``; returns the index after the closing one."""
    n = len(s)
    while i < n:
        c = s[i]
        if c == '"':
            return i + 1
        if c == "\\":
            i += 2
        elif c == "`" or (c == "$" and i + 1 < n and s[i + 1] in "({"):
            i = _skip_quoted(s, i)
        else:
            i += 1
    raise ShellSyntaxError("unterminated", '"')


def scan_backquoted(s: str, i: int) -> int:
    n = len(s)
    while i < n:
        if s[i] == "\\":
            i += 2
        elif s[i] == "`":
            return i + 1
        else:
            i += 1
    raise ShellSyntaxError("unterminated", "`")


def scan_dollar_paren(s: str, i: int) -> int:
    """``i`` is just after ``$(``; returns the index after the matching ``)`` (or ``))``)."""
    depth, n = 1, len(s)
    while i < n:
        c = s[i]
        if c == "(":
            depth += 1
            i += 1
        elif c == ")":
            depth -= 1
            i += 1
            if depth == 0:
                return i
        elif c == "#" and (i == 0 or s[i - 1] in " \t\n;"):
            end = s.find("\n", i)
            i = n if end < 0 else end
        else:
            i = _skip_quoted(s, i)
    raise ShellSyntaxError("eof", expecting=")")


def scan_braced(s: str, i: int) -> int:
    """``i`` is just after ``${``; returns the index after the matching ``}``."""
    n = len(s)
    while i < n:
        c = s[i]
        if c == "}":
            return i + 1
        i = _skip_quoted(s, i)
    raise ShellSyntaxError("unterminated", "}")


# -- the parser --------------------------------------------------------------------------------
def parse(source: str) -> Sequence:
    """The syntax tree of a whole piece of shell text (raises :class:`ShellSyntaxError`)."""
    return _Parser(tokenize(source)).program()


def is_name(text: str) -> bool:
    """A shell variable name: a letter or ``_``, then letters, digits, ``_``."""
    return bool(text) and (text[0].isalpha() or text[0] == "_") and text.isascii() and \
        all(ch.isalnum() or ch == "_" for ch in text)


def split_assignment(word: str) -> tuple[str, str] | None:
    """``("A", "1")`` for the word ``A=1``; None when the word is no assignment."""
    name, eq, value = word.partition("=")
    return (name, value) if eq and is_name(name) else None


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    # -- looking at tokens ----------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != "eof":
            self.pos += 1
        return tok

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops and self.tok.fd is None

    def is_word(self, *words: str) -> bool:
        return self.tok.kind == "word" and self.tok.text in words

    def skip_newlines(self) -> None:
        while self.tok.kind == "newline":
            self.advance()

    def unexpected(self) -> ShellSyntaxError:
        tok = self.tok
        if tok.kind == "eof":
            return ShellSyntaxError("unexpected", "end of file", line=tok.line)
        if tok.kind == "newline":
            return ShellSyntaxError("unexpected", "newline", line=tok.line)
        return ShellSyntaxError("unexpected", tok.text, line=tok.line)

    def expect_word(self, word: str) -> None:
        if self.tok.kind == "eof":
            raise ShellSyntaxError("eof", expecting=word, line=self.tok.line)
        if not self.is_word(word):
            raise self.unexpected()
        self.advance()

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ShellSyntaxError("nesting", line=self.tok.line)

    # -- grammar --------------------------------------------------------------------------------
    def program(self) -> Sequence:
        body = self.compound_list(stops=())
        if self.tok.kind != "eof":
            raise self.unexpected()
        return body

    def at_list_end(self, stops: tuple[str, ...]) -> bool:
        tok = self.tok
        return tok.kind == "eof" or (tok.kind == "op" and tok.text in (")", ";;")
                                     and tok.fd is None) or \
            (tok.kind == "word" and tok.text in stops)

    def compound_list(self, stops: tuple[str, ...], required: bool = False) -> Sequence:
        items: list[tuple[AndOr, bool]] = []
        self.skip_newlines()
        while not self.at_list_end(stops):
            command = self.and_or()
            background = False
            if self.is_op(";", "&"):
                background = self.advance().text == "&"
            elif self.tok.kind == "newline":
                pass
            elif not self.at_list_end(stops):
                raise self.unexpected()
            items.append((command, background))
            self.skip_newlines()
        if required and not items:
            if self.tok.kind == "eof":
                raise ShellSyntaxError("eof", expecting=stops[0] if stops else "",
                                       line=self.tok.line)
            raise self.unexpected()
        return Sequence(items)

    def and_or(self) -> AndOr:
        first = self.pipeline()
        rest = []
        while self.is_op("&&", "||"):
            op = self.advance().text
            self.skip_newlines()
            rest.append((op, self.pipeline()))
        return AndOr(first, rest)

    def pipeline(self) -> Pipeline:
        negated = False
        if self.is_word("!"):
            self.advance()
            negated = True
        commands = [self.command()]
        while self.is_op("|"):
            self.advance()
            self.skip_newlines()
            commands.append(self.command())
        return Pipeline(commands, negated)

    def command(self):
        tok = self.tok
        if tok.kind == "op" and tok.text == "(" and tok.fd is None:
            self.advance()
            self.nest()
            body = self.compound_list(stops=(), required=True)
            if not self.is_op(")"):
                raise self.unexpected() if self.tok.kind != "eof" else \
                    ShellSyntaxError("eof", expecting=")", line=self.tok.line)
            self.advance()
            self.depth -= 1
            return self.with_redirects(Group(body, subshell=True))
        if tok.kind == "word":
            compound = {"if": self.if_clause, "while": self.loop, "until": self.loop,
                        "for": self.for_clause, "case": self.case_clause,
                        "{": self.brace_group}.get(tok.text)
            if compound is not None:
                self.nest()
                node = compound()
                self.depth -= 1
                return self.with_redirects(node)
            if tok.text in RESERVED:
                raise self.unexpected()
            nxt = self.tokens[self.pos + 1]
            if is_name(tok.text) and nxt.kind == "op" and nxt.text == "(" and nxt.fd is None:
                return self.function_definition()
        return self.simple_command()

    def with_redirects(self, node):
        while self.tok.kind == "op" and self.tok.text in REDIRECTIONS:
            node.redirects.append(self.redirect())
        return node

    def redirect(self) -> Redirect:
        tok = self.advance()
        if tok.text in ("<<", "<<-"):
            raise ShellSyntaxError("unexpected", tok.text, line=tok.line)
        if self.tok.kind != "word":
            raise self.unexpected()
        fd = tok.fd if tok.fd is not None else (0 if tok.text[0] == "<" else 1)
        return Redirect(fd, tok.text, self.advance().text)

    def simple_command(self) -> Simple:
        line = self.tok.line
        assignments: list[tuple[str, str]] = []
        words: list[str] = []
        redirects: list[Redirect] = []
        while True:
            tok = self.tok
            if tok.kind == "op" and tok.text in REDIRECTIONS:
                redirects.append(self.redirect())
            elif tok.kind == "word":
                pair = split_assignment(tok.text) if not words else None
                if pair is not None:
                    assignments.append(pair)
                else:
                    words.append(tok.text)
                self.advance()
            else:
                break
        if not (assignments or words or redirects):
            raise self.unexpected()
        return Simple(assignments, words, redirects, line)

    def function_definition(self) -> FunctionDef:
        name = self.advance().text
        self.advance()  # (
        if not self.is_op(")"):
            raise self.unexpected()
        self.advance()
        self.skip_newlines()
        if not (self.tok.kind == "word" and self.tok.text in ("{", "if", "while", "until",
                                                               "for", "case")) \
                and not self.is_op("("):
            raise self.unexpected()
        return FunctionDef(name, self.command())

    def brace_group(self) -> Group:
        self.advance()
        body = self.compound_list(stops=("}",), required=True)
        self.expect_word("}")
        return Group(body, subshell=False)

    def if_clause(self) -> If:
        self.advance()
        branches = []
        condition = self.compound_list(stops=("then",), required=True)
        self.expect_word("then")
        body = self.compound_list(stops=("elif", "else", "fi"), required=True)
        branches.append((condition, body))
        orelse = None
        while True:
            if self.is_word("elif"):
                self.advance()
                condition = self.compound_list(stops=("then",), required=True)
                self.expect_word("then")
                body = self.compound_list(stops=("elif", "else", "fi"), required=True)
                branches.append((condition, body))
            elif self.is_word("else"):
                self.advance()
                orelse = self.compound_list(stops=("fi",), required=True)
            else:
                self.expect_word("fi")
                return If(branches, orelse)

    def loop(self) -> Loop:
        until = self.advance().text == "until"
        condition = self.compound_list(stops=("do",), required=True)
        self.expect_word("do")
        body = self.compound_list(stops=("done",), required=True)
        self.expect_word("done")
        return Loop(condition, body, until)

    def for_clause(self) -> For:
        self.advance()
        if self.tok.kind != "word" or not is_name(self.tok.text):
            raise self.unexpected()
        name = self.advance().text
        self.skip_newlines()
        items = None
        if self.is_word("in"):
            self.advance()
            items = []
            while self.tok.kind == "word":
                items.append(self.advance().text)
        if self.is_op(";"):
            self.advance()
        self.skip_newlines()
        self.expect_word("do")
        body = self.compound_list(stops=("done",), required=True)
        self.expect_word("done")
        return For(name, items, body)

    def case_clause(self) -> Case:
        self.advance()
        if self.tok.kind != "word":
            raise self.unexpected()
        word = self.advance().text
        self.skip_newlines()
        self.expect_word("in")
        self.skip_newlines()
        arms = []
        while not self.is_word("esac"):
            if self.tok.kind == "eof":
                raise ShellSyntaxError("eof", expecting="esac", line=self.tok.line)
            if self.is_op("("):
                self.advance()
            patterns = []
            while True:
                if self.tok.kind != "word":
                    raise self.unexpected()
                patterns.append(self.advance().text)
                if self.is_op("|"):
                    self.advance()
                    continue
                break
            if not self.is_op(")"):
                raise self.unexpected()
            self.advance()
            body = self.compound_list(stops=("esac",))
            arms.append((patterns, body))
            if self.is_op(";;"):
                self.advance()
                self.skip_newlines()
            elif not self.is_word("esac"):
                raise self.unexpected()
        self.advance()
        return Case(word, arms)
