"""The shells of the simulated images: the command lines of the docs, busybox/dash/bash
wording, and no Python exception for any text at all."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8skit.node.runtime import FileSystem
from k8skit.node.runtime.host import ContainerHost
from k8skit.node.runtime.shell.syntax import ShellSyntaxError, parse


@pytest.fixture(scope="module")
def boxes():
    host = ContainerHost(seed=0)
    return {
        "ash": host.run("busybox", command=["sleep", "infinity"], name="box"),
        "dash": host.run("debian", command=["sleep", "infinity"], name="deb"),
    }


def sh(boxes, script: str, shell: str = "ash"):
    box = boxes["dash" if shell in ("dash", "bash") else "ash"]
    return box.exec(["bash" if shell == "bash" else "sh", "-c", script])


@pytest.mark.parametrize(("script", "stdout"), [
    ("echo hello world", "hello world\n"),
    ("echo Hello Kubernetes! && sleep 1 && echo again", "Hello Kubernetes!\nagain\n"),
    ('x=5; echo "$x ${x} $((x * 2 + 1))"', "5 5 11\n"),
    ("for i in 9 8 7; do echo $i; done", "9\n8\n7\n"),
    ("i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done", "0\n1\n2\n"),
    ("n=3; until [ $n -eq 0 ]; do n=$((n-1)); done; echo $n", "0\n"),
    ("if false; then echo a; elif true; then echo b; else echo c; fi", "b\n"),
    ("echo $(echo inner) `echo back`", "inner back\n"),
    ("false; echo $? || true; true && echo ok", "1\nok\n"),
    ("false || echo fallback", "fallback\n"),
    ("echo 'single $x' \"double $HOME\"", "single $x double /root\n"),
    ("echo a\\ b \\$HOME", "a b $HOME\n"),
    ("echo ${UNSET:-default} ${HOME:+set} ${#HOME}", "default set 5\n"),
    ("p=/var/log/app.log; echo ${p##*/} ${p%.log} ${p#/}",
     "app.log /var/log/app var/log/app.log\n"),
    ("case web-1 in db*) echo db;; web-*) echo web;; esac", "web\n"),
    ('greet() { echo "hi $1"; return 4; }; greet you; echo $?', "hi you\n4\n"),
    ("{ echo a; echo b; } | wc -l", "2\n"),
    ("(cd /etc; pwd); pwd", "/etc\n/\n"),
    ("echo x | read v; echo [${v}]", "[]\n"),
    ("echo one two > /tmp/t; read a b < /tmp/t; echo $b-$a", "two-one\n"),
    ("echo a > /tmp/f; echo b >> /tmp/f; cat /tmp/f; wc -l < /tmp/f", "a\nb\n2\n"),
    ("echo err >&2 2>/dev/null", ""),
    ("ls /nope 2>&1 | head -1", "ls: /nope: No such file or directory\n"),
    ("set -- a b c; echo $# $2 $@", "3 b a b c\n"),
    ('for w in "$@"; do echo $w; done', ""),
    ("IFS=:; set -- $(echo x:y); echo $2", "y\n"),
    ("printf '%s=%05d\\n' a 42 b 7", "a=00042\nb=00007\n"),
    ("printf '%-5s|%x|%c\\n' ab 255 xyz", "ab   |ff|x\n"),
    ("echo -e 'a\\tb'; echo -n x; echo y", "a\tb\nxy\n"),
    ("[ -f /etc/hostname ] && [ ! -d /etc/hostname ] && echo file", "file\n"),
    ("test -z '' -a -n x && echo both", "both\n"),
    ("echo $((7 / 2)) $((7 % 3)) $((2 ** 10)) $((1 << 3)) $((5 > 3 ? 1 : 0))", "3 1 1024 8 1\n"),
    ("i=1; : $((i += 4)); echo $i $((i++)) $i", "5 5 6\n"),
    ("seq 3 | sort -r | head -2", "3\n2\n"),
    ("echo abc | tr a-z A-Z; echo x:y:z | cut -d: -f2", "ABC\ny\n"),
    ("printf 'b\\na\\nb\\n' | sort | uniq -c", "      1 a\n      2 b\n"),
    ("echo hello | grep -c ell; echo hello | grep -q xyz || echo none", "1\nnone\n"),
    ("mkdir -p /tmp/a/b && touch /tmp/a/b/c && ls /tmp/a/b && rm -rf /tmp/a && ls /tmp",
     "c\nf\nt\n"),
    ("cd /etc && echo host*", "hostname hosts\n"),
    ("echo '*'", "*\n"),
    ("date; date +%Y-%m-%d", "Thu Jan  1 00:00:00 UTC 2026\n2026-01-01\n"),
    ("sleep 2; date +%T", "00:00:02\n"),
    ("trap 'echo bye' EXIT; echo hi", "hi\nbye\n"),
    ("hostname; tail -1 /etc/hosts | cut -f2", "box\nbox\n"),
    ("echo $((1/0))", ""),
    ("export A=1; sh -c 'echo $A $0' named", "1 named\n"),
    ("echo ok | tee /tmp/copy; cat /tmp/copy", "ok\nok\n"),
    ("x=$(false); echo $?", "1\n"),
])
def test_busybox_shell(boxes, script, stdout):
    assert sh(boxes, script).stdout == stdout


@pytest.mark.parametrize(("script", "code", "stderr"), [
    ("foo", 127, "sh: foo: not found\n"),
    ("/bin/nope", 127, "sh: /bin/nope: not found\n"),
    ("exit 7", 7, ""),
    ("exit 300", 44, ""),
    ("cat /nope", 1, "cat: can't open '/nope': No such file or directory\n"),
    ('echo "unterminated', 2, "sh: syntax error: unterminated quoted string\n"),
    ("while true; do done", 2, 'sh: syntax error: unexpected "done"\n'),
    ("if true; then echo", 2, 'sh: syntax error: unexpected end of file (expecting "fi")\n'),
    ("echo x > /nodir/f", 1, "sh: can't create /nodir/f: nonexistent directory\n"),
    ("cat < /nope", 1, "sh: can't open '/nope': No such file or directory\n"),
    ("cd /nope", 1, "sh: cd: can't cd to /nope: No such file or directory\n"),
    ("set -e; false; echo unreached", 1, ""),
    ("echo ${X:?is required}", 1, "sh: X: is required\n"),
    ("echo $((1/0))", 1, "sh: divide by zero\n"),
    ("rm /etc", 1, "rm: '/etc' is a directory\n"),
    ("mkdir /etc", 1, "mkdir: can't create directory '/etc': File exists\n"),
    ("sleep abc", 1, "sleep: invalid number 'abc'\n"),
    ("kill 99", 1, "kill: can't kill pid 99: No such process\n"),
    ("chmod 644 /bin/sleep; sleep 1", 126, "sh: sleep: Permission denied\n"),
])
def test_busybox_errors(boxes, script, code, stderr):
    box = ContainerHost().run("busybox", command=["sleep", "infinity"])
    result = box.exec(["sh", "-c", script])
    assert (result.exit_code, result.stderr) == (code, stderr)


@pytest.mark.parametrize(("shell", "script", "code", "stderr"), [
    ("dash", "foo", 127, "sh: 1: foo: not found\n"),
    ("dash", "while true; do done", 2, 'sh: 1: Syntax error: "done" unexpected\n'),
    ("dash", "cat /nope", 1, "cat: /nope: No such file or directory\n"),
    ("dash", "ls /nope", 2, "ls: cannot access '/nope': No such file or directory\n"),
    ("dash", "echo x > /nodir/f", 2, "sh: 1: cannot create /nodir/f: Directory nonexistent\n"),
    ("bash", "foo", 127, "bash: line 1: foo: command not found\n"),
    ("bash", "while true; do done", 2,
     "bash: -c: line 1: syntax error near unexpected token `done'\n"),
    ("bash", 'echo "x', 2, "bash: -c: line 1: unexpected EOF while looking for matching `\"'\n"),
])
def test_debian_shells_word_errors_their_way(boxes, shell, script, code, stderr):
    result = sh(boxes, script, shell)
    assert (result.exit_code, result.stderr) == (code, stderr)


def test_dash_echo_reads_escapes_but_busybox_needs_dash_e(boxes):
    assert sh(boxes, r'echo "a\nb"', "dash").stdout == "a\nb\n"
    assert sh(boxes, r'echo "a\nb"', "bash").stdout == "a\\nb\n"
    assert sh(boxes, r'echo "a\nb"').stdout == "a\\nb\n"
    assert sh(boxes, "echo -e 'a\\nb'", "dash").stdout == "-e a\nb\n"


def test_heredocs_are_not_read(boxes):
    result = sh(boxes, "cat <<EOF\nhi\nEOF")
    assert result.exit_code == 2 and result.stderr == 'sh: syntax error: unexpected "<<"\n'


def test_the_logging_docs_counter(boxes):
    """docs/concepts/cluster-administration/logging.md, run for three seconds."""
    host = ContainerHost()
    counter = host.run("busybox:1.28", args=[
        "/bin/sh", "-c", 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done'])
    host.advance(2.5)
    assert [line for _, line in counter.logs()] == [
        "0: Thu Jan  1 00:00:00 UTC 2026", "1: Thu Jan  1 00:00:01 UTC 2026",
        "2: Thu Jan  1 00:00:02 UTC 2026"]


def test_a_sidecar_follows_a_log_file_with_tail(boxes):
    host = ContainerHost()
    logs = FileSystem()
    writer = host.run("busybox", command=[
        "/bin/sh", "-c", 'i=0; while true; do echo "$i: $(date)" >> /var/log/1.log; '
                         "i=$((i+1)); sleep 1; done"], name="counter", mounts={"/var/log": logs})
    reader = host.run("busybox", command=["/bin/sh", "-c", "tail -n+1 -F /var/log/1.log"],
                      pod=writer, mounts={"/var/log": logs})
    host.advance(3.5)
    assert [line for _, line in reader.logs()][:3] == [
        "0: Thu Jan  1 00:00:00 UTC 2026", "1: Thu Jan  1 00:00:01 UTC 2026",
        "2: Thu Jan  1 00:00:02 UTC 2026"]


def test_scripts_from_files_run_with_their_interpreter(boxes):
    box = boxes["ash"]
    box.exec(["sh", "-c", "printf '#!/bin/sh\\necho script $1\\n' > /tmp/run.sh"])
    assert box.exec(["sh", "/tmp/run.sh", "one"]).stdout == "script one\n"
    denied = box.exec(["/tmp/run.sh"])
    assert denied.exit_code == 126
    box.exec(["chmod", "+x", "/tmp/run.sh"])
    assert box.exec(["/tmp/run.sh", "two"]).stdout == "script two\n"


def test_deep_nesting_is_refused_not_crashed(boxes):
    deep = "(" * 60 + "echo x" + ")" * 60
    result = sh(boxes, deep)
    assert result.exit_code == 2 and "nesting too deep" in result.stderr
    recursive = sh(boxes, "f() { f; }; f")
    assert recursive.exit_code != 0 and "nesting too deep" in recursive.stderr


# -- any text at all ----------------------------------------------------------------------------
SHELL_WORDS = st.sampled_from([
    "echo", "x", "$x", "${x:-y}", "$((1+2))", "$(", ")", "`", "'", '"', "\\", ";", "&&", "||",
    "|", "&", ">", ">>", "<", "2>&1", "if", "then", "else", "fi", "while", "do", "done", "for",
    "in", "case", "esac", ";;", "{", "}", "(", "f()", "true", "false", "exit", "cat", "ls",
    "/tmp/a", "*", "?", "[", "]", "test", "-f", "-eq", "=", "$?", "$@", "\n", "sleep", "1",
    "read", "trap", "kill", "wait", "break", "continue", "set", "-e", "printf", "%s", "grep",
    "export", "unset", "cd", "..", "#", "eval", "exec", "shift", "return", "local", "=x"])


def check_result(result) -> None:
    assert isinstance(result.exit_code, int) and 0 <= result.exit_code <= 255
    assert isinstance(result.stdout, str) and isinstance(result.stderr, str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_any_text_gives_an_exit_code_never_a_python_exception(text):
    box = ContainerHost().run("busybox", command=["sleep", "infinity"])
    result = box.exec(["sh", "-c", text])
    check_result(result)
    try:
        parse(text)
    except ShellSyntaxError:
        assert result.exit_code == 2 and result.stderr


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SHELL_WORDS, max_size=25).map(" ".join),
       st.sampled_from(["sh", "bash"]))
def test_shell_shaped_text_never_breaks_the_shell(text, shell):
    box = ContainerHost().run("debian", command=["sleep", "infinity"])
    check_result(box.exec([shell, "-c", text]))
