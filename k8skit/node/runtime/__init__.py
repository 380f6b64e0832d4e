"""The simulated container runtime of a node: containerd, its processes, images and shell.

- ``containerd.py``: :class:`ContainerRuntime` (one per node), :class:`Sandbox`,
  :class:`Container` and the data the kubelet exchanges with them;
- ``process.py``: programs as generators on the simulated clock, signals, memory and CPU;
- ``filesystem.py``: in-memory file systems, a container's root and its volume mounts;
- ``catalogue.py``: image references and the registries' answers; ``images.py``: the images
  the docs use, their files, and :func:`register_image` for images of your own;
- ``shell/``: the busybox/dash/bash shell; ``applets/``: the command-line tools;
  ``programs/``: what the images run (nginx, the tutorials' apps, agnhost, redis, stress).
"""

from k8skit.node.network import HttpRequest, HttpResponse
from k8skit.node.runtime import applets, programs, shell
from k8skit.node.runtime.catalogue import (
    Image,
    ImageCatalogue,
    ImageNotFound,
    ImageSpec,
    InvalidReference,
    normalize_reference,
    parse_reference,
)
from k8skit.node.runtime.containerd import (
    Container,
    ContainerRuntime,
    ContainerSpec,
    ExecResult,
    PullResult,
    Sandbox,
)
from k8skit.node.runtime.filesystem import ContainerFS, FileSystem
from k8skit.node.runtime.images import CATALOGUE, PAUSE_IMAGE, register_image
from k8skit.node.runtime.process import Context, Join, Signal, Sleep, Spin

__all__ = [
    "CATALOGUE", "PAUSE_IMAGE", "Container", "ContainerFS", "ContainerRuntime",
    "ContainerSpec", "Context", "ExecResult", "FileSystem", "HttpRequest", "HttpResponse",
    "Image", "ImageCatalogue", "ImageNotFound", "ImageSpec", "InvalidReference", "Join",
    "PullResult", "Sandbox", "Signal", "Sleep", "Spin", "applets", "normalize_reference",
    "parse_reference", "programs", "register_image", "shell",
]
