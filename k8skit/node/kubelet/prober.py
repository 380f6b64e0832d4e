"""Startup, liveness and readiness probes, run by the kubelet on their own clocks.

Each probe of each container has a worker that wakes every ``periodSeconds`` (10 by default)
from the moment the kubelet admits the pod. A probe does nothing while its container is not
running, during ``initialDelaySeconds`` after the container started, and (liveness, readiness)
until the startup probe, if any, has succeeded. A result only counts once it repeats:
``failureThreshold`` (3) failures in a row make the probe fail, ``successThreshold`` (1)
successes make it pass. Every failed attempt is an ``Unhealthy`` event.

- **startup** failing: the container is killed and restarted; passing: the others start.
- **liveness** failing: ``Container web failed liveness probe, will be restarted``.
- **readiness** failing: the container is not ready, the pod leaves its Services' endpoints;
  nothing is restarted. Before its first success a container is not ready.

The checks (``pkg/probe``): ``exec`` succeeds on exit code 0 and reports the command's output;
``httpGet`` succeeds on a status from 200 to 399 (``HTTP probe failed with statuscode: 500``);
``tcpSocket`` succeeds when a connection opens (``dial tcp 10.244.1.5:80: connect: connection
refused``). ``grpc`` is checked as a TCP connection here: the simulated images do not implement
the gRPC health service. ``timeoutSeconds`` (1 by default) bounds an exec probe's command
(``command "sleep 5" timed out``); network checks answer at once in the simulator.

Sources: ``pkg/kubelet/prober/worker.go`` (``doProbe``), ``prober.go`` (events and messages),
``docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from k8skit.clock import Clock, Timer

SUCCESS = "Success"
FAILURE = "Failure"
UNKNOWN = "Unknown"

LIVENESS = "liveness"
READINESS = "readiness"
STARTUP = "startup"
PROBE_FIELDS = {STARTUP: "startupProbe", LIVENESS: "livenessProbe", READINESS: "readinessProbe"}

# The kubelet's HTTP probes say who they are (pkg/probe/http/request.go): nginx logs it.
PROBE_USER_AGENT = "kube-probe/1.33"

# What a probe reports before it has run for a container (worker.go: initialValue).
_INITIAL_RESULT = {LIVENESS: SUCCESS, READINESS: FAILURE, STARTUP: UNKNOWN}


def check(probe: dict, container, container_spec: dict, pod_ip: str, network) -> tuple[bool, str]:
    """Run one probe (or lifecycle hook) against a running container: (passed, output)."""
    if "exec" in probe:
        command = [str(part) for part in probe["exec"].get("command") or []]
        result = container.exec(command)
        if result.seconds > int(probe.get("timeoutSeconds") or 1):
            return False, f'command "{" ".join(command)}" timed out'
        output = (result.stdout or "") + (result.stderr or "")
        return result.exit_code == 0, output.rstrip("\n")
    if "httpGet" in probe:
        action = probe["httpGet"]
        host = action.get("host") or pod_ip
        port = resolve_port(action.get("port"), container_spec)
        path = action.get("path") or "/"
        url = f"{(action.get('scheme') or 'HTTP').lower()}://{host}:{port}{path}"
        headers = {h["name"]: h["value"] for h in action.get("httpHeaders") or []}
        response = network.request(url, headers={"User-Agent": PROBE_USER_AGENT, **headers})
        if response.error:
            if response.failure == "timeout":
                return False, (f'Get "{url}": context deadline exceeded '
                               f"(Client.Timeout exceeded while awaiting headers)")
            if response.failure == "protocol":
                return False, f'Get "{url}": EOF'
            return False, f'Get "{url}": {_dial_error(host, port, response.failure)}'
        if 200 <= response.status < 400:
            return True, ""
        return False, f"HTTP probe failed with statuscode: {response.status}"
    action = probe.get("tcpSocket") or probe.get("grpc") or {}
    host = action.get("host") or pod_ip
    port = resolve_port(action.get("port"), container_spec)
    connection = network.connect(host, port)
    if connection.endpoint is not None:
        return True, ""
    return False, _dial_error(host, port, connection.failure)


def _dial_error(host: str, port: int, failure: str | None) -> str:
    """Go's net.Dial error for a connection that did not open."""
    if failure == "timeout":
        return f"dial tcp {host}:{port}: i/o timeout"
    if failure == "no-route":
        return f"dial tcp {host}:{port}: connect: no route to host"
    if failure == "resolve":
        return f"dial tcp: lookup {host}: no such host"
    return f"dial tcp {host}:{port}: connect: connection refused"


def resolve_port(port, container_spec: dict) -> int:
    """A probe's port: a number, or the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    for declared in container_spec.get("ports") or []:
        if declared.get("name") == port:
            return int(declared["containerPort"])
    return int(port) if str(port).isdigit() else 0


class ProbeWorker:
    """The periodic worker of one probe of one container (prober/worker.go).

    ``probe_target(name)`` gives the container's current attempt (an object with ``run_id``,
    ``running``, ``started_at``) or None; ``started(name)`` tells whether its startup probe
    passed; ``run_check(probe)`` runs the check; ``publish(worker)`` is told each time the
    probe's verdict changes; ``unhealthy(kind, output)`` records a failed attempt.
    """

    def __init__(self, clock: Clock, container_spec: dict, kind: str,
                 probe_target: Callable, started: Callable[[str], bool],
                 run_check: Callable[[dict], tuple[bool, str]], publish: Callable,
                 unhealthy: Callable[[str, str], None]) -> None:
        self.clock = clock
        self.container_name = container_spec["name"]
        self.kind = kind
        self.spec = container_spec[PROBE_FIELDS[kind]]
        self.period = max(int(self.spec.get("periodSeconds") or 10), 1)
        self.initial_delay = int(self.spec.get("initialDelaySeconds") or 0)
        self.success_threshold = int(self.spec.get("successThreshold") or 1)
        self.failure_threshold = int(self.spec.get("failureThreshold") or 3)
        self._target = probe_target
        self._started = started
        self._run_check = run_check
        self._publish = publish
        self._unhealthy = unhealthy
        self.result = _INITIAL_RESULT[kind]
        self._run_id: str | None = None
        self._last_result = UNKNOWN
        self._result_run = 0
        self._on_hold = False
        self._timer: Timer | None = None

    def start(self) -> None:
        """Probe now, then every period (the worker's ticker)."""
        self._timer = self.clock.call_soon(self._tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def trigger(self) -> None:
        """Probe at once, outside the ticker (the readiness manual trigger)."""
        self.clock.call_soon(self._probe)

    def _tick(self) -> None:
        self._timer = self.clock.call_later(self.period, self._tick)
        self._probe()

    def _probe(self) -> None:
        if self._timer is None:
            return
        attempt = self._target(self.container_name)
        if attempt is None:
            return
        if attempt.run_id != self._run_id:
            # A new container: start over from the initial verdict.
            self._run_id = attempt.run_id
            self._last_result, self._result_run, self._on_hold = UNKNOWN, 0, False
            self._set(_INITIAL_RESULT[self.kind])
        if self._on_hold:
            return
        if not attempt.running:
            if self.kind == READINESS:
                self._set(FAILURE)
            return
        started = self._started(self.container_name)
        if (self.kind == STARTUP) == started:
            # The startup probe stops once it passed; the others wait for it.
            return
        if self.clock.now - attempt.started_at < self.initial_delay:
            return
        passed, output = self._run_check(self.spec)
        result = SUCCESS if passed else FAILURE
        if not passed:
            self._unhealthy(self.kind, output)
        if result == self._last_result:
            self._result_run += 1
        else:
            self._last_result, self._result_run = result, 1
        if (result == FAILURE and self._result_run < self.failure_threshold) or (
                result == SUCCESS and self._result_run < self.success_threshold):
            return
        self._set(result)
        if self.kind in (LIVENESS, STARTUP) and result == FAILURE:
            # The container will be restarted: hold until a new container shows up.
            self._on_hold = True
            self._result_run = 0

    def _set(self, result: str) -> None:
        if result != self.result:
            self.result = result
            self._publish(self)
