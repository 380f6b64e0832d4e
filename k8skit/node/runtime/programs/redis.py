"""Redis: ``redis-server`` on TCP 6379 speaking RESP, and ``redis-cli``.

A small in-memory key store with the commands a course uses (PING, SET/GET, INCR, DEL, KEYS,
lists, SAVE, INFO). On shutdown (SIGTERM) it saves its data to ``dump.rdb`` in its working
directory (/data in the official image) and loads it at start, so a PersistentVolume mounted
at /data keeps the data across pods, exactly the point of the storage chapter. (The file
holds the keys in a simple text form, not Redis's binary RDB format.)
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Generator
from typing import Any

from k8skit.node.network import HttpRequest, HttpResponse
from k8skit.node.runtime.applets.system import moment
from k8skit.node.runtime.patterns import match_pattern
from k8skit.node.runtime.process import SIGINT, SIGTERM, Context, MiB, Signal, Sleep
from k8skit.node.runtime.registry import program

DUMP_HEADER = "REDIS0011 k8skit text dump\n"


def encode_command(args: list[str]) -> str:
    """A command as a RESP array of bulk strings (what redis-cli sends)."""
    return f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)


def decode_command(data: str) -> list[str]:
    """A RESP array, or an inline command (``PING``, as ``nc`` would send it)."""
    if data.startswith("*"):
        lines = data.split("\r\n")
        return [lines[i] for i in range(2, len(lines), 2) if i - 1 < len(lines)
                and lines[i - 1].startswith("$")]
    return [quoted or bare for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', data.strip())]


class RedisStore:
    """The data set and the commands on it; replies in RESP."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.data: dict[str, str | list[str]] = {}

    def execute(self, args: list[str]) -> str:
        if not args:
            return ""
        name = args[0].upper()
        handler = getattr(self, "cmd_" + name.lower(), None)
        if handler is None:
            shown = " ".join(f"'{a}'" for a in args[1:])
            return f"-ERR unknown command '{args[0]}', with args beginning with: {shown}\r\n"
        try:
            return handler(args[1:])
        except (IndexError, ValueError):
            return f"-ERR wrong number of arguments for '{args[0].lower()}' command\r\n"

    @staticmethod
    def bulk(value: str | None) -> str:
        return "$-1\r\n" if value is None else f"${len(value.encode())}\r\n{value}\r\n"

    def string(self, key: str) -> str | None:
        value = self.data.get(key)
        if isinstance(value, list):
            raise TypeError
        return value

    def cmd_ping(self, args: list[str]) -> str:
        return self.bulk(args[0]) if args else "+PONG\r\n"

    def cmd_echo(self, args: list[str]) -> str:
        return self.bulk(args[0])

    def cmd_set(self, args: list[str]) -> str:
        key, value = args[0], args[1]
        self.data[key] = value
        return "+OK\r\n"

    def cmd_get(self, args: list[str]) -> str:
        try:
            return self.bulk(self.string(args[0]))
        except TypeError:
            return "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

    def cmd_del(self, args: list[str]) -> str:
        if not args:
            raise IndexError
        removed = sum(1 for key in args if self.data.pop(key, None) is not None)
        return f":{removed}\r\n"

    def cmd_exists(self, args: list[str]) -> str:
        if not args:
            raise IndexError
        return f":{sum(1 for key in args if key in self.data)}\r\n"

    def cmd_incrby(self, args: list[str]) -> str:
        key, step = args[0], int(args[1])
        current = self.data.get(key, "0")
        if isinstance(current, list) or not re.fullmatch(r"-?\d+", current):
            return "-ERR value is not an integer or out of range\r\n"
        self.data[key] = str(int(current) + step)
        return f":{self.data[key]}\r\n"

    def cmd_incr(self, args: list[str]) -> str:
        return self.cmd_incrby([args[0], "1"])

    def cmd_decr(self, args: list[str]) -> str:
        return self.cmd_incrby([args[0], "-1"])

    def cmd_decrby(self, args: list[str]) -> str:
        return self.cmd_incrby([args[0], str(-int(args[1]))])

    def cmd_keys(self, args: list[str]) -> str:
        keys = sorted(k for k in self.data if match_pattern(args[0], k))
        return f"*{len(keys)}\r\n" + "".join(self.bulk(k) for k in keys)

    def cmd_dbsize(self, args: list[str]) -> str:
        return f":{len(self.data)}\r\n"

    def cmd_flushall(self, args: list[str]) -> str:
        self.data.clear()
        return "+OK\r\n"

    cmd_flushdb = cmd_flushall

    def cmd_ttl(self, args: list[str]) -> str:
        return ":-1\r\n" if args[0] in self.data else ":-2\r\n"

    def cmd_lpush(self, args: list[str]) -> str:
        items = self.data.setdefault(args[0], [])
        if not isinstance(items, list) or len(args) < 2:
            raise ValueError
        for value in args[1:]:
            items.insert(0, value)
        return f":{len(items)}\r\n"

    def cmd_rpush(self, args: list[str]) -> str:
        items = self.data.setdefault(args[0], [])
        if not isinstance(items, list) or len(args) < 2:
            raise ValueError
        items.extend(args[1:])
        return f":{len(items)}\r\n"

    def cmd_lrange(self, args: list[str]) -> str:
        items = self.data.get(args[0], [])
        start, stop = int(args[1]), int(args[2])
        stop = len(items) if stop == -1 else stop + 1
        chosen = items[start:stop] if isinstance(items, list) else []
        return f"*{len(chosen)}\r\n" + "".join(self.bulk(v) for v in chosen)

    def cmd_llen(self, args: list[str]) -> str:
        items = self.data.get(args[0], [])
        return f":{len(items) if isinstance(items, list) else 0}\r\n"

    def cmd_info(self, args: list[str]) -> str:
        info = (f"# Server\r\nredis_version:{self.version}\r\nredis_mode:standalone\r\n"
                f"tcp_port:6379\r\n\r\n# Keyspace\r\n"
                + (f"db0:keys={len(self.data)},expires=0,avg_ttl=0\r\n" if self.data else ""))
        return self.bulk(info)

    def cmd_save(self, args: list[str]) -> str:
        return "+OK\r\n"

    # -- persistence ----------------------------------------------------------------------------
    def dump(self) -> str:
        lines = [DUMP_HEADER]
        for key, value in sorted(self.data.items()):
            kind = "list" if isinstance(value, list) else "string"
            values = value if isinstance(value, list) else [value]
            lines.append("\t".join([kind, _escape(key), *map(_escape, values)]) + "\n")
        return "".join(lines)

    def load(self, text: str) -> None:
        for line in text.splitlines()[1:]:
            kind, key, *values = line.split("\t")
            self.data[_unescape(key)] = [_unescape(v) for v in values] if kind == "list" \
                else _unescape(values[0] if values else "")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m.group(1), m.group(1)), text)


def _log(ctx: Context, role: str, level: str, message: str) -> None:
    when = moment(ctx.now)
    stamp = when.strftime("%d %b %Y %H:%M:%S.") + f"{when.microsecond // 1000:03d}"
    ctx.print(f"{ctx.pid}:{role} {stamp} {level} {message}")


@program("docker-entrypoint-redis")
def docker_entrypoint(ctx: Context) -> Generator[Any, Any, int]:
    """The image's entrypoint: ``redis-server`` is implied when the first argument is an
    option or a .conf file; then it execs the command."""
    argv = ctx.argv[1:] or ["redis-server"]
    if argv[0].startswith("-") or argv[0].endswith(".conf"):
        argv = ["redis-server", *argv]
    try:
        command = ctx.run(argv, replace=True)
    except OSError as err:
        ctx.error(f"/usr/local/bin/docker-entrypoint.sh: exec: line 24: {argv[0]}: "
                  f"{err.strerror}")
        return 127
    return (yield from command)


@program("redis-server")
def redis_server(ctx: Context) -> Generator[Any, Any, int]:
    args = ctx.argv[1:]
    port = 6379
    if "--port" in args and args.index("--port") + 1 < len(args):
        port = int(args[args.index("--port") + 1]) if args[args.index("--port") + 1] \
            .isdecimal() else port
    version = ctx.container.image.version or "7.2.4"
    store = RedisStore(version)
    dump_path = posixpath.join(ctx.cwd, "dump.rdb")
    ctx.memory = 3 * MiB
    _log(ctx, "C", "*", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
    _log(ctx, "C", "*", f"Redis version={version}, bits=64, commit=00000000, modified=0, "
                        f"pid={ctx.pid}, just started")
    if not any(a.endswith(".conf") for a in args):
        _log(ctx, "C", "#", "Warning: no config file specified, using the default config. "
                            "In order to specify a config file use redis-server "
                            "/path/to/redis.conf")

    def http(request: HttpRequest) -> HttpResponse:
        _log(ctx, "M", "#", "Possible SECURITY ATTACK detected. It looks like somebody is "
                            "sending POST or Host: commands to Redis. This is likely due to "
                            "an attacker attempting to use Cross Protocol Scripting to "
                            "compromise your Redis instance. Connection from "
                            f"{request.client_ip}:43120 aborted.")
        return HttpResponse(0, error="curl: (1) Received HTTP/0.9 when not allowed",
                            curl_code=1, failure="protocol")

    def tcp(data: str) -> str:
        return store.execute(decode_command(data))

    if not ctx.listen(port, http=http, tcp=tcp):
        _log(ctx, "M", "#", f"Warning: Could not create server TCP listening socket *:{port}: "
                            "bind: Address already in use")
        _log(ctx, "M", "#", f"Failed listening on port {port} (tcp), aborting.")
        return 1
    _log(ctx, "M", "*", "monotonic clock: POSIX clock_gettime")
    _log(ctx, "M", "*", f"Running mode=standalone, port={port}.")
    _log(ctx, "M", "*", "Server initialized")
    try:
        text = ctx.fs.read(dump_path)
    except OSError:
        text = None
    if text is not None and text.startswith(DUMP_HEADER):
        store.load(text)
        _log(ctx, "M", "*", f"Loading RDB produced by version {version}")
        _log(ctx, "M", "*", "Done loading RDB, keys loaded: "
                            f"{len(store.data)}, keys expired: 0.")
        _log(ctx, "M", "*", "DB loaded from disk: 0.000 seconds")
    _log(ctx, "M", "*", "Ready to accept connections tcp")
    ctx.trap(SIGTERM, SIGINT)
    try:
        yield Sleep(math.inf)
    except Signal as sig:
        if not ctx.owns(sig):
            raise
        ctx.print(f"{ctx.pid}:signal-handler ({int(moment(ctx.now).timestamp())}) Received "
                  f"{'SIGTERM' if sig.signum == SIGTERM else 'SIGINT'} scheduling shutdown...")
    _log(ctx, "M", "*", "User requested shutdown...")
    _log(ctx, "M", "*", "Saving the final RDB snapshot before exiting.")
    try:
        ctx.fs.write(dump_path, store.dump(), mtime=ctx.now)
        _log(ctx, "M", "*", "DB saved on disk")
    except OSError as err:
        _log(ctx, "M", "#", f"Failed opening the temp RDB file temp-1.rdb (in server root dir "
                            f"{ctx.cwd}) for saving: {err.strerror}")
    _log(ctx, "M", "#", "Redis is now ready to exit, bye bye...")
    return 0


@program("redis-cli")
def redis_cli(ctx: Context) -> int:
    """``redis-cli [-h HOST] [-p PORT] [COMMAND ARGS...]``; without a command it reads
    commands from stdin. Replies print raw (no terminal), as under ``kubectl exec``."""
    args = ctx.argv[1:]
    host, port = "127.0.0.1", 6379
    while args and args[0].startswith("-"):
        flag = args.pop(0)
        if flag in ("-h", "-p", "-a", "-n") and args:
            value = args.pop(0)
            if flag == "-h":
                host = value
            elif flag == "-p" and value.isdecimal():
                port = int(value)
    commands = [args] if args else [line.split() for line in ctx.stdin.read_all().splitlines()
                                    if line.strip()]
    conn = ctx.container.network.connect(host, port, ctx.container.ip)
    if conn.endpoint is None:
        cause = "Name or service not known" if conn.failure == "resolve" else \
            "Connection refused"
        ctx.print(f"Could not connect to Redis at {host}:{port}: {cause}")
        return 1
    status = 0
    for command in commands:
        reply = conn.endpoint.tcp(conn.target[1], encode_command(command),
                                  client_ip=ctx.container.ip)
        if reply is None:
            ctx.print("Error: Server closed the connection")
            return 1
        if reply.startswith("-"):
            status = 1
        ctx.write(render_raw(reply))
    return status


def render_raw(reply: str) -> str:
    """A RESP reply as ``redis-cli --raw`` prints it."""
    lines = reply.split("\r\n")
    out: list[str] = []
    i = 0
    while i < len(lines) and lines[i]:
        line = lines[i]
        kind, rest = line[0], line[1:]
        if kind in "+-:":
            out.append(rest)
            i += 1
        elif kind == "$":
            out.append("" if rest == "-1" else lines[i + 1])
            i += 1 if rest == "-1" else 2
        else:
            i += 1
    return "".join(line + "\n" for line in out)
