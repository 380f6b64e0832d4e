"""Pod volumes as the kubelet mounts them, and the disks that outlive pods.

A pod lists its ``volumes``; each container mounts some of them with ``volumeMounts``
(``mountPath``, ``readOnly``, ``subPath``). The kubelet sets every volume up before the pod's
containers start, and a container whose pod cannot get its volumes stays in ContainerCreating
with a ``FailedMount`` event. The kinds, from ``docs/concepts/storage/volumes.md``:

- ``emptyDir``: an empty directory created with the pod and deleted with it; every container of
  the pod sees the same files, and they survive container restarts and node reboots.
  ``medium: Memory`` puts it in RAM (tmpfs), where it counts toward the pod's memory and does
  not survive a reboot.
- ``configMap`` / ``secret``: one file per key (or the chosen ``items``), read-only; a Secret's
  values are written decoded. A missing object or key fails the mount unless ``optional``. When
  the object changes, the kubelet updates the files within about a minute (except for
  ``subPath`` mounts, which never see updates).
- ``hostPath``: a directory of the node's own file system (:class:`HostFiles`), so it stays on
  that node.
- ``persistentVolumeClaim``: the PersistentVolume the claim is bound to (``spec.volumeName``),
  a disk from the :class:`DiskStore` that survives the pod and follows it to any node.
- ``downwardAPI`` and ``projected`` (configMap, secret, downwardAPI and serviceAccountToken
  sources together).

Every pod also gets its ServiceAccount's credentials at
``/var/run/secrets/kubernetes.io/serviceaccount`` (``token``, ``ca.crt``, ``namespace``) unless
``automountServiceAccountToken: false``: upstream the ServiceAccount admission plugin adds a
projected ``kube-api-access-*`` volume for it; when a pod does not have one, the kubelet here
mounts the same files itself.

Sources: ``pkg/volume/emptydir``, ``pkg/volume/configmap``, ``pkg/volume/secret``,
``pkg/volume/hostpath``, ``pkg/volume/projected``, ``pkg/kubelet/volumemanager`` (the errors),
``pkg/kubelet/kubelet_pods.go`` (``makeMounts``, subPath).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k8skit.node.kubelet.environment import (
    ContainerConfigError,
    decoded_secret_data,
    field_value,
    resource_value,
)
from k8skit.node.runtime.filesystem import FileSystem

if TYPE_CHECKING:
    from k8skit.api.server import APIServer

SERVICE_ACCOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
# The name this simulator gives the implicit credentials volume (upstream: kube-api-access-xxxxx).
SERVICE_ACCOUNT_VOLUME = "kube-api-access"
# The ConfigMap the root CA publisher puts in every namespace.
ROOT_CA_CONFIG_MAP = "kube-root-ca.crt"
# Token lifetime the admission plugin asks for (3607 s: one hour plus the 7 s kubectl shows).
TOKEN_EXPIRATION_SECONDS = 3607
# Default file mode of configMap, secret, downwardAPI and projected files (0644).
DEFAULT_MODE = 0o644


class VolumeError(Exception):
    """A volume that cannot be set up; the message is the FailedMount event's."""


@dataclass
class Volume:
    """A volume set up for one pod: its files, and where they came from."""

    name: str
    files: FileSystem
    source: dict = field(default_factory=dict)
    memory_backed: bool = False


class DiskStore:
    """The cluster's persistent disks, by PersistentVolume name.

    A cloud's block storage or an NFS server: a disk exists independently of any node or pod,
    so a pod that moves to another node finds its data again. Disks appear when first mounted
    (a dynamically provisioned volume starts empty) and go when the PersistentVolume is
    deleted with reclaim policy Delete.
    """

    def __init__(self) -> None:
        self._disks: dict[str, FileSystem] = {}

    def disk(self, volume_name: str) -> FileSystem:
        """The disk behind PersistentVolume ``volume_name`` (created empty the first time)."""
        if volume_name not in self._disks:
            self._disks[volume_name] = FileSystem()
        return self._disks[volume_name]

    def delete(self, volume_name: str) -> None:
        """Destroy the disk and its data (reclaim policy Delete)."""
        self._disks.pop(volume_name, None)

    def __contains__(self, volume_name: str) -> bool:
        return volume_name in self._disks


class HostFiles(FileSystem):
    """A node's own file system, which ``hostPath`` volumes reach into."""


def mount_pod_volumes(api: APIServer, pod: dict, host_files: HostFiles, disks: DiskStore,
                      host_ip: str, allocatable: dict,
                      previous: dict[str, Volume] | None = None) -> dict[str, Volume]:
    """Set up every volume of ``pod``; raises VolumeError with the FailedMount message.

    ``previous`` are the volumes a kubelet set up for this pod before the machine rebooted:
    an emptyDir lives in the pod's directory on the node's disk, so it keeps its files.
    """
    mounted: dict[str, Volume] = {}
    for spec in pod["spec"].get("volumes") or []:
        kept = (previous or {}).get(spec["name"])
        if kept is not None and "emptyDir" in kept.source and "emptyDir" in spec:
            mounted[spec["name"]] = kept
            continue
        mounted[spec["name"]] = _set_up(api, pod, spec, host_files, disks, host_ip,
                                        allocatable)
    if _wants_service_account_files(api, pod):
        files = FileSystem(_service_account_files(api, pod), read_only=True)
        mounted[SERVICE_ACCOUNT_VOLUME] = Volume(SERVICE_ACCOUNT_VOLUME, files,
                                                 {"serviceAccountToken": {}})
    return mounted


def power_loss(mounted: dict[str, Volume]) -> None:
    """The machine lost power: what a memory-backed emptyDir held is gone."""
    for volume in mounted.values():
        if volume.memory_backed:
            volume.files.root.entries.clear()


def unmount_pod_volumes(mounted: dict[str, Volume]) -> None:
    """Tear down a pod's volumes: an emptyDir's files are gone; disks keep theirs."""
    for volume in mounted.values():
        if "emptyDir" in volume.source:
            volume.files.root.entries.clear()


def refresh_volume(api: APIServer, pod: dict, volume: Volume, host_ip: str,
                   allocatable: dict) -> None:
    """Rewrite a configMap/secret/projected volume from the objects' current data.

    New files replace the old ones in the same tree, so every container sees them; a subPath
    mount holds on to the old file and keeps the old content, as upstream.
    """
    try:
        files = _projected_files(api, pod, volume.source, host_ip, allocatable, volume.name)
    except VolumeError:
        return
    tree = volume.files
    tree.read_only = False
    tree.root.entries.clear()
    for path, (data, mode) in files.items():
        tree.write(path, data, mode=mode)
    tree.read_only = True


def references(volume: Volume, kind: str, name: str) -> bool:
    """Whether ``volume`` shows the ConfigMap or Secret ``name`` (``kind``)."""
    sources = (volume.source.get("projected") or {}).get("sources") or [volume.source]
    for source in sources:
        if kind == "ConfigMap":
            found = (source.get("configMap") or {}).get("name")
        else:
            ref = source.get("secret") or {}
            found = ref.get("secretName", ref.get("name"))
        if found == name:
            return True
    return False


def container_mounts(container: dict, mounted: dict[str, Volume]) -> dict[str, FileSystem]:
    """What ``container`` sees where: mount path -> file tree, honouring readOnly and subPath."""
    mounts: dict[str, FileSystem] = {}
    for mount in container.get("volumeMounts") or []:
        volume = mounted.get(mount["name"])
        if volume is None:
            raise VolumeError(f'cannot find volume "{mount["name"]}" to mount into container '
                              f'"{container["name"]}"')
        sub_path = mount.get("subPath") or ""
        if sub_path.startswith("/"):
            raise VolumeError(f"error SubPath `{sub_path}` must not be an absolute path")
        if ".." in sub_path.split("/"):
            raise VolumeError(f"unable to provision SubPath `{sub_path}`: must not contain '..'")
        if sub_path:
            view = volume.files.subtree("/" + sub_path)
        else:
            view = FileSystem(root=volume.files.root)
        view.read_only = volume.files.read_only or bool(mount.get("readOnly"))
        mounts[mount["mountPath"]] = view
    service_account = mounted.get(SERVICE_ACCOUNT_VOLUME)
    if service_account is not None and SERVICE_ACCOUNT_PATH not in mounts:
        mounts[SERVICE_ACCOUNT_PATH] = FileSystem(root=service_account.files.root,
                                                  read_only=True)
    return mounts


def memory_backed_bytes(mounted: dict[str, Volume]) -> int:
    """Bytes stored in a pod's memory-backed emptyDirs (they count as the pod's memory)."""
    total = 0
    for volume in mounted.values():
        if volume.memory_backed:
            tree = volume.files
            total += sum(tree.stat(path).size for path in tree.walk()
                         if not tree.is_dir(path))
    return total


# -- one volume ------------------------------------------------------------------------------
def _set_up(api: APIServer, pod: dict, spec: dict, host_files: HostFiles, disks: DiskStore,
            host_ip: str, allocatable: dict) -> Volume:
    name = spec["name"]
    if "emptyDir" in spec:
        memory = (spec["emptyDir"] or {}).get("medium") == "Memory"
        return Volume(name, FileSystem(), spec, memory_backed=memory)
    if "hostPath" in spec:
        return Volume(name, _host_path(name, spec["hostPath"], host_files), spec)
    if "persistentVolumeClaim" in spec:
        return Volume(name, _claim(api, pod, name, spec["persistentVolumeClaim"], disks), spec)
    if any(kind in spec for kind in ("configMap", "secret", "downwardAPI", "projected")):
        files = _projected_files(api, pod, spec, host_ip, allocatable, name)
        tree = FileSystem()
        for path, (data, mode) in files.items():
            tree.write(path, data, mode=mode)
        tree.read_only = True
        return Volume(name, tree, spec)
    kinds = [key for key in spec if key != "name"]
    raise VolumeError(f'MountVolume.SetUp failed for volume "{name}" : the simulator has no '
                      f'volume plugin for "{kinds[0] if kinds else "unknown"}"')


def _host_path(name: str, source: dict, host_files: HostFiles) -> FileSystem:
    """A directory (or file) of the node, checked against ``type`` as upstream."""
    path = source.get("path") or "/"
    kind = source.get("type") or ""
    if not host_files.exists(path):
        if kind == "FileOrCreate":
            host_files.write(path, "")
        elif kind in ("", "DirectoryOrCreate"):
            host_files.mkdir(path)
        else:
            raise VolumeError(f'MountVolume.SetUp failed for volume "{name}" : hostPath type '
                              f"check failed: {path} is not a "
                              f"{'directory' if kind == 'Directory' else 'file'}")
    elif kind == "Directory" and not host_files.is_dir(path):
        raise VolumeError(f'MountVolume.SetUp failed for volume "{name}" : hostPath type '
                          f"check failed: {path} is not a directory")
    elif kind == "File" and host_files.is_dir(path):
        raise VolumeError(f'MountVolume.SetUp failed for volume "{name}" : hostPath type '
                          f"check failed: {path} is not a file")
    return host_files.subtree(path)


def _claim(api: APIServer, pod: dict, name: str, source: dict, disks: DiskStore) -> FileSystem:
    """The disk of the PersistentVolume a claim is bound to."""
    namespace = pod["metadata"]["namespace"]
    claim_name = source.get("claimName", "")
    head = (f"Unable to attach or mount volumes: unmounted volumes=[{name}], unattached "
            f"volumes=[], failed to process volumes=[{name}]: error processing PVC "
            f"{namespace}/{claim_name}")
    claim = api.try_get("PersistentVolumeClaim", claim_name, namespace)
    if claim is None:
        raise VolumeError(f"{head}: failed to fetch PVC from API server: "
                          f'persistentvolumeclaims "{claim_name}" not found')
    volume_name = (claim.get("spec") or {}).get("volumeName")
    if not volume_name or (claim.get("status") or {}).get("phase", "Bound") != "Bound":
        raise VolumeError(f"{head}: PVC is not bound")
    disk = disks.disk(volume_name)
    return FileSystem(root=disk.root, read_only=bool(source.get("readOnly")))


def _projected_files(api: APIServer, pod: dict, spec: dict, host_ip: str, allocatable: dict,
                     name: str) -> dict[str, tuple[str, int]]:
    """The files of a configMap, secret, downwardAPI or projected volume: path -> (data, mode)."""
    if "projected" in spec:
        projected = spec["projected"] or {}
        default_mode = projected.get("defaultMode", DEFAULT_MODE)
        files: dict[str, tuple[str, int]] = {}
        for source in projected.get("sources") or []:
            if "serviceAccountToken" in source:
                token = source["serviceAccountToken"] or {}
                files[token.get("path", "token")] = (_token(pod), default_mode)
                continue
            files.update(_source_files(api, pod, source, default_mode, host_ip, allocatable,
                                       name, projected=True))
        return files
    source = {key: value for key, value in spec.items() if key != "name"}
    kind = next(iter(source))
    default_mode = (source[kind] or {}).get("defaultMode", DEFAULT_MODE)
    return _source_files(api, pod, source, default_mode, host_ip, allocatable, name,
                         projected=False)


def _source_files(api: APIServer, pod: dict, source: dict, default_mode: int, host_ip: str,
                  allocatable: dict, name: str, projected: bool) -> dict[str, tuple[str, int]]:
    namespace = pod["metadata"]["namespace"]
    failed = f'MountVolume.SetUp failed for volume "{name}" : '
    if "downwardAPI" in source:
        files = {}
        for item in (source["downwardAPI"] or {}).get("items") or []:
            try:
                if "fieldRef" in item:
                    data = field_value(pod, item["fieldRef"]["fieldPath"], host_ip)
                else:
                    container = next(iter(pod["spec"]["containers"]))
                    data = resource_value(pod, container, item["resourceFieldRef"],
                                          allocatable)
            except ContainerConfigError as err:
                raise VolumeError(failed + str(err)) from err
            files[item["path"]] = (data, item.get("mode", default_mode))
        return files
    if "configMap" in source:
        ref = source["configMap"] or {}
        object_name, kind, word = ref.get("name", ""), "ConfigMap", "configmap"
        found = api.try_get(kind, object_name, namespace)
        data = None if found is None else {**(found.get("data") or {}),
                                           **_decoded(found.get("binaryData") or {})}
        missing_key = "configmap references non-existent config key: {}"
    else:
        ref = source.get("secret") or {}
        object_name = ref.get("secretName", ref.get("name", ""))
        kind, word = "Secret", "secret"
        found = api.try_get(kind, object_name, namespace)
        data = None if found is None else decoded_secret_data(found)
        missing_key = "references non-existent secret key: {}"
    optional = bool(ref.get("optional"))
    if data is None:
        if optional:
            return {}
        raise VolumeError(failed + f'{word} "{object_name}" not found')
    items = ref.get("items")
    if not items:
        return {key: (value, default_mode) for key, value in sorted(data.items())}
    files = {}
    for item in items:
        if item["key"] not in data:
            if optional:
                continue
            raise VolumeError(failed + missing_key.format(item["key"]))
        files[item["path"]] = (data[item["key"]], item.get("mode", default_mode))
    return files


def _decoded(binary: dict) -> dict[str, str]:
    values = {}
    for key, value in binary.items():
        try:
            values[key] = base64.b64decode(value).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            values[key] = str(value)
    return values


# -- the service account's credentials ---------------------------------------------------------
def _wants_service_account_files(api: APIServer, pod: dict) -> bool:
    spec = pod["spec"]
    if spec.get("automountServiceAccountToken") is False:
        return False
    if any(v["name"].startswith(SERVICE_ACCOUNT_VOLUME) for v in spec.get("volumes") or []):
        return False
    account = api.try_get("ServiceAccount", spec.get("serviceAccountName") or "default",
                          pod["metadata"]["namespace"])
    return not (account is not None and account.get("automountServiceAccountToken") is False)


def _service_account_files(api: APIServer, pod: dict) -> dict[str, str]:
    namespace = pod["metadata"]["namespace"]
    root_ca = api.try_get("ConfigMap", ROOT_CA_CONFIG_MAP, namespace)
    ca = ((root_ca or {}).get("data") or {}).get("ca.crt") or _cluster_ca()
    return {"/ca.crt": ca, "/namespace": namespace, "/token": _token(pod)}


def _token(pod: dict) -> str:
    """A bound service account token: a JWT naming the pod, its namespace and account.

    The signature is a stand-in (a hash), the claims are what a real token carries
    (``kubectl exec ... -- cat .../token`` and a JWT decoder show them).
    """
    meta = pod["metadata"]
    account = pod["spec"].get("serviceAccountName") or "default"
    issuer = "https://kubernetes.default.svc.cluster.local"
    header = {"alg": "RS256", "kid": hashlib.sha256(b"sa-signer").hexdigest()[:43]}
    claims = {
        "aud": [issuer],
        "iss": issuer,
        "kubernetes.io": {
            "namespace": meta["namespace"],
            "pod": {"name": meta["name"], "uid": meta.get("uid", "")},
            "serviceaccount": {"name": account},
        },
        "sub": f"system:serviceaccount:{meta['namespace']}:{account}",
    }
    parts = [_b64url(json.dumps(part, separators=(",", ":")).encode())
             for part in (header, claims)]
    signature = _b64url(hashlib.sha512(".".join(parts).encode()).digest() * 4)
    return ".".join([*parts, signature])


def _cluster_ca() -> str:
    """The cluster's CA certificate (PEM) when no kube-root-ca.crt ConfigMap exists yet."""
    body = base64.b64encode(hashlib.sha512(b"kubernetes-ca").digest() * 12).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")

