"""The tutorials' small web applications: the Kubernetes Bootcamp app and hello-app.

- ``gcr.io/google-samples/kubernetes-bootcamp`` (the "Learn Kubernetes Basics" tutorial) is a
  Node.js ``server.js`` on port 8080 answering ``Hello Kubernetes bootcamp! | Running on:
  <pod> | v=1``. The image's ``CMD node server.js`` is in shell form, so PID 1 is ``/bin/sh``
  and SIGTERM is ignored: its pods take the whole 30 s grace period to stop.
- ``gcr.io/google-samples/hello-app`` (GoogleCloudPlatform/kubernetes-engine-samples) is a Go
  server answering ``Hello, world!``, its version and host name on ``$PORT`` (8080).
"""

from __future__ import annotations

import math
import re
from collections.abc import Generator
from typing import Any

from k8skit.node.network import HttpRequest, HttpResponse
from k8skit.node.runtime.applets.system import moment
from k8skit.node.runtime.process import SIGINT, SIGTERM, Context, MiB, Signal, Sleep
from k8skit.node.runtime.registry import program


def iso_time(ctx: Context, seconds: float | None = None) -> str:
    """JavaScript's ``Date.toISOString()`` of a simulated moment."""
    when = moment(ctx.now if seconds is None else seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def http_date(ctx: Context) -> str:
    return moment(ctx.now).strftime("%a, %d %b %Y %H:%M:%S GMT")


@program("node")
def node(ctx: Context) -> Generator[Any, Any, int]:
    """``node server.js``: the bootcamp's server is the one script this node runs."""
    if len(ctx.argv) < 2:
        yield from ctx.stdin.wait_for_more()
        return 0
    script = ctx.path(ctx.argv[1])
    try:
        source = ctx.fs.read(script)
    except OSError:
        ctx.error(f"module.js:471\n    throw err;\n    ^\n\nError: Cannot find module "
                  f"'{script}'")
        return 1
    version = re.search(r'" \| v=(\d+)\\n"', source)
    if version is None:
        ctx.error(f"{script}: this simulated node only runs the Kubernetes Bootcamp server")
        return 1
    return (yield from _bootcamp(ctx, version.group(1)))


def _bootcamp(ctx: Context, version: str) -> Generator[Any, Any, int]:
    host = ctx.env.get("HOSTNAME", ctx.hostname)
    state = {"requests": 0}
    ctx.memory = 26 * MiB
    started = ctx.now

    def handle(request: HttpRequest) -> HttpResponse:
        state["requests"] += 1
        uptime = f"{ctx.now - started:.3f}".rstrip("0").rstrip(".")
        ctx.print(f"Running On: {host} | Total Requests: {state['requests']} | App Uptime: "
                  f"{uptime} seconds | Log Time: {iso_time(ctx)}")
        body = f"Hello Kubernetes bootcamp! | Running on: {host} | v={version}\n"
        return HttpResponse(200, body, {"Content-Type": "text/plain", "Date": http_date(ctx),
                                        "Connection": "keep-alive",
                                        "Transfer-Encoding": "chunked"})

    if not ctx.listen(8080, http=handle):
        ctx.error("events.js:160\n      throw er; // Unhandled 'error' event\n      ^\n\n"
                  "Error: listen EADDRINUSE :::8080")
        return 1
    ctx.print(f"Kubernetes Bootcamp App Started At: {iso_time(ctx, started)} | Running On:  "
              f"{host} \n")
    yield Sleep(math.inf)
    return 0


def go_log(ctx: Context, message: str) -> None:
    """Go's standard ``log`` package: ``2026/01/01 00:00:05 message`` on stderr."""
    ctx.error(moment(ctx.now).strftime("%Y/%m/%d %H:%M:%S ") + message)


def go_exit_on_signal(ctx: Context) -> Generator[Any, Any, int]:
    """Wait for ever; a Go program without signal handlers dies on SIGTERM/SIGINT.

    The Go runtime catches them, restores the default action and re-raises; as PID 1 the
    kernel ignores that, so the runtime ends the process itself with exit code 2.
    """
    ctx.trap(SIGTERM, SIGINT)
    try:
        yield Sleep(math.inf)
    except Signal as sig:
        if not ctx.owns(sig):
            raise
        return 2
    return 0


@program("hello-app")
def hello_app(ctx: Context) -> Generator[Any, Any, int]:
    """hello-app's main.go: ``Hello, world!``, ``Version: 1.0.0``, ``Hostname: <pod>``."""
    port = ctx.env.get("PORT") or "8080"
    version = ctx.container.image.version
    ctx.memory = 4 * MiB

    def handle(request: HttpRequest) -> HttpResponse:
        go_log(ctx, f"Serving request: {request.path}")
        body = f"Hello, world!\nVersion: {version}\nHostname: {ctx.hostname}\n"
        return HttpResponse(200, body, {"Date": http_date(ctx),
                                        "Content-Length": str(len(body)),
                                        "Content-Type": "text/plain; charset=utf-8"})

    go_log(ctx, f"Server listening on port {port}")
    if not port.isdecimal() or not ctx.listen(int(port), http=handle):
        go_log(ctx, f"listen tcp :{port}: bind: address already in use")
        return 1
    return (yield from go_exit_on_signal(ctx))
