"""The simulated container runtime as a learner meets it: containers that start, print, exit,
get killed, run out of memory, burn CPU and answer exec, on the simulated clock."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8skit.node.runtime import ContainerSpec, FileSystem, register_image
from k8skit.node.runtime.host import ContainerHost
from k8skit.node.runtime.process import LogStream, MiB, Sleep

HEALTHY = "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"


@pytest.fixture
def host() -> ContainerHost:
    return ContainerHost(seed=0)


def lines(container) -> list[str]:
    return [line for _, line in container.logs()]


# -- a container's life --------------------------------------------------------------------------
def test_shell_command_logs_sleeps_and_exits_with_its_code(host):
    box = host.run("busybox", command=["sh", "-c", "echo hello; sleep 5; exit 3"])
    host.advance(4.9)
    assert lines(box) == ["hello"]
    assert box.state == "running" and host.exit_of(box) is None
    host.advance(0.2)
    assert host.exit_of(box) == (3, "Error")
    assert box.state == "exited" and box.finished_at - box.started_at == pytest.approx(5)


def test_exit_zero_is_completed(host):
    box = host.run("busybox", command=["sh", "-c", "echo done"])
    host.advance(1)
    assert host.exit_of(box) == (0, "Completed")


def test_a_bare_busybox_shell_sees_no_input_and_completes(host):
    """``kubectl run b --image=busybox`` completes at once: its CMD ``sh`` reads an empty stdin."""
    box = host.run("busybox")
    host.advance(1)
    assert host.exit_of(box) == (0, "Completed")


def test_stdin_open_keeps_the_shell_waiting(host):
    box = host.run("busybox", stdin=True)
    host.advance(3600)
    assert box.state == "running"


def test_on_exit_comes_from_the_clock_not_from_start(host):
    seen = []
    host.runtime.load_image("busybox")
    sandbox = host.runtime.run_sandbox("u", "p", "default", None, "p")
    box = host.runtime.create_container(sandbox, ContainerSpec("c", "busybox",
                                                               command=["true"]))
    box.start(lambda code, reason: seen.append(code))
    assert seen == [] and box.state == "exited"
    host.advance(0)
    assert seen == [0]


def test_unknown_entrypoint_is_a_start_error(host):
    box = host.run("busybox", command=["foo"])
    host.advance(0)
    assert host.exit_of(box) == (128, "StartError")
    assert box.message.endswith('exec: "foo": executable file not found in $PATH: unknown')
    assert box.message.startswith("failed to create containerd task")


def test_liveness_file_exists_for_30_seconds_then_not(host):
    box = host.run("busybox", args=["/bin/sh", "-c", HEALTHY])
    host.advance(29)
    assert box.exec(["cat", "/tmp/healthy"]).exit_code == 0
    host.advance(2)
    result = box.exec(["cat", "/tmp/healthy"])
    assert result.exit_code == 1
    assert result.stderr == "cat: can't open '/tmp/healthy': No such file or directory\n"


def test_command_and_args_replace_entrypoint_and_cmd_as_docker_does(host):
    nginx = host.run("nginx:1.25", args=["sh", "-c", "echo $0 ran"])
    host.advance(1)
    # args only: the entrypoint script stays and execs the given command.
    assert lines(nginx) == ["sh ran"]
    replaced = host.run("nginx:1.25", command=["echo"], args=["hi", "there"])
    host.advance(1)
    assert lines(replaced) == ["hi there"]


def test_a_restarted_container_starts_from_the_image_again_but_volumes_stay(host):
    volume = FileSystem()
    first = host.run("busybox", command=["sh", "-c", "echo x > /tmp/note; echo y > /data/note"],
                     mounts={"/data": volume})
    host.advance(1)
    second = host.run("busybox", command=["sleep", "60"], mounts={"/data": volume})
    assert first.fs.exists("/tmp/note")
    assert not second.fs.exists("/tmp/note")
    assert second.exec(["cat", "/data/note"]).stdout == "y\n"


def test_read_only_volume_refuses_writes(host):
    config = FileSystem({"/key": "value\n"}, read_only=True)
    box = host.run("busybox", command=["sleep", "60"], mounts={"/etc/config": config})
    assert box.exec(["cat", "/etc/config/key"]).stdout == "value\n"
    result = box.exec(["sh", "-c", "echo x > /etc/config/key"])
    assert result.exit_code == 1
    assert result.stderr == "sh: can't create /etc/config/key: Read-only file system\n"


# -- signals and stopping ------------------------------------------------------------------------
def test_sleeping_shell_ignores_sigterm_and_dies_by_sigkill_after_the_grace_period(host):
    box = host.run("busybox", command=["sh", "-c", "sleep 3600"])
    codes = host.stop(box, grace_seconds=30)
    host.advance(29.9)
    assert codes == [] and box.state == "running"
    host.advance(0.2)
    assert codes == [137]
    assert host.exit_of(box) is None  # killed, not ended by itself


def test_nginx_stops_at_once_with_exit_code_zero(host):
    nginx = host.run("nginx:1.25")
    host.advance(1)
    codes = host.stop(nginx, grace_seconds=30)
    host.advance(0)
    assert codes == [0]
    assert any(line.endswith("[notice] 1#1: signal 3 (SIGQUIT) received, shutting down")
               for line in lines(nginx))
    assert lines(nginx)[-1].endswith("[notice] 1#1: exit")


def test_old_nginx_stops_on_sigterm(host):
    nginx = host.run("nginx:1.16.1")
    host.advance(1)
    codes = host.stop(nginx)
    host.advance(0)
    assert codes == [0]
    assert any("signal 15 (SIGTERM) received, exiting" in line for line in lines(nginx))


def test_shell_trap_runs_after_the_foreground_command(host):
    box = host.run("busybox", command=["sh", "-c", "trap 'echo bye; exit 0' TERM; echo start; "
                                                   "while true; do sleep 10; done"])
    host.advance(1)
    codes = host.stop(box, grace_seconds=30)
    host.advance(8.5)
    assert codes == []  # the trap waits for the running `sleep 10`
    host.advance(1)
    assert codes == [0] and lines(box) == ["start", "bye"]


def test_wait_is_interrupted_by_a_trapped_signal(host):
    box = host.run("busybox", command=["sh", "-c", "trap 'echo caught; exit 4' TERM; "
                                                   "sleep 1000 & wait"])
    host.advance(1)
    codes = host.stop(box)
    host.advance(0.1)
    assert codes == [4] and lines(box) == ["caught"]


def test_kill_with_no_grace_is_sigkill(host):
    nginx = host.run("nginx:1.25")
    codes = host.stop(nginx, grace_seconds=0)
    host.advance(0)
    assert codes == [137] and nginx.reason == "Error"


def test_kill_1_from_exec_stops_nginx_but_not_a_shell(host):
    nginx = host.run("nginx:1.25-alpine")
    shell = host.run("busybox", command=["sh", "-c", "sleep 3600"])
    host.advance(1)
    assert nginx.exec(["kill", "1"]).exit_code == 0
    assert shell.exec(["kill", "-9", "1"]).exit_code == 0
    host.advance(1)
    assert host.exit_of(nginx) == (0, "Completed")
    assert shell.state == "running"  # init cannot be killed from inside its namespace


def test_prestop_style_graceful_quit(host):
    nginx = host.run("nginx:1.25")
    host.advance(1)
    result = nginx.exec(["/bin/sh", "-c", "nginx -s quit; while ps 2>/dev/null | grep -q "
                                          "master; do sleep 1; done; echo gone"])
    assert result.exit_code == 0 and result.stdout == "gone\n"
    assert nginx.state == "exited" and nginx.exit_code == 0


# -- memory and CPU ------------------------------------------------------------------------------
def stress(host, vm_bytes: str, limit_mib: int):
    return host.run("polinux/stress", command=["stress"],
                    args=["--vm", "1", "--vm-bytes", vm_bytes, "--vm-hang", "1"],
                    memory_limit_bytes=limit_mib * MiB)


def test_stress_within_its_limit_uses_what_the_docs_show(host):
    box = stress(host, "150M", 200)
    host.advance(1)
    assert box.usage()[1] == 162856960
    host.advance(60)
    assert box.state == "running"
    assert lines(box) == ["stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd"]


def test_stress_over_its_limit_is_oom_killed(host):
    box = stress(host, "250M", 100)
    host.advance(1)
    assert host.exit_of(box) == (137, "OOMKilled")
    assert box.usage() == (0, 0)


def test_cpu_demand_is_throttled_at_the_limit(host):
    limited = host.run("vish/stress", args=["-cpus", "2"], cpu_limit_millis=1000)
    free = host.run("vish/stress", args=["-cpus", "2"])
    host.advance(5)
    assert limited.usage()[0] == 1000
    assert free.usage()[0] == 2000


def test_a_busy_loop_burns_one_cpu_and_does_not_hang_the_clock(host):
    box = host.run("busybox", command=["sh", "-c", "while true; do echo hi; done"])
    host.advance(30)
    assert host.now == 30
    assert box.usage()[0] == 1000
    assert lines(box)[-1] == "hi"


def test_a_throttled_busy_loop_does_less_work(host):
    script = "i=0; while true; do i=$((i+1)); echo $i > /tmp/n; done"
    fast = host.run("busybox", command=["sh", "-c", script])
    slow = host.run("busybox", command=["sh", "-c", script], cpu_limit_millis=100)
    host.advance(10)
    done_fast = int(fast.exec(["cat", "/tmp/n"]).stdout)
    done_slow = int(slow.exec(["cat", "/tmp/n"]).stdout)
    assert done_slow * 5 < done_fast
    assert slow.usage()[0] == 100


@pytest.mark.parametrize(("script", "first", "last"), [
    # a line at a time, for ever
    ("i=0; while true; do echo $i; i=$((i+1)); done", None, None),
    # one big write (cat of a long file): old lines go from inside it
    ("seq 1 12345 > /tmp/n; cat /tmp/n; echo 12346", "2347", "12346"),
])
def test_logs_keep_the_most_recent_lines(host, script, first, last):
    box = host.run("busybox", command=["sh", "-c", script])
    host.advance(60)
    kept = lines(box)
    assert len(kept) == 10_000
    assert int(kept[-1]) - int(kept[0]) == 9_999
    assert first is None or (kept[0], kept[-1]) == (first, last)


# -- exec -----------------------------------------------------------------------------------------
def test_exec_env_lists_path_hostname_image_and_pod_variables(host):
    nginx = host.run("nginx:1.25", env={"GREETING": "hi"}, name="web")
    env = nginx.exec(["env"]).stdout.splitlines()
    assert env == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "HOSTNAME=web", "NGINX_VERSION=1.25.5", "NJS_VERSION=0.8.4",
                   "PKG_RELEASE=1~bookworm", "GREETING=hi", "HOME=/root"]


def test_exec_of_a_missing_binary(host):
    nginx = host.run("nginx:1.25")
    result = nginx.exec(["ps"])
    assert result.exit_code == 127
    assert result.stderr == ('OCI runtime exec failed: exec failed: unable to start container '
                             'process: exec: "ps": executable file not found in $PATH: unknown')
    assert nginx.exec(["foo"]).exit_code == 127


def test_exec_ls_and_cat_see_the_image_files(host):
    nginx = host.run("nginx:1.25")
    assert nginx.exec(["ls", "/usr/share/nginx/html"]).stdout == "50x.html\nindex.html\n"
    index = nginx.exec(["cat", "/usr/share/nginx/html/index.html"]).stdout
    assert "<title>Welcome to nginx!</title>" in index and len(index) == 615


def test_exec_of_a_shell_less_image_fails(host):
    pause = host.run("registry.k8s.io/pause:3.10")
    assert pause.exec(["sh"]).exit_code == 127


def test_exec_in_a_stopped_container(host):
    box = host.run("busybox", command=["true"])
    host.advance(1)
    result = box.exec(["ls"])
    assert result.exit_code == 126 and "stopped container" in result.stderr


def test_exec_sleeps_count_as_simulated_seconds(host):
    box = host.run("busybox", command=["sleep", "3600"])
    result = box.exec(["sh", "-c", "sleep 2; date +%s"])
    assert result.seconds == 2
    assert int(result.stdout) - int(box.exec(["date", "+%s"]).stdout) == 2


def test_an_endless_exec_is_stopped(host):
    box = host.run("busybox", command=["sleep", "3600"])
    result = box.exec(["sh", "-c", "while true; do :; done"])
    assert result.exit_code == 130 and "still running" in result.stderr


# -- the pod's network namespace -------------------------------------------------------------------
def test_containers_of_a_pod_share_localhost_and_volumes(host):
    html = FileSystem()
    nginx = host.run("nginx:1.25", mounts={"/usr/share/nginx/html": html}, name="two")
    writer = host.run("debian", command=["/bin/sh", "-c",
                                         "echo Hello from the debian container > "
                                         "/pod-data/index.html; sleep 3600"],
                      mounts={"/pod-data": html}, pod=nginx)
    host.advance(1)
    result = writer.exec(["bash", "-c", "exec 3>&1; cat /pod-data/index.html"])
    assert result.stdout == "Hello from the debian container\n"
    assert nginx.exec(["curl", "-s", "localhost"]).stdout == "Hello from the debian container\n"


def test_two_containers_cannot_listen_on_the_same_port_of_a_pod(host):
    first = host.run("nginx:1.25")
    second = host.run("nginx:1.25", pod=first)
    host.advance(3)
    assert host.exit_of(second) == (1, "Error")
    assert "nginx: [emerg] still could not bind()" in lines(second)
    assert first.state == "running"


def test_proc_1_fd_1_writes_to_the_container_log(host):
    box = host.run("busybox", command=["sleep", "3600"])
    box.exec(["sh", "-c", "echo from exec > /proc/1/fd/1"])
    assert lines(box) == ["from exec"]


# -- images of your own ----------------------------------------------------------------------
def test_register_image_runs_a_learners_program(host):
    from k8skit.node.network import HttpResponse

    def greeter(ctx):
        ctx.memory = 5 * MiB

        def hello(request):
            ctx.print(f"GET {request.path} from {request.client_ip}")
            return HttpResponse(200, f"Hello from {ctx.hostname}\n")

        ctx.listen(8080, http=hello)
        ctx.print("greeter listening on 8080")
        while True:
            yield Sleep(3600)

    register_image("example.com/greeter", greeter, tags=["1.0"], size_mb=12)
    box = host.run("example.com/greeter:1.0", name="greet")
    reply = host.network.request(f"http://{box.ip}:8080/x", source_ip="10.244.1.99")
    assert reply.body == "Hello from greet\n"
    assert lines(box) == ["greeter listening on 8080", "GET /x from 10.244.1.99"]
    assert box.usage()[1] == 5 * MiB


def test_log_stream_flushes_a_last_line_without_newline(host):
    box = host.run("busybox", command=["sh", "-c", "echo -n partial"])
    host.advance(1)
    assert lines(box) == ["partial"]
    assert isinstance(box.main_stream(1), LogStream)


# -- any arguments to any tool -----------------------------------------------------------------
TOOL_IMAGES = ("busybox", "debian", "nginx:1.25", "redis", "polinux/stress", "curlimages/curl",
               "registry.k8s.io/e2e-test-images/agnhost:2.40",
               "gcr.io/google-samples/hello-app:1.0")
ARGUMENTS = st.one_of(
    st.sampled_from(["-n", "-c", "-s", "-e", "-f", "-l", "-a", "-r", "-k", "-t", "-d", "-o",
                     "-w", "-m", "-q", "-v", "-i", "-E", "-S", "-L", "-I", "-X", "-H", "-T",
                     "-O", "-", "--", "--help", "-9", "-TERM", "0", "1", "-1", "99", "abc",
                     "/tmp", "/etc/hosts", "/nope", "http://localhost", "localhost", "%s",
                     "%5.2f", "a-z", "[:upper:]", "*", "(", "!", "=", "-eq", "", "6379", "get",
                     "inf", "2m", "+%s", "--vm", "10M", "netexec", "liveness", "-g", "reload",
                     "--http-port=x", "-cpus", "[", "]"]),
    st.text(max_size=6))


def executables(container) -> list[str]:
    root = container.fs.root
    return [path for path in root.walk("/")
            if not root.is_dir(path) and root.file(path).program is not None]


@pytest.fixture(scope="module")
def tool_boxes():
    host = ContainerHost(seed=3)
    boxes = [host.run(image, command=["sleep", "infinity"]) for image in TOOL_IMAGES]
    return [(box, executables(box)) for box in boxes]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.lists(ARGUMENTS, max_size=5), st.text(max_size=12))
def test_any_arguments_to_any_tool_give_an_exit_code(tool_boxes, data, arguments, stdin):
    box, paths = data.draw(st.sampled_from(tool_boxes))
    result = box.exec([data.draw(st.sampled_from(paths)), *arguments], stdin=stdin)
    assert isinstance(result.exit_code, int) and 0 <= result.exit_code <= 255


def test_exec_with_stdin_runs_a_script(host):
    box = host.run("busybox", command=["sleep", "3600"])
    result = box.exec(["sh"], stdin="echo one\nexit 5\n")
    assert (result.exit_code, result.stdout) == (5, "one\n")
    assert box.exec(["wc", "-l"], stdin="a\nb\n").stdout == "2\n"


def test_stopping_a_sandbox_kills_what_still_runs(host):
    first = host.run("busybox", command=["sleep", "3600"])
    second = host.run("nginx:1.25", pod=first)
    first.sandbox.stop()
    host.advance(0)
    assert first.state == second.state == "exited"
    assert not host.network.tcp_connect(second.ip, 80)


def test_power_off_ends_everything_silently(host):
    box = host.run("busybox", command=["sleep", "3600"])
    host.runtime.power_off()
    host.advance(1)
    assert box.state == "exited" and host.exit_of(box) is None
    assert host.network.endpoint(box.ip) is None


def test_a_trap_survives_a_subshell_running_when_the_signal_comes(host):
    box = host.run("busybox", command=["sh", "-c", "trap 'echo bye; exit 0' TERM; "
                                                   "(sleep 5); echo after; sleep 60"])
    host.advance(1)
    codes = host.stop(box)
    host.advance(5)
    assert codes == [0] and lines(box) == ["bye"]
