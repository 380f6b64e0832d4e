"""Network clients: curl, busybox wget, nslookup (busybox and BIND flavours), ping, nc.

They talk to the pod network (``k8skit.node.network``) from the pod they run in, so
``localhost`` is the pod itself and names go through cluster DNS when it is there. Waiting is
real simulated time: a connection to an address nobody answers takes the kernel's SYN timeout
(or the ``-m``/``-T``/``-w`` limit), which matters for readiness loops in init containers.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Generator
from typing import Any
from urllib.parse import urljoin

from k8skit.node.network import HttpResponse, InvalidURL, parse_url
from k8skit.node.runtime.applets.basics import interpret_escapes
from k8skit.node.runtime.process import Context, Sleep
from k8skit.node.runtime.registry import program

REASONS = {200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently",
           302: "Found", 304: "Not Modified", 307: "Temporary Redirect", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Not Allowed",
           412: "Precondition Failed", 417: "Expectation Failed", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}

# How long resolvers wait for a DNS server that never answers before giving up.
DNS_TIMEOUT_SECONDS = 10.0

_CURL_FLAGS = {"s": "silent", "S": "show-error", "i": "include", "I": "head", "v": "verbose",
               "f": "fail", "L": "location", "k": "insecure", "O": "remote-name",
               "g": "globoff", "N": "no-buffer", "#": "progress-bar"}
_CURL_VALUES = {"o": "output", "m": "max-time", "X": "request", "H": "header", "d": "data",
                "w": "write-out", "A": "user-agent", "u": "user", "e": "referer",
                "x": "proxy", "c": "cookie-jar", "b": "cookie"}
_CURL_LONG_VALUES = set(_CURL_VALUES.values()) | {"connect-timeout", "retry", "data-raw",
                                                  "data-binary", "retry-delay", "cacert"}
_CURL_LONG_FLAGS = set(_CURL_FLAGS.values()) | {"compressed", "http1.1", "fail-with-body"}


def reason(status: int) -> str:
    return REASONS.get(status, "Unknown")


def _curl_options(ctx: Context, args: list[str]) -> tuple[dict[str, Any], list[str]] | None:
    """curl's options, or None after printing curl's complaint about an unknown one."""
    options: dict[str, Any] = {"header": []}
    urls: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg[2:].partition("=")
            if name in _CURL_LONG_FLAGS:
                options[name] = True
            elif name in _CURL_LONG_VALUES:
                if not eq:
                    if i >= len(args):
                        ctx.error(f"curl: option --{name}: requires parameter")
                        return None
                    value = args[i]
                    i += 1
                _set_option(options, name, value)
            else:
                ctx.error(f"curl: option --{name}: is unknown")
                ctx.error("curl: try 'curl --help' or 'curl --manual' for more information")
                return None
        elif arg.startswith("-") and len(arg) > 1:
            j = 1
            while j < len(arg):
                letter = arg[j]
                if letter in _CURL_FLAGS:
                    options[_CURL_FLAGS[letter]] = True
                    j += 1
                elif letter in _CURL_VALUES:
                    value = arg[j + 1:]
                    if not value:
                        if i >= len(args):
                            ctx.error(f"curl: option -{letter}: requires parameter")
                            return None
                        value = args[i]
                        i += 1
                    _set_option(options, _CURL_VALUES[letter], value)
                    break
                else:
                    ctx.error(f"curl: option -{letter}: is unknown")
                    ctx.error("curl: try 'curl --help' or 'curl --manual' for more information")
                    return None
        else:
            urls.append(arg)
    for name in ("max-time", "connect-timeout"):
        if name in options:
            if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", str(options[name])):
                ctx.error(f"curl: option --{name}: expected a proper numerical parameter")
                return None
            options[name] = float(options[name])
    return options, urls


def _set_option(options: dict[str, Any], name: str, value: str) -> None:
    if name == "header":
        options["header"].append(value)
    elif name in ("data-raw", "data-binary"):
        options["data"] = value
    else:
        options[name] = value


def _size5(n: float) -> str:
    """A byte count in at most five characters, as curl's progress meter prints it."""
    n = int(n)
    if n < 100000:
        return str(n)
    if n < 10000 * 1024:
        return f"{n // 1024}k"
    if n < 100 * 1024 * 1024:
        return f"{n / 1048576:.1f}M"
    return f"{n // 1048576}M"


def progress_meter(size: int) -> str:
    """curl's progress meter (printed to stderr when its output is not a terminal)."""
    speed = _size5(size * 1000)
    line = (f"{100 if size else 0:3d} {_size5(size):>5}  {100 if size else 0:3d} "
            f"{_size5(size):>5}    0     0 {speed if size else '0':>6}      0 "
            f"--:--:-- --:--:-- --:--:-- {speed if size else '0':>5}")
    return ("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
            "                                 Dload  Upload   Total   Spent    Left  Speed\n"
            + line + "\n")


def _header_block(response: HttpResponse) -> str:
    lines = [f"HTTP/1.1 {response.status} {reason(response.status)}"]
    lines += [f"{name}: {value}" for name, value in response.headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n"


@program("curl")
def curl(ctx: Context) -> Generator[Any, Any, int]:
    """curl 8 with the options tutorials use: ``-s -S -i -I -v -f -L -o -m -X -H -d -w``."""
    parsed = _curl_options(ctx, ctx.argv[1:])
    if parsed is None:
        return 2
    options, urls = parsed
    if not urls:
        ctx.error("curl: try 'curl --help' or 'curl --manual' for more information")
        return 2
    quiet = options.get("silent") and not options.get("verbose")
    show_errors = not options.get("silent") or options.get("show-error")
    status = 0
    for url in urls:
        code = yield from _curl_one(ctx, url, options, quiet, show_errors)
        status = code or status
    return status


def _curl_one(ctx: Context, url: str, options: dict[str, Any], quiet: bool,
              show_errors: bool) -> Generator[Any, Any, int]:
    try:
        scheme, host, port, path = parse_url(url)
    except InvalidURL:
        if show_errors:
            ctx.error("curl: (3) URL rejected: Malformed input to a URL function")
        return 3
    if "://" in url and scheme not in ("http", "https"):
        if show_errors:
            ctx.error(f'curl: (1) Protocol "{scheme}" not supported')
        return 1
    if not host:
        if show_errors:
            ctx.error("curl: (3) URL rejected: No host part in the URL")
        return 3
    method = options.get("request") or ("HEAD" if options.get("head") else
                                        "POST" if "data" in options else "GET")
    headers = {}
    for header in options["header"]:
        name, _, value = header.partition(":")
        headers[name.strip()] = value.strip()
    if "user-agent" in options:
        headers["User-Agent"] = options["user-agent"]
    redirects = 0
    while True:
        response = ctx.request(url, method=method, headers=headers)
        location = response.headers.get("Location")
        if response.error or not options.get("location") or not location \
                or not 300 <= response.status < 400 or redirects >= 50:
            break
        url = urljoin(url, location)
        redirects += 1
    verbose = options.get("verbose")
    if response.error:
        limit = min(options.get("max-time", float("inf")),
                    options.get("connect-timeout", float("inf")))
        message, code = response.error, response.curl_code
        if response.seconds > limit:
            yield Sleep(limit)
            millis = int(limit * 1000) + 1
            if options.get("max-time", float("inf")) <= limit:
                message = f"curl: (28) Connection timed out after {millis} milliseconds"
            else:
                message = (f"curl: (28) Failed to connect to {host} port {port} after "
                           f"{millis} ms: Timeout was reached")
            code = 28
        elif response.seconds:
            yield Sleep(response.seconds)
        if verbose and response.address:
            ctx.error(f"*   Trying {response.address[0]}:{response.address[1]}...")
        if not quiet and not verbose:
            ctx.stderr.write(progress_meter(0))
        if show_errors:
            ctx.error(message)
        return code
    if verbose:
        ip = response.address[0] if response.address else host
        ctx.error(f"*   Trying {ip}:{port}...\n* Connected to {host} ({ip}) port {port}")
        ctx.error(f"> {method} {path} HTTP/1.1\n> Host: {host}\n> User-Agent: curl/8.5.0\n"
                  "> Accept: */*\n>")
        block = _header_block(response).replace("\r\n", "\n").rstrip("\n").split("\n")
        ctx.error("\n".join("< " + line for line in block) + "\n<")
    if options.get("fail") and response.status >= 400:
        if not quiet:
            ctx.stderr.write(progress_meter(0))
        if show_errors:
            ctx.error(f"curl: (22) The requested URL returned error: {response.status}")
        return 22
    body = "" if method == "HEAD" else response.body
    text = (_header_block(response) if options.get("include") or options.get("head")
            else "") + body
    output = options.get("output")
    if options.get("remote-name"):
        output = path.split("?")[0].rsplit("/", 1)[-1]
        if not output:
            if show_errors:
                ctx.error("curl: Remote file name has no length!")
            return 23
    if output is not None and output != "-":
        if output != "/dev/null":
            try:
                ctx.fs.write(ctx.path(output), text, mtime=ctx.now, parents=False)
            except OSError:
                if show_errors:
                    ctx.error("curl: (23) Failure writing output to destination")
                return 23
    else:
        ctx.write(text)
    if not quiet and not verbose:
        ctx.stderr.write(progress_meter(len(body.encode())))
    if verbose:
        ctx.error(f"* Connection #0 to host {host} left intact")
    if "write-out" in options:
        ctx.write(_write_out(options["write-out"], response, url))
    return 0


def _write_out(fmt: str, response: HttpResponse, url: str) -> str:
    values = {"http_code": f"{response.status:03d}", "response_code": f"{response.status:03d}",
              "size_download": str(len(response.body.encode())), "time_total": "0.001000",
              "remote_ip": response.address[0] if response.address else "",
              "url_effective": url, "content_type": response.headers.get("Content-Type", "")}
    text = re.sub(r"%\{(\w+)\}", lambda m: values.get(m.group(1), ""), fmt)
    return interpret_escapes(text, octal_needs_zero=True)[0]


# -- busybox wget ------------------------------------------------------------------------------
@program("wget")
def wget(ctx: Context) -> Generator[Any, Any, int]:
    """busybox ``wget [-q] [-O FILE|-] [-T SEC] [--spider] URL``."""
    args = ctx.argv[1:]
    quiet, spider, output, timeout = False, False, None, 900.0
    urls = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in ("-q", "--quiet"):
            quiet = True
        elif arg == "--spider":
            spider = True
        elif arg.startswith("--timeout="):
            value = arg.split("=", 1)[1]
            if not re.fullmatch(r"\d+(\.\d*)?", value):
                ctx.error(f"wget: invalid number '{value}'")
                return 1
            timeout = float(value)
        elif arg.startswith("-") and len(arg) > 1 and arg[1] != "-":
            letters = arg[1:]
            while letters:
                letter, letters = letters[0], letters[1:]
                if letter == "q":
                    quiet = True
                elif letter in "OTP":
                    value = letters or (args[i] if i < len(args) else "")
                    if not letters:
                        i += 1
                    letters = ""
                    if letter == "O":
                        output = value
                    elif letter == "T":
                        if not re.fullmatch(r"\d+(\.\d*)?", value):
                            ctx.error(f"wget: invalid number '{value}'")
                            return 1
                        timeout = float(value)
                elif letter in "S":
                    continue
                else:
                    ctx.error(f"wget: unrecognized option '-{letter}'")
                    return 1
        else:
            urls.append(arg)
    if not urls:
        ctx.error("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
                  "Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n"
                  "\t[--post-data STR | --post-file FILE] [-Y on/off]\n"
                  "\t[-P DIR] [-U AGENT] [-T SEC] URL...")
        return 1
    status = 0
    for url in urls:
        code = yield from _wget_one(ctx, url, quiet, spider, output, timeout)
        status = code or status
    return status


def _wget_one(ctx: Context, url: str, quiet: bool, spider: bool, output: str | None,
              timeout: float) -> Generator[Any, Any, int]:
    try:
        _, host, port, path = parse_url(url)
    except InvalidURL:
        ctx.error(f"wget: not an http or ftp url: {url}")
        return 1
    response = ctx.request(url, method="HEAD" if spider else "GET")
    if response.failure == "resolve":
        ctx.error(f"wget: bad address '{host}'")
        return 1
    ip = response.address[0] if response.address else host
    if not quiet:
        ctx.error(f"Connecting to {host} ({ip}:{port})")
    if response.error:
        if response.seconds > timeout:
            yield Sleep(timeout)
            ctx.error("wget: download timed out")
            return 1
        if response.seconds:
            yield Sleep(response.seconds)
        cause = {"refused": "Connection refused", "no-route": "No route to host",
                 "timeout": "Connection timed out"}.get(response.failure, "Connection refused")
        ctx.error(f"wget: can't connect to remote host ({ip}): {cause}")
        return 1
    if response.status >= 400:
        ctx.error(f"wget: server returned error: HTTP/1.1 {response.status} "
                  f"{reason(response.status)}")
        return 1
    if spider:
        if not quiet:
            ctx.error("remote file exists")
        return 0
    name = output if output is not None else (path.split("?")[0].rsplit("/", 1)[-1]
                                              or "index.html")
    size = len(response.body.encode())
    if name == "-":
        if not quiet:
            ctx.error("writing to stdout")
        ctx.write(response.body)
    else:
        target = ctx.path(name)
        if output is None and ctx.fs.exists(target):
            ctx.error(f"wget: can't open '{name}': File exists")
            return 1
        try:
            ctx.fs.write(target, response.body, mtime=ctx.now, parents=False)
        except OSError as err:
            ctx.error(f"wget: can't open '{name}': {err.strerror}")
            return 1
        if not quiet:
            ctx.error(f"saving to '{name}'")
    if not quiet:
        shown = "-" if name == "-" else name
        ctx.error(f"{shown[:20]:<20} 100% |********************************| {size:>5}  "
                  "0:00:00 ETA")
        ctx.error("written to stdout" if name == "-" else f"'{name}' saved")
    return 0


# -- DNS ---------------------------------------------------------------------------------------
def nameserver(ctx: Context) -> str:
    """The first ``nameserver`` of the container's /etc/resolv.conf."""
    try:
        text = ctx.fs.read("/etc/resolv.conf")
    except OSError:
        return "127.0.0.1"
    match = re.search(r"^nameserver\s+(\S+)", text, re.MULTILINE)
    return match.group(1) if match else "127.0.0.1"


def lookup(ctx: Context, name: str) -> tuple[str, str] | None:
    """Ask the cluster's DNS (the network's resolvers) for ``name`` from this pod."""
    network = ctx.container.network
    for resolver in network.resolvers:
        answer = resolver(name, ctx.container.ip)
        if isinstance(answer, tuple):
            return str(answer[0]), str(answer[1])
        if answer:
            return name, str(answer)
    return None


def _nslookup(ctx: Context, style: str) -> Generator[Any, Any, int]:
    args = [a for a in ctx.argv[1:] if not a.startswith("-")]
    if not args:
        ctx.error("Usage: nslookup [HOST] [SERVER]")
        return 1
    name = args[0]
    server = args[1] if len(args) > 1 else nameserver(ctx)
    if style == "busybox-1.28":
        ctx.print(f"Server:    {server}\nAddress 1: {server}\n")
    if not ctx.container.network.has_dns:
        yield Sleep(DNS_TIMEOUT_SECONDS)
        if style == "busybox-1.28":
            ctx.error(f"nslookup: can't resolve '{name}'")
        else:
            ctx.print(";; connection timed out; no servers could be reached\n")
        return 1
    if style != "busybox-1.28":
        separator = "#" if style == "bind" else ":"
        ctx.print(f"Server:\t\t{server}\nAddress:\t{server}{separator}53\n")
    try:
        ipaddress.ip_address(name)
        answer = None
        name = ".".join(reversed(name.split("."))) + ".in-addr.arpa"
    except ValueError:
        answer = lookup(ctx, name)
    if answer is None:
        if style == "busybox-1.28":
            ctx.error(f"nslookup: can't resolve '{name}'")
        else:
            ctx.print(f"** server can't find {name}: NXDOMAIN\n")
        return 1
    fqdn, ip = answer
    if style == "busybox-1.28":
        ctx.print(f"Name:      {name}\nAddress 1: {ip} {fqdn}" if fqdn != name else
                  f"Name:      {name}\nAddress 1: {ip}")
    else:
        ctx.print(f"Name:\t{fqdn}\nAddress: {ip}" + ("\n" if style != "bind" else ""))
    return 0


@program("nslookup")
def nslookup(ctx: Context) -> Generator[Any, Any, int]:
    """busybox (1.29+) ``nslookup NAME [SERVER]``."""
    return (yield from _nslookup(ctx, "busybox"))


@program("nslookup-busybox-1.28")
def nslookup_busybox_128(ctx: Context) -> Generator[Any, Any, int]:
    """busybox 1.28's older ``nslookup`` and its output, which the DNS docs still show."""
    return (yield from _nslookup(ctx, "busybox-1.28"))


@program("nslookup-bind")
def nslookup_bind(ctx: Context) -> Generator[Any, Any, int]:
    """``nslookup`` from BIND's dnsutils (Debian images such as jessie-dnsutils)."""
    return (yield from _nslookup(ctx, "bind"))


# -- ping and nc -------------------------------------------------------------------------------
@program("ping")
def ping(ctx: Context) -> Generator[Any, Any, int]:
    """busybox ``ping [-c COUNT] HOST``: ICMP reaches pods, never a Service's virtual IP
    (kube-proxy only forwards the Service's TCP/UDP ports)."""
    args = ctx.argv[1:]
    count = None
    hosts = []
    while args:
        arg = args.pop(0)
        if arg in ("-c", "-W", "-w", "-i", "-s") and args:
            value = args.pop(0)
            if arg == "-c":
                if not value.isdecimal():
                    ctx.error(f"ping: invalid number '{value}'")
                    return 1
                count = int(value)
        elif not arg.startswith("-"):
            hosts.append(arg)
    if not hosts:
        ctx.error("ping: usage: ping [-c COUNT] HOST")
        return 1
    host = hosts[0]
    network = ctx.container.network
    resolved = network.resolve(host, ctx.container.ip)
    if resolved is None:
        ctx.error(f"ping: bad address '{host}'")
        return 1
    ip = resolved[1]
    answers = ip.startswith("127.") or network.endpoint(ip) is not None
    ctx.print(f"PING {host} ({ip}): 56 data bytes")
    sent = received = 0
    times: list[float] = []
    while count is None or sent < count:
        if sent:
            yield Sleep(1.0)
        if answers:
            rtt = 0.05 + 0.007 * (sent % 5)
            times.append(rtt)
            ctx.print(f"64 bytes from {ip}: seq={sent} ttl=64 time={rtt:.3f} ms")
            received += 1
        sent += 1
    loss = 100 * (sent - received) // max(sent, 1)
    ctx.print(f"\n--- {host} ping statistics ---\n{sent} packets transmitted, {received} "
              f"packets received, {loss}% packet loss")
    if times:
        ctx.print(f"round-trip min/avg/max = {min(times):.3f}/{sum(times) / len(times):.3f}/"
                  f"{max(times):.3f} ms")
    return 0 if received else 1


@program("nc")
def nc(ctx: Context) -> Generator[Any, Any, int]:
    """busybox ``nc [-z] [-v] [-w SEC] HOST PORT``: can a TCP connection be made?"""
    args = ctx.argv[1:]
    verbose, wait = False, None
    operands = []
    while args:
        arg = args.pop(0)
        if arg == "-w" and args:
            value = args.pop(0)
            if not re.fullmatch(r"\d+(\.\d*)?", value):
                ctx.error(f"nc: invalid number '{value}'")
                return 1
            wait = float(value)
        elif arg.startswith("-"):
            verbose = verbose or "v" in arg
        else:
            operands.append(arg)
    if len(operands) < 2 or not operands[1].isdecimal():
        ctx.error("nc: usage: nc [-z] [-v] [-w SEC] HOST PORT")
        return 1
    host, port = operands[0], int(operands[1])
    conn = ctx.container.network.connect(host, port, ctx.container.ip)
    if conn.failure == "resolve":
        ctx.error(f"nc: bad address '{host}'")
        return 1
    if conn.endpoint is None:
        if conn.seconds:
            yield Sleep(min(conn.seconds, wait) if wait else conn.seconds)
        cause = {"no-route": "No route to host", "timeout": "Connection timed out"}.get(
            conn.failure, "Connection refused")
        ctx.error(f"nc: {host} ({conn.ip}:{port}): {cause}" if verbose else
                  f"nc: can't connect to remote host ({conn.ip}): {cause}")
        return 1
    if verbose:
        ctx.error(f"{host} ({conn.ip}:{port}) open")
    return 0
