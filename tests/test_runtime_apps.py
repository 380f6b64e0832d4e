"""The images the docs and tutorials use behave as they do on a real cluster."""

from __future__ import annotations

import json
import re

import pytest

from k8skit.node.runtime import FileSystem
from k8skit.node.runtime.host import ContainerHost

CLIENT = "10.244.1.200"  # a pod elsewhere on the node, sending requests


@pytest.fixture
def host() -> ContainerHost:
    return ContainerHost(seed=0)


def lines(container) -> list[str]:
    return [line for _, line in container.logs()]


def get(host, container, path="/", port=80, source=CLIENT):
    return host.network.request(f"http://{container.ip}:{port}{path}", source_ip=source)


# -- nginx ---------------------------------------------------------------------------------------
def test_nginx_start_up_log(host):
    nginx = host.run("nginx:1.25")
    log = lines(nginx)
    assert log[0] == ("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt "
                      "to perform configuration")
    assert log[8] == "/docker-entrypoint.sh: Configuration complete; ready for start up"
    assert log[9] == '2026/01/01 00:00:00 [notice] 1#1: using the "epoll" event method'
    assert log[10] == "2026/01/01 00:00:00 [notice] 1#1: nginx/1.25.5"
    workers = [line for line in log if "start worker process " in line]
    assert len(workers) == host.runtime.cpus


def test_nginx_serves_its_welcome_page_and_logs_the_access(host):
    nginx = host.run("nginx:1.25")
    host.advance(5)
    response = get(host, nginx)
    assert response.status == 200 and len(response.body.encode()) == 615
    assert response.headers["Server"] == "nginx/1.25.5"
    assert response.served_by == nginx.sandbox.pod_name
    assert lines(nginx)[-1] == (f'{CLIENT} - - [01/Jan/2026:00:00:05 +0000] "GET / HTTP/1.1" '
                                '200 615 "-" "curl/8.5.0" "-"')


def test_probes_come_from_the_node_bridge_address(host):
    nginx = host.run("nginx:1.25")
    response = nginx.http(80, "GET", "/", {"User-Agent": "kube-probe/1.33"})
    assert response.status == 200
    assert lines(nginx)[-1].startswith('10.244.1.1 - - [01/Jan/2026:00:00:00 +0000] "GET / ')
    assert lines(nginx)[-1].endswith('"kube-probe/1.33" "-"')
    assert nginx.http(8080, "GET", "/", {}) is None


def test_nginx_answers_404_for_a_missing_file(host):
    nginx = host.run("nginx:1.25")
    response = get(host, nginx, "/missing.html")
    assert response.status == 404
    assert response.body == ("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
                             "<center><h1>404 Not Found</h1></center>\r\n"
                             "<hr><center>nginx/1.25.5</center>\r\n</body>\r\n</html>\r\n")
    error = lines(nginx)[-2]
    assert 'open() "/usr/share/nginx/html/missing.html" failed (2: No such file or directory)' \
        in error and "[error]" in error


def test_old_nginx_has_the_old_welcome_page(host):
    nginx = host.run("nginx:1.14.2")
    assert len(get(host, nginx).body.encode()) == 612
    assert lines(nginx)[0].endswith("nginx/1.14.2") is False  # no entrypoint script lines
    assert not any(line.startswith("/docker-entrypoint.sh") for line in lines(nginx))


def test_nginx_serves_a_configmap_configuration(host):
    conf = FileSystem({"/default.conf": "server {\n listen 8080;\n location / {\n"
                                        "  return 200 'configured';\n }\n}\n"}, read_only=True)
    nginx = host.run("nginx:1.25", mounts={"/etc/nginx/conf.d": conf})
    assert any("can not modify /etc/nginx/conf.d/default.conf (read-only file system?)" in line
               for line in lines(nginx))
    assert get(host, nginx, port=8080).body == "configured"
    assert get(host, nginx, port=80).error.startswith("curl: (7) Failed to connect")


def test_nginx_without_daemon_off_exits_at_once(host):
    nginx = host.run("nginx:1.25", command=["nginx"])
    host.advance(1)
    assert host.exit_of(nginx) == (0, "Completed")


def test_nginx_reload_picks_up_a_new_port(host):
    nginx = host.run("nginx:1.25")
    nginx.exec(["sh", "-c", "sed_free=1; echo 'server { listen 81; root /usr/share/nginx/html; }'"
                            " > /etc/nginx/conf.d/default.conf"])
    result = nginx.exec(["nginx", "-s", "reload"])
    assert result.exit_code == 0 and "signal process started" in result.stderr
    assert get(host, nginx, port=81).status == 200
    assert get(host, nginx, port=80).error is not None


# -- the tutorials' applications ------------------------------------------------------------------
def test_bootcamp_answers_with_its_pod_name_and_logs(host):
    app = host.run("gcr.io/google-samples/kubernetes-bootcamp:v1", name="kubernetes-bootcamp-1")
    assert lines(app) == ["Kubernetes Bootcamp App Started At: 2026-01-01T00:00:00.000Z | "
                          "Running On:  kubernetes-bootcamp-1 ", ""]
    host.advance(12.5)
    reply = app.exec(["curl", "-s", "http://localhost:8080"])
    assert reply.stdout == "Hello Kubernetes bootcamp! | Running on: kubernetes-bootcamp-1 | v=1\n"
    assert lines(app)[-1] == ("Running On: kubernetes-bootcamp-1 | Total Requests: 1 | App "
                              "Uptime: 12.5 seconds | Log Time: 2026-01-01T00:00:12.500Z")


def test_bootcamp_v2_and_its_slow_stop(host):
    app = host.run("jocatalin/kubernetes-bootcamp:v2", name="bc")
    assert get(host, app, port=8080).body.endswith("| v=2\n")
    codes = host.stop(app, grace_seconds=30)
    host.advance(29)
    assert codes == []  # node is not PID 1 and nobody handles SIGTERM
    host.advance(2)
    assert codes == [137]


def test_curl_prints_a_progress_meter_on_stderr(host):
    app = host.run("gcr.io/google-samples/kubernetes-bootcamp:v1")
    result = app.exec(["curl", "http://localhost:8080"])
    assert result.stdout.startswith("Hello Kubernetes bootcamp!")
    assert result.stderr.splitlines()[0].startswith("  % Total    % Received")


def test_hello_app(host):
    app = host.run("gcr.io/google-samples/hello-app:2.0", name="hello")
    reply = get(host, app, port=8080)
    assert reply.body == "Hello, world!\nVersion: 2.0.0\nHostname: hello\n"
    assert re.fullmatch(r"2026/01/01 00:00:00 Serving request: /", lines(app)[-1])
    assert lines(app)[0] == "2026/01/01 00:00:00 Server listening on port 8080"


def test_agnhost_liveness_turns_unhealthy_after_ten_seconds(host):
    app = host.run("registry.k8s.io/e2e-test-images/agnhost:2.40", args=["liveness"])
    host.advance(10)
    healthy = app.http(8080, "GET", "/healthz", {})
    assert (healthy.status, healthy.body) == (200, "ok")
    host.advance(0.5)
    sick = app.http(8080, "GET", "/healthz", {})
    assert (sick.status, sick.body) == (500, "error: 10.5")


def test_agnhost_netexec_endpoints(host):
    app = host.run("registry.k8s.io/e2e-test-images/agnhost:2.39",
                   command=["/agnhost", "netexec", "--http-port=8080"], name="hello-node")
    assert lines(app) == [
        "I0101 00:00:00.000000       1 log.go:195] Started HTTP server on port 8080",
        "I0101 00:00:00.000000       1 log.go:195] Started UDP server on port  8081"]
    assert get(host, app, "/hostname", 8080).body == "hello-node"
    assert get(host, app, "/echo?msg=hi", 8080).body == "hi"
    shell = json.loads(get(host, app, "/shell?cmd=echo%20hi", 8080).body)
    assert shell == {"output": "hi\n"}
    assert any(line.endswith("] GET /shell?cmd=echo hi") for line in lines(app))
    get(host, app, "/exit?code=3", 8080)
    host.advance(0)
    assert host.exit_of(app) == (3, "Error")


def test_agnhost_without_a_subcommand_prints_help_and_completes(host):
    app = host.run("registry.k8s.io/e2e-test-images/agnhost:2.40")
    host.advance(1)
    assert host.exit_of(app) == (0, "Completed") and lines(app)[0] == "Usage:"


def test_redis_answers_ping_and_keeps_data_on_a_volume(host):
    data = FileSystem()
    redis = host.run("redis", mounts={"/data": data})
    assert lines(redis)[-1].endswith("* Ready to accept connections tcp")
    assert host.network.tcp_connect(redis.ip, 6379)
    assert redis.exec(["redis-cli", "ping"]).stdout == "PONG\n"
    assert redis.exec(["redis-cli", "set", "visits", "41"]).stdout == "OK\n"
    assert redis.exec(["redis-cli", "incr", "visits"]).stdout == "42\n"
    codes = host.stop(redis)
    host.advance(0)
    assert codes == [0] and lines(redis)[-1].endswith("Redis is now ready to exit, bye bye...")
    again = host.run("redis", mounts={"/data": data})
    assert again.exec(["redis-cli", "get", "visits"]).stdout == "42\n"


def test_curl_to_redis_is_not_http(host):
    redis = host.run("redis:7.2")
    box = host.run("busybox", command=["sleep", "60"])
    result = box.exec(["wget", "-q", "-O-", f"http://{redis.ip}:6379"])
    assert result.exit_code == 1
    reply = get(host, redis, port=6379)
    assert reply.error == "curl: (1) Received HTTP/0.9 when not allowed"


def test_control_plane_images_run_idle_and_stop_cleanly(host):
    coredns = host.run("registry.k8s.io/coredns/coredns:v1.12.0")
    apiserver = host.run("registry.k8s.io/kube-apiserver:v1.33.1")
    assert "CoreDNS-1.12.0" in lines(coredns)
    assert lines(apiserver)[0].endswith("] Version: v1.33.1")
    assert apiserver.usage()[1] > 100 * 1024 * 1024
    codes = host.stop(apiserver)
    host.advance(0)
    assert codes == [0]


def test_the_pause_container(host):
    pause = host.run("registry.k8s.io/pause:3.10")
    codes = host.stop(pause)
    host.advance(0)
    assert codes == [0] and lines(pause) == ["Shutting down, got signal: Terminated"]
