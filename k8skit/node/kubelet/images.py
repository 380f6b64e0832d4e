"""Making sure a container's image is on the node before it starts: pull policy, serialized pulls,
back-off, and the events ``kubectl describe pod`` lists for all of it.

- ``imagePullPolicy: IfNotPresent`` pulls only a missing image (``Container image "nginx:1.25"
  already present on machine``); ``Always`` pulls every time a container starts; ``Never``
  fails with ErrImageNeverPull when the image is missing. The API server defaults the policy to
  Always for ``:latest`` or an untagged image and to IfNotPresent otherwise.
- The kubelet pulls one image at a time (``serializeImagePulls: true``, the default), so a pull
  may wait for another: the Pulled event gives both times, ``in 3.4s (5.1s including waiting)``.
- A reference docker cannot read (``NGINX``, ``nginx::1``) is InvalidImageName at once.
- A failed pull is reported as ErrImagePull; later attempts back off (10 s doubling to 300 s)
  and meanwhile the container waits with ImagePullBackOff, whose message repeats the last error.

Sources: ``pkg/kubelet/images/image_manager.go`` (``EnsureImageExists``, ``evalCRIPullErr``),
``pkg/kubelet/images/puller.go`` (the serial puller), ``pkg/apis/core/v1/defaults.go``
(``SetDefaults_Container``) and ``docs/concepts/containers/images.md``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from k8skit.api.events import EventRecorder
from k8skit.clock import Clock
from k8skit.node.kubelet import events
from k8skit.node.kubelet.backoff import Backoff
from k8skit.node.runtime import InvalidReference, normalize_reference

# The waiting reasons of a container whose image is not there (pkg/kubelet/images/types.go).
ERR_IMAGE_PULL = "ErrImagePull"
IMAGE_PULL_BACK_OFF = "ImagePullBackOff"
ERR_IMAGE_NEVER_PULL = "ErrImageNeverPull"
INVALID_IMAGE_NAME = "InvalidImageName"


@dataclass(frozen=True)
class ImageResult:
    """What EnsureImageExists answers: the image is there, or why it is not."""

    ok: bool
    reason: str = ""
    message: str = ""


def default_pull_policy(image: str) -> str:
    """Always for ``:latest`` or no tag, IfNotPresent for any other tag or a digest."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def go_duration(seconds: float) -> str:
    """A duration as Go's ``time.Duration.String`` prints it: ``830ms``, ``3.4s``, ``1m5.2s``."""
    nanos = round(seconds * 1e9)
    if nanos == 0:
        return "0s"
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return _trim(nanos / size) + unit
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = _trim(rest / 1e9) + "s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    return f"{minutes}m{text}" if minutes else text


def _trim(number: float) -> str:
    return f"{number:.9f}".rstrip("0").rstrip(".")


class ImageManager:
    """EnsureImageExists for one node, with a serial puller and a per-image back-off."""

    def __init__(self, runtime, clock: Clock, recorder: EventRecorder,
                 on_pulled: Callable[[], None]) -> None:
        self.runtime = runtime
        self.on_pulled = on_pulled
        self.clock = clock
        self.recorder = recorder
        self.backoff = Backoff()
        self._last_error: dict[str, str] = {}
        self._queue: deque[tuple[str, Callable]] = deque()
        self._pulling = False
        self._stopped = False

    def ensure_image_exists(self, pod: dict, container: dict,
                            done: Callable[[ImageResult], None]) -> None:
        """Check or pull ``container``'s image for ``pod`` and call ``done`` with the result."""
        image = container["image"]
        try:
            normalize_reference(image)
        except InvalidReference as err:
            message = (f'Failed to apply default image tag "{image}": couldn\'t parse image '
                       f'name "{image}": {err}')
            self.recorder.event(pod, "Warning", events.FAILED_TO_INSPECT_IMAGE, message)
            done(ImageResult(False, INVALID_IMAGE_NAME, message))
            return
        policy = container.get("imagePullPolicy") or default_pull_policy(image)
        present = self.runtime.has_image(image)
        if policy == "Never" or (policy == "IfNotPresent" and present):
            if present:
                self.recorder.event(pod, "Normal", events.PULLED_IMAGE,
                                    f'Container image "{image}" already present on machine')
                done(ImageResult(True))
            else:
                message = f'Container image "{image}" is not present with pull policy of Never'
                self.recorder.event(pod, "Warning", events.ERR_IMAGE_NEVER_PULL_POLICY, message)
                done(ImageResult(False, ERR_IMAGE_NEVER_PULL, message))
            return
        key = f"{pod['metadata']['uid']}_{image}"
        now = self.clock.now
        if self.backoff.is_in_backoff_since_update(key, now):
            message = f'Back-off pulling image "{image}"'
            self.recorder.event(pod, "Normal", events.BACK_OFF_PULL_IMAGE, message)
            if key in self._last_error:
                message = f"{message}: {self._last_error[key]}"
            done(ImageResult(False, IMAGE_PULL_BACK_OFF, message))
            return
        self._last_error.pop(key, None)
        self.recorder.event(pod, "Normal", events.PULLING_IMAGE, f'Pulling image "{image}"')

        def pulled(result) -> None:
            waited = self.clock.now - now
            if not result.ok:
                self.recorder.event(pod, "Warning", events.FAILED_TO_PULL_IMAGE,
                                    f'Failed to pull image "{image}": {result.error_message}')
                self.backoff.next(key, self.clock.now)
                self._last_error[key] = f"{ERR_IMAGE_PULL}: {result.error_message}"
                done(ImageResult(False, ERR_IMAGE_PULL, result.error_message))
                return
            self.recorder.event(
                pod, "Normal", events.PULLED_IMAGE,
                f'Successfully pulled image "{image}" in {go_duration(_millis(result.seconds))} '
                f"({go_duration(_millis(waited))} including waiting). "
                f"Image size: {result.size_bytes} bytes.")
            self.on_pulled()
            done(ImageResult(True))

        self._queue.append((image, pulled))
        self._pull_next()

    def _pull_next(self) -> None:
        """Start the next queued pull when none is running (the serial image puller)."""
        if self._pulling or not self._queue:
            return
        image, callback = self._queue.popleft()
        self._pulling = True

        def finished(result) -> None:
            if self._stopped:
                return
            self._pulling = False
            callback(result)
            self._pull_next()

        self.runtime.pull_image(image, finished)

    def stop(self) -> None:
        """The machine lost power: queued and running pulls die with this kubelet."""
        self._stopped = True
        self._queue.clear()


def _millis(seconds: float) -> float:
    """Truncate to whole milliseconds, as the kubelet does before printing a pull time."""
    return int(seconds * 1000) / 1000
