"""agnhost, Kubernetes' own test image (test/images/agnhost in kubernetes/kubernetes).

One binary, many subcommands; the docs use these:

- ``liveness`` (liveness/server.go): ``/healthz`` answers 200 ``ok`` for the first 10 seconds
  and 500 ``error: <seconds>`` after, so a liveness probe restarts it (the docs' liveness-http
  example); ``/started`` answers how long it has run.
- ``netexec --http-port=8080`` (netexec/netexec.go, the hello-minikube tutorial): ``/`` (the
  time), ``/hostname``, ``/clientip``, ``/echo?msg=``, ``/healthz``, ``/shell?cmd=``,
  ``/dial?host=&port=&request=``, ``/exit?code=``, logging each request.
- ``serve-hostname`` (port 9376) answers its host name; ``pause`` waits for ever.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator
from typing import Any

from k8skit.node.network import HttpRequest, HttpResponse
from k8skit.node.runtime.applets.system import moment
from k8skit.node.runtime.process import Context, MiB
from k8skit.node.runtime.programs.webapps import go_exit_on_signal, http_date
from k8skit.node.runtime.registry import program

# liveness/server.go: healthy while time.Since(started).Seconds() <= 10.
LIVENESS_HEALTHY_SECONDS = 10.0

USAGE = """Usage:
  app [command]

Available Commands:
  liveness           Starts a server that is alive for 10 seconds
  netexec            Creates HTTP(S), UDP, and (optionally) SCTP servers with various endpoints
  pause              Pauses the execution
  serve-hostname     Serves the hostname

Use "app [command] --help" for more information about a command."""


def klog(ctx: Context, message: str, source: str = "log.go:195") -> None:
    """A klog line: ``I0101 00:00:05.000000       1 log.go:195] message`` (to stderr)."""
    when = moment(ctx.now)
    ctx.error(f"I{when:%m%d %H:%M:%S}.{when.microsecond:06d}{ctx.pid:>8} {source}] "
              f"{message}")


def _flags(args: list[str]) -> dict[str, str]:
    flags = {}
    for i, arg in enumerate(args):
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if not eq and i + 1 < len(args) and not args[i + 1].startswith("--"):
                value = args[i + 1]
            flags[name] = value
    return flags


def text(status: int, body: str, ctx: Context, content_type: str = "text/plain; "
         "charset=utf-8") -> HttpResponse:
    return HttpResponse(status, body, {"Content-Type": content_type, "Date": http_date(ctx),
                                       "Content-Length": str(len(body.encode()))})


def not_found(ctx: Context) -> HttpResponse:
    """Go's ``http.NotFound``."""
    return text(404, "404 page not found\n", ctx)


@program("agnhost")
def agnhost(ctx: Context) -> Generator[Any, Any, int]:
    args = ctx.argv[1:]
    command = args[0] if args else ""
    ctx.memory = 9 * MiB
    handlers = {"liveness": _liveness, "netexec": _netexec, "serve-hostname": _serve_hostname,
                "pause": _pause}
    if command in ("", "help", "--help", "-h"):
        ctx.print(USAGE)
        return 0
    if command not in handlers:
        ctx.error(f'Error: unknown command "{command}" for "app"\nRun \'app --help\' for '
                  "usage.")
        return 1
    return (yield from handlers[command](ctx, _flags(args[1:])))


def _liveness(ctx: Context, flags: dict[str, str]) -> Generator[Any, Any, int]:
    started = ctx.now

    def handle(request: HttpRequest) -> HttpResponse:
        age = ctx.now - started
        if request.path == "/started":
            return text(200, f"{age:g}s", ctx)
        if request.path == "/healthz":
            if age > LIVENESS_HEALTHY_SECONDS:
                return text(500, f"error: {age:g}", ctx)
            return text(200, "ok", ctx)
        return not_found(ctx)

    if not ctx.listen(8080, http=handle):
        ctx.error(moment(ctx.now).strftime("%Y/%m/%d %H:%M:%S ")
                  + "listen tcp :8080: bind: address already in use")
        return 1
    return (yield from go_exit_on_signal(ctx))


def _port_flag(ctx: Context, flags: dict[str, str], name: str, default: int) -> int | None:
    value = flags.get(name) or str(default)
    if not re.fullmatch(r"-?\d+", value):
        ctx.error(f'Error: invalid argument "{value}" for "--{name}" flag: strconv.ParseInt: '
                  f'parsing "{value}": invalid syntax')
        return None
    return int(value)


def _netexec(ctx: Context, flags: dict[str, str]) -> Generator[Any, Any, int]:
    port = _port_flag(ctx, flags, "http-port", 8080)
    udp_port = _port_flag(ctx, flags, "udp-port", 8081)
    if port is None or udp_port is None:
        return 1
    started = ctx.now
    state = {"client_port": 40000}

    def handle(request: HttpRequest) -> HttpResponse:
        query = request.query
        path = request.path
        if path == "/hostname" or path == "/hostName":
            klog(ctx, f"GET {path}")
            return text(200, ctx.hostname, ctx)
        if path == "/clientip":
            klog(ctx, "GET /clientip")
            state["client_port"] += 1
            return text(200, f"{request.client_ip}:{state['client_port']}", ctx)
        if path == "/echo":
            msg, code = query.get("msg", ""), query.get("code", "")
            klog(ctx, f"GET /echo?msg={msg}&code={code}")
            if code and not code.lstrip("-").isdecimal():
                return text(200, f"argument 'code' must be an integer or empty, got "
                                 f"\"{code}\"\n", ctx)
            return text(int(code) if code else 200, msg, ctx)
        if path == "/healthz":
            klog(ctx, "GET /healthz")
            return text(200, "", ctx)
        if path == "/shell":
            command = query.get("shellCommand") or query.get("cmd", "")
            klog(ctx, f"GET /shell?cmd={command}")
            result = ctx.container.exec(["/bin/sh", "-c", command])
            output = {}
            if result.stdout + result.stderr:
                output["output"] = result.stdout + result.stderr
            if result.exit_code:
                output["error"] = f"exit status {result.exit_code}"
            klog(ctx, f"Output: map[{' '.join(f'{k}:{v}' for k, v in output.items())}]")
            return text(200, json.dumps(output, separators=(",", ":")), ctx)
        if path == "/dial":
            return _dial(ctx, request)
        if path in ("/exit", "/shutdown"):
            code = query.get("code", "0") if path == "/exit" else "0"
            klog(ctx, f"GET /exit?code={code}&timeout=&wait=" if path == "/exit"
                 else "GET /shutdown")
            exit_code = int(code) if code.isdecimal() else 0
            ctx.container.clock.call_soon(ctx.runner.terminate, exit_code)
            return text(200, "", ctx)
        klog(ctx, "GET /")
        now = moment(ctx.now)
        return text(200, f"NOW: {now:%Y-%m-%d %H:%M:%S}.{now.microsecond * 1000:09d} +0000 "
                         f"UTC m=+{ctx.now - started:.9f}", ctx)

    if not ctx.listen(port, http=handle):
        klog(ctx, f"listen tcp :{port}: bind: address already in use", "netexec.go:215")
        return 1
    klog(ctx, f"Started HTTP server on port {port}")
    if udp_port != -1:
        klog(ctx, f"Started UDP server on port  {udp_port}")
    return (yield from go_exit_on_signal(ctx))


def _dial(ctx: Context, request: HttpRequest) -> HttpResponse:
    query = request.query
    host, port, target = query.get("host", ""), query.get("port", ""), query.get("request", "")
    tries = int(query.get("tries", "1") or 1) if query.get("tries", "1").isdecimal() else 1
    klog(ctx, f"GET /dial?host={host}&protocol={query.get('protocol', '')}&port={port}"
              f"&request={target}&tries={tries}")
    if not target:
        return text(400, "request parameter not specified. <nil>\n", ctx)
    responses, errors = [], []
    for _ in range(min(tries, 100)):
        answer = ctx.request(f"http://{host}:{port}/{target.lstrip('/')}")
        if answer.error:
            errors.append(f'Get "http://{host}:{port}/{target}": dial tcp {host}:{port}: '
                          "connect: connection refused")
        else:
            responses.append(answer.body)
    output = {}
    if responses:
        output["responses"] = responses
    if errors:
        output["errors"] = errors
    return text(200, json.dumps(output, separators=(",", ":")), ctx)


def _serve_hostname(ctx: Context, flags: dict[str, str]) -> Generator[Any, Any, int]:
    port = _port_flag(ctx, flags, "port", 9376)
    if port is None:
        return 1

    def handle(request: HttpRequest) -> HttpResponse:
        return text(200, ctx.hostname, ctx)

    if not ctx.listen(port, http=handle):
        return 1
    ctx.error(moment(ctx.now).strftime("%Y/%m/%d %H:%M:%S ") + f"Serving on port {port}.")
    return (yield from go_exit_on_signal(ctx))


def _pause(ctx: Context, flags: dict[str, str]) -> Generator[Any, Any, int]:
    ctx.print("Paused")
    return (yield from go_exit_on_signal(ctx))
