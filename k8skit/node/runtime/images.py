"""The images the official docs and tutorials use, their files, and adding your own.

Sizes are the compressed linux/amd64 sizes the registries report (what containerd stores and
the kubelet lists in ``Node.status.images``), rounded; versions are those each tag carried when
this catalogue was written. Add images with :func:`~k8skit.node.runtime.catalogue.register_image`.

Each image's userland decides which tools ``kubectl exec`` finds: busybox and alpine images
have the busybox applets (ps, wget, nslookup, ping, nc ...), Debian-based images (nginx, redis,
the bootcamp) have dash, bash and coreutils but no ps, ping or nslookup, and distroless images
(the control-plane components) have no shell at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from k8skit.node.runtime.catalogue import (
    DEFAULT_PATH,
    Image,
    ImageCatalogue,
    ImageSpec,
    parse_reference,
)
from k8skit.node.runtime.filesystem import FileSystem
from k8skit.node.runtime.process import SIGQUIT, SIGTERM, signal_number
from k8skit.node.runtime.registry import PROGRAMS

MB = 1_000_000

# -- userlands ---------------------------------------------------------------------------------
BUSYBOX_APPLETS = (
    "[", "basename", "cat", "chmod", "cp", "cut", "date", "dirname", "echo", "egrep", "env",
    "false", "fgrep", "find", "grep", "head", "hostname", "id", "kill", "killall", "ls",
    "mkdir", "mv", "nc", "nproc", "nslookup", "ping", "printenv", "printf", "ps", "pwd", "rm",
    "rmdir", "seq", "sleep", "sort", "tail", "tee", "test", "touch", "tr", "true", "uname",
    "uniq", "wc", "wget", "which", "whoami")
GNU_TOOLS = (
    "[", "basename", "cat", "chmod", "cp", "cut", "date", "dirname", "echo", "egrep", "env",
    "false", "fgrep", "find", "grep", "head", "hostname", "id", "ls", "mkdir", "mv", "nproc",
    "printenv", "printf", "pwd", "rm", "rmdir", "seq", "sleep", "sort", "tail", "tee", "test",
    "touch", "tr", "true", "uname", "uniq", "wc", "which", "whoami")


def _busybox(spec: ImageSpec) -> list[tuple[str, str]]:
    legacy = spec.busybox_version < "1.29"
    binaries = [("/bin/sh", "ash"), ("/bin/ash", "ash")]
    for name in BUSYBOX_APPLETS:
        program = "nslookup-busybox-1.28" if name == "nslookup" and legacy else name
        binaries.append((f"/bin/{name}", program))
    return binaries


def _gnu(spec: ImageSpec) -> list[tuple[str, str]]:
    binaries = []
    # Debian's merged /usr: /bin and /usr/bin hold the same programs.
    for folder in ("/bin", "/usr/bin"):
        binaries += [(f"{folder}/sh", "dash"), (f"{folder}/dash", "dash"),
                     (f"{folder}/bash", "bash")]
        binaries += [(f"{folder}/{name}", name) for name in GNU_TOOLS]
    return binaries


def _none(spec: ImageSpec) -> list[tuple[str, str]]:
    return []


USERLANDS = {"busybox": _busybox, "gnu": _gnu, "none": _none}


def os_release(name: str, version_id: str, pretty: str, id_: str) -> tuple[str, str]:
    return ("/etc/os-release", f'PRETTY_NAME="{pretty}"\nNAME="{name}"\n'
                               f'VERSION_ID="{version_id}"\nID={id_}\n')


DEBIAN_12 = os_release("Debian GNU/Linux", "12", "Debian GNU/Linux 12 (bookworm)", "debian")
DEBIAN_10 = os_release("Debian GNU/Linux", "10", "Debian GNU/Linux 10 (buster)", "debian")
DEBIAN_9 = os_release("Debian GNU/Linux", "9", "Debian GNU/Linux 9 (stretch)", "debian")
DEBIAN_8 = os_release("Debian GNU/Linux", "8", "Debian GNU/Linux 8 (jessie)", "debian")


def alpine_release(version: str) -> tuple[str, str]:
    return os_release("Alpine Linux", version, f"Alpine Linux v{version.rsplit('.', 1)[0]}",
                      "alpine")


# -- nginx -------------------------------------------------------------------------------------
NGINX_INDEX = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

NGINX_INDEX_OLD = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
    body {
        width: 35em;
        margin: 0 auto;
        font-family: Tahoma, Verdana, Arial, sans-serif;
    }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

NGINX_50X = """<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
"""

NGINX_CONF = """
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
""".lstrip()

NGINX_DEFAULT_CONF = """server {
    listen       80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
"""


def nginx(version: str, tags: tuple[str, ...], size_mb: float, njs: str, release: str,
          alpine: str = "") -> ImageSpec:
    """An official nginx build: Debian based, or ``alpine`` based with busybox."""
    modern = version >= "1.19"
    files = [("/usr/share/nginx/html/index.html", NGINX_INDEX if modern else NGINX_INDEX_OLD),
             ("/usr/share/nginx/html/50x.html", NGINX_50X),
             ("/etc/nginx/nginx.conf", NGINX_CONF),
             ("/etc/nginx/conf.d/default.conf", NGINX_DEFAULT_CONF),
             ("/etc/nginx/mime.types", "types {\n    text/html  html htm shtml;\n}\n"),
             ("/var/log/nginx/access.log", ""), ("/var/log/nginx/error.log", ""),
             ("/var/cache/nginx/.keep", "")]
    env = [("PATH", DEFAULT_PATH), ("NGINX_VERSION", version)]
    if njs:
        env.append(("NJS_VERSION", njs))
    env.append(("PKG_RELEASE", release))
    binaries = [("/usr/sbin/nginx", "nginx")]
    if modern:
        binaries.append(("/docker-entrypoint.sh", "docker-entrypoint-nginx"))
        files.append(("/docker-entrypoint.d/.keep", ""))
    if modern and not alpine:
        binaries.append(("/usr/bin/curl", "curl"))
    files.append(alpine_release(alpine) if alpine else
                 DEBIAN_12 if version >= "1.25" else DEBIAN_10 if version >= "1.16" else
                 DEBIAN_9)
    return ImageSpec(
        repository="docker.io/library/nginx", tags=tags, size_bytes=int(size_mb * MB),
        version=version, entrypoint=("/docker-entrypoint.sh",) if modern else (),
        cmd=("nginx", "-g", "daemon off;"), env=tuple(env),
        stop_signal=SIGQUIT if modern else SIGTERM, userland="busybox" if alpine else "gnu",
        binaries=tuple(binaries), files=tuple(files))


# -- busybox and friends -----------------------------------------------------------------------
def busybox(repository: str, version: str, tags: tuple[str, ...], size_mb: float) -> ImageSpec:
    return ImageSpec(repository=repository, tags=tags, size_bytes=int(size_mb * MB),
                     version=version, cmd=("sh",), env=(("PATH", DEFAULT_PATH),),
                     busybox_version=version)


def alpine(version: str, tags: tuple[str, ...], size_mb: float) -> ImageSpec:
    return ImageSpec(repository="docker.io/library/alpine", tags=tags,
                     size_bytes=int(size_mb * MB), version=version, cmd=("/bin/sh",),
                     env=(("PATH", DEFAULT_PATH),), busybox_version="1.37.0",
                     files=(alpine_release(version),))


def debian(repository: str, version: str, tags: tuple[str, ...], size_mb: float,
           release: tuple[str, str], cmd: str = "bash") -> ImageSpec:
    return ImageSpec(repository=repository, tags=tags, size_bytes=int(size_mb * MB),
                     version=version, cmd=(cmd,), env=(("PATH", DEFAULT_PATH),),
                     userland="gnu", files=(release,))


# -- the tutorials' applications ---------------------------------------------------------------
BOOTCAMP_SERVER = """var http = require('http');
var requests=0;
var podname= process.env.HOSTNAME;
var startTime;
var host;
var handleRequest = function(request, response) {
  response.setHeader('Content-Type', 'text/plain');
  response.writeHead(200);
  response.write("Hello Kubernetes bootcamp! | Running on: ");
  response.write(host);
  response.end(" | v={version}\\n");
  console.log("Running On:" ,host, "| Total Requests:", ++requests,"| App Uptime:", (new Date() - startTime)/1000 , "seconds", "| Log Time:",new Date());
}
var www = http.createServer(handleRequest);
www.listen(8080,function () {
    startTime = new Date();;
    host = process.env.HOSTNAME;
    console.log ("Kubernetes Bootcamp App Started At:",startTime, "| Running On: " ,host, "\\n" );
});
"""  # noqa: E501


def bootcamp(repository: str, version: str, size_mb: float) -> ImageSpec:
    return ImageSpec(
        repository=repository, tags=(f"v{version}",), size_bytes=int(size_mb * MB),
        version=f"v{version}", cmd=("/bin/sh", "-c", "node server.js"),
        env=(("PATH", DEFAULT_PATH), ("NPM_CONFIG_LOGLEVEL", "info"),
             ("NODE_VERSION", "6.3.1")),
        userland="gnu", binaries=(("/usr/local/bin/node", "node"), ("/usr/bin/curl", "curl")),
        files=(("/server.js", BOOTCAMP_SERVER.replace("{version}", version)), DEBIAN_8))


def hello_app(repository: str, version: str, tag: str, size_mb: float) -> ImageSpec:
    return ImageSpec(repository=repository, tags=(tag,), size_bytes=int(size_mb * MB),
                     version=version, entrypoint=("./hello-app",),
                     env=(("PATH", DEFAULT_PATH), ("PORT", "8080")),
                     binaries=(("/hello-app", "hello-app"),), files=(alpine_release("3.7.0"),))


def agnhost(version: str, size_mb: float) -> ImageSpec:
    return ImageSpec(
        repository="registry.k8s.io/e2e-test-images/agnhost", tags=(version,),
        size_bytes=int(size_mb * MB), version=version, entrypoint=("/agnhost",),
        env=(("PATH", DEFAULT_PATH),), userland="gnu",
        binaries=(("/agnhost", "agnhost"), ("/usr/bin/curl", "curl"),
                  ("/usr/bin/nslookup", "nslookup-bind"), ("/usr/bin/nc", "nc"),
                  ("/usr/bin/ping", "ping")), files=(DEBIAN_12,))


def redis(version: str, tags: tuple[str, ...], size_mb: float, alpine_version: str = ""
          ) -> ImageSpec:
    return ImageSpec(
        repository="docker.io/library/redis", tags=tags, size_bytes=int(size_mb * MB),
        version=version, entrypoint=("docker-entrypoint.sh",), cmd=("redis-server",),
        env=(("PATH", DEFAULT_PATH), ("REDIS_VERSION", version)), working_dir="/data",
        userland="busybox" if alpine_version else "gnu",
        binaries=(("/usr/local/bin/docker-entrypoint.sh", "docker-entrypoint-redis"),
                  ("/usr/local/bin/redis-server", "redis-server"),
                  ("/usr/local/bin/redis-cli", "redis-cli")),
        files=(alpine_release(alpine_version) if alpine_version else DEBIAN_12,))


def component(name: str, tag: str, size_mb: float, repository: str = "",
              version: str = "", binary: str = "") -> ImageSpec:
    """A control-plane image: distroless, one binary, no shell."""
    binary = binary or f"/usr/local/bin/{name}"
    return ImageSpec(repository=repository or f"registry.k8s.io/{name}", tags=(tag,),
                     size_bytes=int(size_mb * MB), version=version or tag, entrypoint=(binary,),
                     env=(("PATH", DEFAULT_PATH),), userland="none",
                     binaries=((binary, name),))


def curl_image(version: str, tags: tuple[str, ...], size_mb: float) -> ImageSpec:
    return ImageSpec(
        repository="docker.io/curlimages/curl", tags=tags, size_bytes=int(size_mb * MB),
        version=version, entrypoint=("/entrypoint.sh",), cmd=("curl",),
        env=(("PATH", DEFAULT_PATH), ("CURL_VERSION", version)), default_tool="curl",
        binaries=(("/entrypoint.sh", "docker-entrypoint-passthrough"),
                  ("/usr/bin/curl", "curl")), files=(alpine_release("3.21.0"),))


# The Kubernetes release the control-plane images come in, with each patch release a kubeadm
# cluster of that minor version may run.
KUBERNETES_PATCHES = tuple(f"v1.33.{patch}" for patch in range(5))

IMAGES = [
    nginx("1.14.2", ("1.14.2", "1.14"), 44.7, njs="", release="1~stretch"),
    nginx("1.16.1", ("1.16.1", "1.16"), 51.0, njs="0.3.8", release="1~buster"),
    nginx("1.25.5", ("1.25.5", "1.25"), 67.2, njs="0.8.4", release="1~bookworm"),
    nginx("1.27.5", ("1.27.5", "1.27", "mainline", "latest"), 72.2, njs="0.8.10",
          release="1~bookworm"),
    nginx("1.25.5", ("1.25.5-alpine", "1.25-alpine"), 17.9, njs="0.8.4", release="1",
          alpine="3.19.1"),
    nginx("1.27.5", ("1.27.5-alpine", "1.27-alpine", "alpine"), 20.3, njs="0.8.10",
          release="1", alpine="3.21.3"),
    busybox("docker.io/library/busybox", "1.28.4", ("1.28.4", "1.28"), 0.73),
    busybox("docker.io/library/busybox", "1.35.0", ("1.35.0", "1.35"), 2.2),
    busybox("docker.io/library/busybox", "1.36.1", ("1.36.1", "1.36", "stable"), 2.15),
    busybox("docker.io/library/busybox", "1.37.0", ("1.37.0", "1.37", "latest"), 2.16),
    busybox("registry.k8s.io/busybox", "1.24.0", ("1.24", "latest"), 0.68),
    busybox("registry.k8s.io/busybox", "1.27.2", ("1.27.2",), 0.68),
    busybox("registry.k8s.io/e2e-test-images/busybox", "1.36.1", ("1.36.1-1",), 2.2),
    busybox("registry.k8s.io/e2e-test-images/busybox", "1.29.4", ("1.29-4", "1.29-2"), 0.8),
    alpine("3.19.7", ("3.19.7", "3.19"), 3.42),
    alpine("3.20.6", ("3.20.6", "3.20"), 3.63),
    alpine("3.21.3", ("3.21.3", "3.21", "latest"), 3.64),
    debian("docker.io/library/debian", "12.10", ("12.10", "12", "bookworm", "latest"), 48.5,
           DEBIAN_12),
    debian("docker.io/library/debian", "12.10-slim", ("12-slim", "bookworm-slim"), 28.2,
           DEBIAN_12),
    debian("docker.io/library/debian", "11.11", ("11.11", "11", "bullseye"), 53.7,
           os_release("Debian GNU/Linux", "11", "Debian GNU/Linux 11 (bullseye)", "debian")),
    debian("docker.io/library/ubuntu", "24.04", ("24.04", "noble", "latest"), 29.7,
           os_release("Ubuntu", "24.04", "Ubuntu 24.04.2 LTS", "ubuntu"), cmd="/bin/bash"),
    debian("docker.io/library/ubuntu", "22.04", ("22.04", "jammy"), 29.5,
           os_release("Ubuntu", "22.04", "Ubuntu 22.04.5 LTS", "ubuntu"), cmd="/bin/bash"),
    debian("registry.k8s.io/e2e-test-images/jessie-dnsutils", "1.3", ("1.3",), 112.9,
           DEBIAN_8, cmd="bash"),
    debian("registry.k8s.io/e2e-test-images/jessie-dnsutils", "1.7", ("1.7",), 114.4,
           DEBIAN_8, cmd="bash"),
    ImageSpec(repository="docker.io/polinux/stress", tags=("1.0.4", "latest"),
              size_bytes=int(4.04 * MB), version="1.0.4", cmd=("stress",),
              env=(("PATH", DEFAULT_PATH),), busybox_version="1.31.1",
              binaries=(("/usr/local/bin/stress", "stress"),),
              files=(alpine_release("3.11.3"),)),
    ImageSpec(repository="docker.io/vish/stress", tags=("latest",), size_bytes=int(2.6 * MB),
              version="latest", entrypoint=("/stress", "-logtostderr"),
              env=(("PATH", DEFAULT_PATH),), busybox_version="1.24.2",
              binaries=(("/stress", "vish-stress"),)),
    bootcamp("gcr.io/google-samples/kubernetes-bootcamp", "1", 80.4),
    bootcamp("gcr.io/google-samples/kubernetes-bootcamp", "2", 80.5),
    bootcamp("docker.io/jocatalin/kubernetes-bootcamp", "1", 80.4),
    bootcamp("docker.io/jocatalin/kubernetes-bootcamp", "2", 80.5),
    hello_app("gcr.io/google-samples/hello-app", "1.0.0", "1.0", 4.3),
    hello_app("gcr.io/google-samples/hello-app", "2.0.0", "2.0", 4.4),
    hello_app("us-docker.pkg.dev/google-samples/containers/gke/hello-app", "1.0.0", "1.0", 4.3),
    hello_app("us-docker.pkg.dev/google-samples/containers/gke/hello-app", "2.0.0", "2.0", 4.4),
    *(agnhost(version, size) for version, size in (
        ("2.39", 51.4), ("2.40", 51.6), ("2.43", 52.0), ("2.45", 52.3), ("2.47", 52.6),
        ("2.52", 53.1), ("2.53", 53.2))),
    redis("6.0.5", ("6.0.5", "6.0"), 38.2),
    redis("7.2.7", ("7.2.7", "7.2"), 40.8),
    redis("7.4.2", ("7.4.2", "7.4", "7", "latest"), 45.3),
    redis("7.4.2", ("7.4.2-alpine", "7.4-alpine", "alpine"), 17.3, alpine_version="3.21.2"),
    curl_image("8.11.1", ("8.11.1", "latest"), 11.6),
    ImageSpec(repository="registry.k8s.io/pause", tags=("3.10",), size_bytes=320_368,
              version="3.10", entrypoint=("/pause",), userland="none",
              binaries=(("/pause", "pause"),)),
    ImageSpec(repository="registry.k8s.io/pause", tags=("3.9",), size_bytes=321_520,
              version="3.9", entrypoint=("/pause",), userland="none",
              binaries=(("/pause", "pause"),)),
    *(component(name, version, size) for version in KUBERNETES_PATCHES
      for name, size in (("kube-apiserver", 30.1), ("kube-controller-manager", 27.6),
                         ("kube-scheduler", 21.8), ("kube-proxy", 31.0))),
    component("etcd", "3.5.21-0", 58.9),
    component("coredns", "v1.12.0", 20.9, repository="registry.k8s.io/coredns/coredns",
              version="1.12.0", binary="/coredns"),
]

CATALOGUE = ImageCatalogue()
for _spec in IMAGES:
    CATALOGUE.add(_spec)

PAUSE_IMAGE = "registry.k8s.io/pause:3.10"


# -- building an image's files ------------------------------------------------------------------
BASE_DIRECTORIES = ("/bin", "/dev", "/etc", "/home", "/lib", "/media", "/mnt", "/opt", "/proc",
                    "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr/bin",
                    "/usr/local/bin", "/usr/sbin", "/var/log", "/var/run", "/var/tmp")


@functools.lru_cache(maxsize=256)
def build_root(spec: ImageSpec) -> FileSystem:
    """The image's root file system (built once per build, then copied per container)."""
    fs = FileSystem()
    for directory in BASE_DIRECTORIES:
        fs.mkdir(directory)
    shell = "/bin/bash" if spec.userland == "gnu" else "/bin/sh"
    # The null device reads as empty (``tail -f /dev/null`` waits forever); writes to it are
    # dropped by the shell's redirection.
    fs.write("/dev/null", "")
    fs.write("/etc/passwd", f"root:x:0:0:root:/root:{shell}\n")
    fs.write("/etc/group", "root:x:0:\n")
    for path, name in USERLANDS[spec.userland](spec):
        fs.install(path, name)
    for path, name in spec.binaries:
        fs.install(path, name)
    for path, text in spec.files:
        fs.write(path, text)
    fs.mkdir(spec.working_dir or "/")
    return fs


# -- your own images ----------------------------------------------------------------------------
def register_image(name: str, program: Callable, tags: tuple[str, ...] | list[str] = ("latest",),
                   size_mb: float = 10.0, entrypoint: list[str] | None = None,
                   cmd: list[str] | None = None, env: dict[str, str] | None = None,
                   files: dict[str, str] | None = None, userland: str = "busybox",
                   stop_signal: str = "SIGTERM", working_dir: str = "/",
                   catalogue: ImageCatalogue | None = None) -> ImageSpec:
    """Publish an image of your own to the simulated registries.

    ``program(ctx)`` is a generator function: the process the image runs (see
    ``k8skit.node.runtime.process`` for the :class:`~k8skit.node.runtime.process.Context` it
    receives). It is installed as ``/app`` and is the image's entrypoint unless you give one.
    ``userland`` picks the tools the image carries ("busybox", "gnu" or "none"). Registering the
    same name and tag again replaces the earlier image (re-running a notebook cell is fine).

    Example: a web server that greets with its pod name and logs each request::

        from k8skit.node.network import HttpResponse
        from k8skit.node.runtime import Sleep, register_image

        def greeter(ctx):
            ctx.memory = 5 * 1024 * 1024

            def hello(request):
                ctx.print(f"GET {request.path} from {request.client_ip}")
                return HttpResponse(200, f"Hello from {ctx.hostname}\\n")

            ctx.listen(8080, http=hello)
            ctx.print("greeter listening on 8080")
            while True:
                yield Sleep(3600)

        register_image("example.com/greeter", greeter, tags=["1.0"], size_mb=12)

    Then ``image: example.com/greeter:1.0`` works in any manifest.
    """
    ref = parse_reference(name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest")
    program_name = f"image:{ref.repository}"
    PROGRAMS[program_name] = program
    signum = signal_number(stop_signal)
    if signum is None:
        raise ValueError(f"unknown signal {stop_signal!r}")
    spec = ImageSpec(
        repository=ref.repository, tags=tuple(tags), size_bytes=int(size_mb * 1_000_000),
        version=tags[0] if tags else "latest",
        entrypoint=tuple(entrypoint) if entrypoint is not None else ("/app",),
        cmd=tuple(cmd or ()), env=(("PATH", DEFAULT_PATH), *(env or {}).items()),
        working_dir=working_dir, stop_signal=signum, userland=userland,
        binaries=(("/app", program_name),), files=tuple((files or {}).items()))
    (catalogue or CATALOGUE).add(spec)
    return spec


def root_filesystem(image: Image) -> FileSystem:
    """A fresh writable copy of the image's files for one container."""
    return build_root(image.spec).copy(read_only=False)
