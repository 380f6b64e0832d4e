"""nginx, as the official Docker image runs it (github.com/nginxinc/docker-nginx).

``/docker-entrypoint.sh`` prints its configuration steps and execs ``nginx -g "daemon off;"``.
The master process reads ``/etc/nginx/nginx.conf`` and ``conf.d/*.conf`` (so a ConfigMap mounted
there changes what it serves), binds its ``listen`` ports, starts one worker per CPU and serves
files from ``root``, ``return``s and ``proxy_pass``es. Its error log (start-up notices, failed
``open()`` calls) goes to stderr and its access log, in the image's ``main`` format, to stdout::

    10.244.0.1 - - [01/Jan/2026:00:00:05 +0000] "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0" "-"

Signals as nginx handles them: SIGQUIT (the image's STOPSIGNAL, which containerd sends) shuts
down gracefully, SIGTERM/SIGINT fast, SIGHUP reloads the configuration, all with exit code 0.
"""

from __future__ import annotations

import contextlib
import functools
import math
import posixpath
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from k8skit.node.network import HttpRequest, HttpResponse
from k8skit.node.runtime.applets.net import reason
from k8skit.node.runtime.applets.system import kernel_release, moment
from k8skit.node.runtime.filesystem import normalize
from k8skit.node.runtime.process import (
    SIGHUP,
    SIGINT,
    SIGQUIT,
    SIGTERM,
    SIGUSR1,
    Context,
    MiB,
    Signal,
    Sleep,
    signal_number,
)
from k8skit.node.runtime.registry import program

CONF = "/etc/nginx/nginx.conf"
PID_FILE = "/var/run/nginx.pid"
DEFAULT_VERSION = "1.27.5"
SIGNAL_NAMES = {"stop": SIGTERM, "quit": SIGQUIT, "reload": SIGHUP, "reopen": SIGUSR1}
CONTENT_TYPES = {"html": "text/html", "htm": "text/html", "txt": "text/plain",
                 "css": "text/css", "js": "application/javascript", "json": "application/json",
                 "png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml",
                 "ico": "image/x-icon", "xml": "text/xml"}
# The entrypoint scripts of docker-nginx 1.25+ and what each prints.
ENTRYPOINT_SCRIPTS = ("10-listen-on-ipv6-by-default.sh", "15-local-resolvers.envsh",
                      "20-envsubst-on-templates.sh", "30-tune-worker-processes.sh")


# -- the entrypoint ----------------------------------------------------------------------------
@program("docker-entrypoint-nginx")
def docker_entrypoint(ctx: Context) -> Generator[Any, Any, int]:
    """``/docker-entrypoint.sh nginx -g "daemon off;"``: configure, then exec the command."""
    argv = ctx.argv[1:]
    if not argv:
        return 0
    if argv[0] in ("nginx", "nginx-debug") and not ctx.env.get("NGINX_ENTRYPOINT_QUIET_LOGS"):
        me = "/docker-entrypoint.sh"
        ctx.print(f"{me}: /docker-entrypoint.d/ is not empty, will attempt to perform "
                  "configuration")
        ctx.print(f"{me}: Looking for shell scripts in /docker-entrypoint.d/")
        for script in ENTRYPOINT_SCRIPTS:
            verb = "Sourcing" if script.endswith(".envsh") else "Launching"
            ctx.print(f"{me}: {verb} /docker-entrypoint.d/{script}")
            if script.startswith("10-"):
                ctx.print(_ipv6_script(ctx))
        ctx.print(f"{me}: Configuration complete; ready for start up")
        # The scripts and the tools they ran used up PIDs, so nginx's workers start near 29
        # as in `docker logs` of a real nginx container.
        ctx.container.skip_pids(22)
    try:
        command = ctx.run(argv, replace=True)
    except OSError as err:
        ctx.error(f"/docker-entrypoint.sh: exec: line 47: {argv[0]}: {err.strerror}")
        return 127
    return (yield from command)


def _ipv6_script(ctx: Context) -> str:
    """What 10-listen-on-ipv6-by-default.sh says: it only edits a default.conf it shipped."""
    name = "10-listen-on-ipv6-by-default.sh: info:"
    path = "/etc/nginx/conf.d/default.conf"
    if not ctx.fs.exists(path):
        return f"{name} {path} is not a file or does not exist"
    if ctx.fs.read_only_at(path):
        return f"{name} can not modify {path} (read-only file system?)"
    text = ctx.fs.read(path)
    if "listen  [::]:80;" in text:
        return f"{name} IPv6 listen already enabled"
    if ctx.container.image_file(path) != text:
        return f"{name} {path} differs from the packaged version"
    ctx.fs.write(path, text.replace("listen       80;", "listen       80;\n    listen  [::]:80;"))
    return (f"{name} Getting the checksum of {path}\n"
            f"{name} Enabled listen on IPv6 in {path}")


# -- configuration -----------------------------------------------------------------------------
class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Directive:
    """One directive; parsed configurations are shared between servers, so never changed."""

    name: str
    args: list[str]
    block: list[Directive] | None
    file: str
    line: int


@dataclass
class Location:
    path: str
    exact: bool = False
    source: str = ""  # file:line of the location block, for error messages
    root: str | None = None
    index: list[str] = field(default_factory=list)
    proxy_pass: str | None = None
    returns: tuple[int, str] | None = None


@dataclass
class Server:
    ports: list[int]
    root: str | None
    index: list[str]
    locations: list[Location]
    name: str = ""


@dataclass
class Config:
    servers: list[Server]
    daemon: bool
    workers: int


_TOKEN = re.compile(r"\s+|#[^\n]*|\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'|([{};])|"
                    r"([^\s{};\"'#]+)")


@functools.lru_cache(maxsize=256)
def parse_conf(text: str, file: str) -> list[Directive]:
    """nginx's configuration syntax: ``name args;`` and ``name args { ... }``.

    Every container of a Deployment starts from the same image files (and ConfigMap), so each
    distinct text is parsed once and its directives shared; a syntax error is raised every time.
    """
    stack: list[list[Directive]] = [[]]
    words: list[str] = []
    line = 1
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ConfigError(f"unexpected \"{text[pos]}\" in {file}:{line}")
        token_line = line
        line += match.group(0).count("\n")
        pos = match.end()
        quoted = match.group(1) if match.group(1) is not None else match.group(2)
        if quoted is not None:
            words.append(quoted)
        elif match.group(4) is not None:
            words.append(match.group(4))
        elif match.group(3) == ";":
            if not words:
                raise ConfigError(f"unexpected \";\" in {file}:{token_line}")
            stack[-1].append(Directive(words[0], words[1:], None, file, token_line))
            words = []
        elif match.group(3) == "{":
            if not words:
                raise ConfigError(f"unexpected \"{{\" in {file}:{token_line}")
            directive = Directive(words[0], words[1:], [], file, token_line)
            stack[-1].append(directive)
            stack.append(directive.block)
            words = []
        elif match.group(3) == "}":
            if words or len(stack) == 1:
                raise ConfigError(f"unexpected \"}}\" in {file}:{token_line}")
            stack.pop()
    if words:
        raise ConfigError(f"unexpected end of file, expecting \";\" or \"}}\" in {file}:{line}")
    if len(stack) > 1:
        raise ConfigError(f"unexpected end of file, expecting \"}}\" in {file}:{line}")
    return stack[0]


def _expand_includes(ctx: Context, directives: list[Directive], depth: int = 0
                     ) -> list[Directive]:
    out: list[Directive] = []
    for d in directives:
        if d.name == "include" and d.args and depth < 8:
            pattern = d.args[0] if d.args[0].startswith("/") else "/etc/nginx/" + d.args[0]
            folder, glob = posixpath.split(pattern)
            regex = re.compile(re.escape(glob).replace(r"\*", ".*") + r"\Z")
            try:
                names = [n for n in ctx.fs.listdir(folder) if regex.match(n)]
            except OSError:
                names = []
            if not names and "*" not in glob:
                raise ConfigError(f'open() "{pattern}" failed (2: No such file or directory) '
                                  f"in {d.file}:{d.line}")
            for name in names:
                path = posixpath.join(folder, name)
                if path.endswith("mime.types"):
                    continue
                out.extend(_expand_includes(ctx, parse_conf(ctx.fs.read(path), path),
                                            depth + 1))
        else:
            if d.block is not None:
                d = Directive(d.name, d.args, _expand_includes(ctx, d.block, depth), d.file,
                              d.line)
            out.append(d)
    return out


def load_config(ctx: Context) -> Config:
    try:
        top = _expand_includes(ctx, parse_conf(ctx.fs.read(CONF), CONF))
    except OSError as err:
        raise ConfigError(f'open() "{CONF}" failed ({err.errno}: {err.strerror})') from None
    daemon = not any(d.name == "daemon" and d.args == ["off"] for d in top)
    workers_arg = next((d.args[0] for d in top if d.name == "worker_processes" and d.args),
                       "auto")
    workers = ctx.container.node_cpus if workers_arg == "auto" else \
        int(workers_arg) if workers_arg.isdecimal() else 1
    servers = []
    for http in (d for d in top if d.name == "http" and d.block is not None):
        for block in (d for d in http.block if d.name == "server" and d.block is not None):
            servers.append(_server(block))
    return Config(servers, daemon, max(workers, 1))


def _server(block: Directive) -> Server:
    ports, root, index, locations, name = [], None, ["index.html"], [], ""
    for d in block.block or []:
        if d.name == "listen" and d.args:
            match = re.search(r"(\d+)$", d.args[0])
            if match and "[" not in d.args[0]:
                ports.append(int(match.group(1)))
        elif d.name == "root" and d.args:
            root = d.args[0]
        elif d.name == "index":
            index = d.args
        elif d.name == "server_name" and d.args:
            name = d.args[0]
        elif d.name == "location" and d.block is not None and d.args:
            exact = d.args[0] == "="
            location = Location(d.args[-1], exact=exact, source=f"{d.file}:{d.line}")
            for inner in d.block:
                if inner.name == "root" and inner.args:
                    location.root = inner.args[0]
                elif inner.name == "index":
                    location.index = inner.args
                elif inner.name == "proxy_pass" and inner.args:
                    location.proxy_pass = inner.args[0]
                elif inner.name == "return" and inner.args and inner.args[0].isdecimal():
                    location.returns = (int(inner.args[0]), " ".join(inner.args[1:]))
            locations.append(location)
    return Server(ports or [80], root, index, locations, name)


# -- the server --------------------------------------------------------------------------------
def _log_time(ctx: Context) -> str:
    """The error log's ``2026/01/01 00:00:05``: whole seconds, so formatted once per second
    (after rounding to the microsecond, as ``moment``'s timedelta does)."""
    return _log_time_of_second(math.floor(round(ctx.now, 6)))


@functools.lru_cache(maxsize=1024)
def _log_time_of_second(second: int) -> str:
    return moment(second).strftime("%Y/%m/%d %H:%M:%S")


def error_page(status: int, version: str) -> str:
    """nginx's built-in error page (ngx_http_special_response.c), lines ending in CRLF."""
    title = f"{status} {reason(status)}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx/{version}</center>\r\n"
            "</body>\r\n</html>\r\n")


class NginxServer:
    """The state of one nginx master: configuration, workers, the request counter."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.version = ctx.container.image.version or DEFAULT_VERSION
        self.config: Config | None = None
        self.workers: list = []
        self.ports: list[int] = []
        self.connections = 0

    def notice(self, message: str, pid: int | None = None, level: str = "notice") -> None:
        self.log([(self.ctx.pid if pid is None else pid, message)], level)

    def log(self, entries: list[tuple[int, str]], level: str = "notice") -> None:
        """Error-log lines ``(pid, message)`` written in the same instant, so with one time:
        a start-up or the workers' shutdown is a burst of some fifty lines."""
        stamp = _log_time(self.ctx)
        self.ctx.error("\n".join(f"{stamp} [{level}] {pid}#{pid}: {message}"
                                 for pid, message in entries))

    def emerg(self, message: str) -> None:
        self.notice(message, level="emerg")
        self.ctx.error(f"nginx: [emerg] {message}")

    # -- workers and ports ----------------------------------------------------------------------
    def start_workers(self) -> None:
        master = self.ctx.pid
        entries = [(master, "start worker processes")]
        for _ in range(self.config.workers):
            worker = self.ctx.container.new_process(["nginx: worker process"],
                                                    self.ctx.runner, user="nginx")
            worker.memory_bytes = MiB
            self.workers.append(worker)
            entries.append((master, f"start worker process {worker.pid}"))
        self.log(entries)
        self.ctx.memory = 2 * MiB
        self.ctx.container.check_memory()

    def stop_workers(self, graceful: bool) -> None:
        master = self.ctx.pid
        entries = []
        for worker in self.workers:
            if graceful:
                entries.append((worker.pid, "gracefully shutting down"))
            entries += [(worker.pid, "exiting"), (worker.pid, "exit")]
        for worker in self.workers:
            entries += [(master, f"signal 17 (SIGCHLD) received from {worker.pid}"),
                        (master, f"worker process {worker.pid} exited with code 0")]
            self.ctx.container.end_process(worker)
        if entries:
            self.log(entries)
        self.workers = []

    def bind(self) -> Generator[Any, Any, bool]:
        """Listen on every configured port, retrying as nginx does (5 tries, 0.5 s apart)."""
        wanted = sorted({p for s in self.config.servers for p in s.ports})
        for attempt in range(5):
            busy = [p for p in wanted if p not in self.ports and
                    not self.ctx.listen(p, http=self.handle)]
            self.ports = [p for p in wanted if p not in busy]
            if not busy:
                return True
            for port in busy:
                self.emerg(f"bind() to 0.0.0.0:{port} failed (98: Address already in use)")
            if attempt < 4:
                yield Sleep(0.5)
        self.emerg("still could not bind()")
        return False

    def release(self) -> None:
        for port in self.ports:
            self.ctx.unlisten(port)
        self.ports = []

    # -- requests -------------------------------------------------------------------------------
    def handle(self, request: HttpRequest) -> HttpResponse:
        self.connections += 1
        server = next((s for s in self.config.servers if request.port in s.ports),
                      self.config.servers[0])
        response = self.respond(server, request)
        body_bytes = 0 if request.method == "HEAD" else len(response.body.encode())
        if request.method == "HEAD":
            response.body = ""
        when = moment(self.ctx.now).strftime("%d/%b/%Y:%H:%M:%S +0000")
        self.ctx.print(
            f'{request.client_ip or "-"} - - [{when}] "{request.method} {request.target} '
            f'HTTP/1.1" {response.status} {body_bytes} "{request.header("Referer") or "-"}" '
            f'"{request.header("User-Agent") or "-"}" '
            f'"{request.header("X-Forwarded-For") or "-"}"')
        return response

    def respond(self, server: Server, request: HttpRequest) -> HttpResponse:
        path = unquote(request.path)
        location = self.locate(server, path)
        if location is not None and location.returns is not None:
            status, text = location.returns
            if 300 <= status < 400:
                return self.page(status, {"Location": text})
            return self.reply(status, text, "text/plain")
        if location is not None and location.proxy_pass:
            return self.proxy(location, request, path)
        if request.method not in ("GET", "HEAD"):
            return self.page(405)
        root = (location.root if location and location.root else server.root) or \
            "/etc/nginx/html"
        index = (location.index if location and location.index else server.index)
        target = normalize(root.rstrip("/") + "/" + path.lstrip("/"))
        fs = self.ctx.fs
        if fs.is_dir(target):
            if not path.endswith("/"):
                host = request.header("Host", server.name or "localhost").split(":")[0]
                port = "" if request.port == 80 else f":{request.port}"
                return self.page(301, {"Location": f"http://{host}{port}{path}/"})
            for name in index:
                candidate = posixpath.join(target, name)
                if fs.exists(candidate) and not fs.is_dir(candidate):
                    return self.file(candidate)
            self.log_error(f'directory index of "{target}/" is forbidden', request, server)
            return self.page(403)
        if fs.exists(target):
            return self.file(target)
        self.log_error(f'open() "{target}" failed (2: No such file or directory)', request,
                       server)
        return self.page(404)

    def locate(self, server: Server, path: str) -> Location | None:
        for location in server.locations:
            if location.exact and location.path == path:
                return location
        matches = [loc for loc in server.locations
                   if not loc.exact and path.startswith(loc.path)]
        return max(matches, key=lambda loc: len(loc.path)) if matches else None

    def proxy(self, location: Location, request: HttpRequest, path: str) -> HttpResponse:
        target = location.proxy_pass
        scheme_host, _, uri = target.partition("://")[2].partition("/")
        if uri or target.endswith("/"):
            forwarded = "/" + uri + path[len(location.path):]
        else:
            forwarded = request.target
        upstream = f"http://{scheme_host}{forwarded}"
        answer = self.ctx.request(upstream, method=request.method,
                                  headers={"Host": scheme_host.split(":")[0],
                                           "X-Forwarded-For": request.client_ip or "-",
                                           "User-Agent": request.header("User-Agent")})
        if answer.error:
            self.log_error("connect() failed (111: Connection refused) while connecting to "
                           "upstream", request, None, upstream=upstream)
            return self.page(502)
        return HttpResponse(answer.status, answer.body, dict(answer.headers))

    def log_error(self, message: str, request: HttpRequest, server: Server | None,
                  upstream: str | None = None) -> None:
        worker = self.workers[0].pid if self.workers else self.ctx.pid
        server_name = server.name if server and server.name else "localhost"
        text = (f"*{self.connections} {message}, client: {request.client_ip}, server: "
                f'{server_name}, request: "{request.method} {request.target} HTTP/1.1", ')
        if upstream:
            text += f'upstream: "{upstream}", '
        text += f'host: "{request.header("Host")}"'
        self.notice(text, worker, level="error")

    def headers(self, content_type: str, length: int, extra: dict | None = None) -> dict:
        now = moment(self.ctx.now).strftime("%a, %d %b %Y %H:%M:%S GMT")
        headers = {"Server": f"nginx/{self.version}", "Date": now,
                   "Content-Type": content_type, "Content-Length": str(length),
                   "Connection": "keep-alive"}
        headers.update(extra or {})
        return headers

    def reply(self, status: int, body: str, content_type: str,
              extra: dict | None = None) -> HttpResponse:
        return HttpResponse(status, body, self.headers(content_type, len(body.encode()), extra))

    def page(self, status: int, extra: dict | None = None) -> HttpResponse:
        return self.reply(status, error_page(status, self.version), "text/html", extra)

    def file(self, path: str) -> HttpResponse:
        info = self.ctx.fs.stat(path)
        body = self.ctx.fs.read(path)
        extension = path.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(path) else ""
        modified = moment(info.mtime).strftime("%a, %d %b %Y %H:%M:%S GMT")
        etag = f'"{int(info.mtime):x}-{info.size:x}"'
        return self.reply(200, body, CONTENT_TYPES.get(extension, "application/octet-stream"),
                          {"Last-Modified": modified, "ETag": etag, "Accept-Ranges": "bytes"})

    # -- the master's life ----------------------------------------------------------------------
    def check_upstreams(self) -> bool:
        for server in self.config.servers:
            for location in server.locations:
                if location.proxy_pass:
                    host = location.proxy_pass.partition("://")[2].split("/")[0].split(":")[0]
                    if self.ctx.container.network.resolve(host, self.ctx.container.ip) is None:
                        self.emerg(f'host not found in upstream "{host}" in '
                                   f"{location.source}")
                        return False
        return True

    def run(self) -> Generator[Any, Any, int]:
        ctx = self.ctx
        ctx.trap(SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1)
        gcc = "12.2.0 (Debian 12.2.0-14)" if self.version >= "1.25" else \
            "8.3.0 (Debian 8.3.0-6)"
        self.log([(ctx.pid, message) for message in (
            'using the "epoll" event method', f"nginx/{self.version}", f"built by gcc {gcc}",
            f"OS: Linux {kernel_release()}", "getrlimit(RLIMIT_NOFILE): 1048576:1048576")])
        if not self.check_upstreams():
            return 1
        if not (yield from self.bind()):
            return 1
        with contextlib.suppress(OSError):
            ctx.fs.write(PID_FILE, f"{ctx.pid}\n")
        self.start_workers()
        while True:
            try:
                yield Sleep(math.inf)
            except Signal as sig:
                if not ctx.owns(sig):
                    raise
                if sig.signum == SIGHUP:
                    yield from self.reload()
                elif sig.signum == SIGUSR1:
                    self.notice("signal 10 (SIGUSR1) received, reopening logs")
                    self.notice("reopening logs")
                else:
                    return self.shutdown(sig.signum)

    def reload(self) -> Generator[Any, Any, None]:
        self.notice("signal 1 (SIGHUP) received, reconfiguring")
        self.notice("reconfiguring")
        try:
            config = load_config(self.ctx)
        except ConfigError as err:
            self.notice(str(err), level="emerg")
            return
        old = self.workers
        self.release()
        self.config = config
        yield from self.bind()
        self.notice('using the "epoll" event method')
        self.workers = []
        self.start_workers()
        replaced, self.workers = self.workers, old
        self.stop_workers(graceful=True)
        self.workers = replaced

    def shutdown(self, signum: int) -> int:
        graceful = signum == SIGQUIT
        names = {SIGTERM: "15 (SIGTERM)", SIGINT: "2 (SIGINT)", SIGQUIT: "3 (SIGQUIT)"}
        self.notice(f"signal {names[signum]} received, "
                    + ("shutting down" if graceful else "exiting"))
        self.stop_workers(graceful)
        self.release()
        self.notice("exit")
        with contextlib.suppress(OSError):
            self.ctx.fs.remove(PID_FILE)
        return 0


@program("nginx")
def nginx(ctx: Context) -> Generator[Any, Any, int]:
    """``nginx [-g DIRECTIVES] [-t] [-v] [-s stop|quit|reload|reopen]``."""
    args = ctx.argv[1:]
    server = NginxServer(ctx)
    if "-v" in args or "-V" in args:
        ctx.error(f"nginx version: nginx/{server.version}")
        return 0
    if "-s" in args:
        return _send_signal(ctx, server, args[args.index("-s") + 1:])
    try:
        server.config = load_config(ctx)
    except ConfigError as err:
        server.emerg(str(err))
        if "-t" in args:
            ctx.error(f"nginx: configuration file {CONF} test failed")
        return 1
    if "-t" in args:
        ctx.error(f"nginx: the configuration file {CONF} syntax is ok")
        ctx.error(f"nginx: configuration file {CONF} test is successful")
        return 0
    directives = " ".join(args[args.index("-g") + 1:args.index("-g") + 2]) if "-g" in args \
        else ""
    if server.config.daemon and "daemon off" not in directives:
        # nginx forks into the background and the foreground process exits: the container's
        # main process is gone, so the container completes (a classic mistake).
        return 0
    ctx.process.argv = ["nginx: master process", *ctx.argv]
    return (yield from server.run())


def _send_signal(ctx: Context, server: NginxServer, rest: list[str]) -> int:
    name = rest[0] if rest else ""
    signum = SIGNAL_NAMES.get(name)
    if signum is None:
        ctx.error(f'nginx: invalid option: "-s {name}"' if name else
                  'nginx: option "-s" requires parameter')
        return 1
    try:
        pid = int(ctx.fs.read(PID_FILE).strip())
    except (OSError, ValueError):
        server.notice(f'open() "{PID_FILE}" failed (2: No such file or directory)',
                      level="error")
        ctx.error(f'nginx: [error] open() "{PID_FILE}" failed (2: No such file or directory)')
        return 1
    server.notice("signal process started")
    if not ctx.container.signal(pid, signum, sender=ctx.process):
        server.notice(f"kill({pid}, {signal_number(signum)}) failed (3: No such process)",
                      level="alert")
        return 1
    return 0
