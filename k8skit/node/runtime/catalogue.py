"""Images: how references are read and how the simulated registries answer.

A container image reference is read the way docker and containerd read it
(github.com/distribution/reference, ``ParseNormalizedNamed``): ``nginx`` means
``docker.io/library/nginx:latest``, ``user/app`` means ``docker.io/user/app:latest``, a first
component with a dot, a colon or ``localhost`` is a registry host, and ``@sha256:...`` pins a
digest. The :class:`ImageCatalogue` plays the registries: it knows the images the official docs
and tutorials use (``images.py``), with their real tags and approximate sizes; anything else
fails to pull with containerd's own message, which is what ErrImagePull shows on a real node.

Digests are the simulator's (the sha256 of repository and version), not the registries' real
ones; a reference by any well-formed digest of a known repository is accepted and gets that
repository's newest image, since no catalogue can list every digest ever pushed.

The images themselves, their files and :func:`~k8skit.node.runtime.images.register_image`
for images of your own are in ``images.py``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field, replace

from k8skit.node.runtime.process import SIGTERM

DEFAULT_REGISTRY = "docker.io"
# The PATH of docker's default environment (and of most images).
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The old Kubernetes registry is frozen and redirects to its successor.
REGISTRY_ALIASES = {"k8s.gcr.io": "registry.k8s.io", "index.docker.io": "docker.io",
                    "registry-1.docker.io": "docker.io"}
KNOWN_REGISTRIES = {"docker.io", "registry.k8s.io", "gcr.io", "quay.io", "ghcr.io",
                    "mcr.microsoft.com", "public.ecr.aws", "registry.gitlab.com", "localhost"}
KNOWN_REGISTRY_SUFFIXES = (".gcr.io", ".pkg.dev", ".amazonaws.com", ".azurecr.io")
# The node's DNS resolver (systemd-resolved on an Ubuntu host) in Go's "no such host" error.
NODE_RESOLVER = "127.0.0.53:53"

_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_DOMAIN = re.compile(r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)"
                     r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")


class InvalidReference(ValueError):
    """A reference docker cannot read; the message is docker's (``invalid reference
    format``)."""


class ImageNotFound(LookupError):
    """An image the registries do not have; ``str()`` is containerd's pull error."""


@dataclass(frozen=True)
class Reference:
    registry: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def repository(self) -> str:
        return f"{self.registry}/{self.path}"

    def __str__(self) -> str:
        text = self.repository
        if self.tag:
            text += ":" + self.tag
        if self.digest:
            text += "@" + self.digest
        return text


def parse_reference(text: str) -> Reference:
    """Read an image reference as docker does; ``str()`` of the result is the full name."""
    if not isinstance(text, str) or not text or text != text.strip():
        raise InvalidReference("invalid reference format")
    return _parse_reference(text)


@functools.lru_cache(maxsize=1024)
def _parse_reference(text: str) -> Reference:
    # Remembered: the kubelet reads the same few references for every pod.
    name, at, digest = text.partition("@")
    if at and not _DIGEST.fullmatch(digest):
        raise InvalidReference("invalid reference format")
    tag = None
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
        if not _TAG.fullmatch(tag):
            raise InvalidReference("invalid reference format")
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
        if not _DOMAIN.fullmatch(registry):
            raise InvalidReference("invalid reference format")
    else:
        registry, path = DEFAULT_REGISTRY, name
    if registry == DEFAULT_REGISTRY and "/" not in path:
        path = "library/" + path
    components = path.split("/")
    if not all(_COMPONENT.fullmatch(c) for c in components):
        if all(_COMPONENT.fullmatch(c) for c in path.lower().split("/")):
            raise InvalidReference(f"invalid reference format: repository name ({path}) must "
                                   "be lowercase")
        raise InvalidReference("invalid reference format")
    registry = REGISTRY_ALIASES.get(registry, registry)
    return Reference(registry, path, tag or (None if at else "latest"), digest or None)


def normalize_reference(text: str) -> str:
    """``nginx`` -> ``docker.io/library/nginx:latest`` (raises :class:`InvalidReference`)."""
    return str(parse_reference(text))


# -- the images ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImageSpec:
    """One build of an image: everything the runtime needs to run it.

    ``userland`` says which tools the image carries: "busybox" (busybox and alpine based:
    ash and the busybox applets), "gnu" (Debian based: dash, bash and coreutils) or "none"
    (distroless or scratch: no shell at all). ``binaries`` maps extra executables' paths to
    program names (see ``registry.py``); ``files`` adds files to the image's root.
    """

    repository: str
    tags: tuple[str, ...]
    size_bytes: int
    version: str = ""
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    working_dir: str = "/"
    stop_signal: int = SIGTERM
    userland: str = "busybox"
    busybox_version: str = "1.36.1"
    binaries: tuple[tuple[str, str], ...] = ()
    files: tuple[tuple[str, str], ...] = ()
    default_tool: str = ""
    digest_override: str = ""

    @property
    def digest(self) -> str:
        if self.digest_override:
            return self.digest_override
        seed = f"{self.repository}:{self.version or self.tags[0]}".encode()
        return "sha256:" + hashlib.sha256(seed).hexdigest()


@dataclass(frozen=True)
class Image:
    """An image as a node holds it: the build and the reference it was asked for by."""

    spec: ImageSpec
    reference: str
    tag: str | None

    @property
    def repository(self) -> str:
        return self.spec.repository

    @property
    def digest(self) -> str:
        return self.spec.digest

    @property
    def size_bytes(self) -> int:
        return self.spec.size_bytes

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def default_tool(self) -> str:
        return self.spec.default_tool

    @property
    def id(self) -> str:
        """The image ID as the kubelet reports it in ``containerStatuses[].imageID``."""
        return f"{self.repository}@{self.digest}"


@dataclass
class ImageCatalogue:
    """The images the simulated registries serve, by repository."""

    specs: dict[str, list[ImageSpec]] = field(default_factory=dict)

    def add(self, spec: ImageSpec) -> None:
        """Add a build; tags it shares with an existing build move to the new one."""
        builds = self.specs.setdefault(spec.repository, [])
        for index, old in enumerate(builds):
            remaining = tuple(t for t in old.tags if t not in spec.tags)
            if remaining != old.tags:
                builds[index] = _replace_tags(old, remaining)
        builds[:] = [b for b in builds if b.tags]
        builds.append(spec)

    def repositories(self) -> list[str]:
        return sorted(self.specs)

    def tags(self, repository: str) -> list[str]:
        return [t for spec in self.specs.get(repository, []) for t in spec.tags]

    def resolve(self, text: str) -> Image:
        """The image ``text`` names, or :class:`ImageNotFound` with containerd's message."""
        try:
            ref = parse_reference(text)
        except InvalidReference as err:
            raise ImageNotFound(f'rpc error: code = InvalidArgument desc = failed to pull and '
                                f'unpack image "{text}": {err}') from None
        shown = str(ref)
        prefix = f'failed to pull and unpack image "{shown}": failed to resolve reference ' \
                 f'"{shown}": '
        host = ref.registry.split(":")[0]
        builds = self.specs.get(ref.repository)
        known = ref.registry in KNOWN_REGISTRIES or host.endswith(KNOWN_REGISTRY_SUFFIXES) or \
            any(repository.startswith(ref.registry + "/") for repository in self.specs)
        if not known:
            manifest = ref.digest or ref.tag
            raise ImageNotFound(
                f"rpc error: code = Unknown desc = {prefix}failed to do request: Head "
                f'"https://{ref.registry}/v2/{ref.path}/manifests/{manifest}": dial tcp: '
                f"lookup {host} on {NODE_RESOLVER}: no such host")
        if not builds:
            if ref.registry == DEFAULT_REGISTRY:
                raise ImageNotFound(
                    f"rpc error: code = Unknown desc = {prefix}pull access denied, repository "
                    "does not exist or may require authorization: server message: "
                    "insufficient_scope: authorization failed")
            raise ImageNotFound(f"rpc error: code = NotFound desc = {prefix}{shown}: not found")
        if ref.digest:
            spec = next((b for b in builds if b.digest == ref.digest), builds[-1])
            if ref.tag and ref.tag not in spec.tags:
                spec = next((b for b in builds if ref.tag in b.tags), spec)
            return Image(spec, shown, ref.tag)
        spec = next((b for b in builds if ref.tag in b.tags), None)
        if spec is None:
            raise ImageNotFound(f"rpc error: code = NotFound desc = {prefix}{shown}: not found")
        return Image(spec, shown, ref.tag)


def _replace_tags(spec: ImageSpec, tags: tuple[str, ...]) -> ImageSpec:
    return replace(spec, tags=tags)
