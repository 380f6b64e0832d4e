"""Image references, the catalogue, pulls and the node's image list."""

from __future__ import annotations

import random

import pytest

from k8skit.clock import Clock
from k8skit.node.network import PodNetwork
from k8skit.node.runtime import (
    CATALOGUE,
    ContainerRuntime,
    ImageCatalogue,
    InvalidReference,
    normalize_reference,
    register_image,
)
from k8skit.node.runtime.containerd import (
    PULL_BANDWIDTH_BYTES_PER_SECOND,
    PULL_OVERHEAD_SECONDS,
)
from k8skit.node.runtime.host import ContainerHost
from k8skit.node.runtime.process import Sleep


@pytest.mark.parametrize(("written", "full"), [
    ("nginx", "docker.io/library/nginx:latest"),
    ("nginx:1.25", "docker.io/library/nginx:1.25"),
    ("polinux/stress", "docker.io/polinux/stress:latest"),
    ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
    ("k8s.gcr.io/busybox", "registry.k8s.io/busybox:latest"),
    ("localhost:5000/app:v1", "localhost:5000/app:v1"),
    ("nginx@sha256:" + "a" * 64, "docker.io/library/nginx@sha256:" + "a" * 64),
])
def test_references_are_normalised_as_docker_does(written, full):
    assert normalize_reference(written) == full


@pytest.mark.parametrize(("written", "message"), [
    ("NGINX", "invalid reference format: repository name (library/NGINX) must be lowercase"),
    ("nginx:", "invalid reference format"),
    ("nginx@sha256:xyz", "invalid reference format"),
    (" nginx", "invalid reference format"),
    ("", "invalid reference format"),
])
def test_unreadable_references(written, message):
    with pytest.raises(InvalidReference) as caught:
        normalize_reference(written)
    assert str(caught.value) == message


def pull(ref: str, seed: int = 0):
    clock = Clock()
    runtime = ContainerRuntime(clock, "node", PodNetwork(), random.Random(seed))
    results = []
    runtime.pull_image(ref, results.append)
    clock.run(60)
    return runtime, results[0]


def test_an_unknown_tag_is_not_found_in_containerds_words():
    _, result = pull("nginx:nope")
    assert not result.ok
    assert result.error_message == (
        'rpc error: code = NotFound desc = failed to pull and unpack image '
        '"docker.io/library/nginx:nope": failed to resolve reference '
        '"docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found')


def test_an_unknown_docker_hub_repository_is_access_denied():
    _, result = pull("nginxx")
    assert result.error_message.endswith(
        '"docker.io/library/nginxx:latest": pull access denied, repository does not exist or '
        "may require authorization: server message: insufficient_scope: authorization failed")


def test_an_unknown_registry_host_does_not_resolve():
    _, result = pull("myregistry.example.com/app:1.0")
    assert result.error_message.endswith(
        'Head "https://myregistry.example.com/v2/app/manifests/1.0": dial tcp: lookup '
        "myregistry.example.com on 127.0.0.53:53: no such host")


def test_pull_time_follows_the_image_size_and_is_deterministic():
    _, nginx = pull("nginx:1.25")
    _, again = pull("nginx:1.25")
    _, busybox = pull("busybox")
    assert nginx == again
    expected = PULL_OVERHEAD_SECONDS + 67_200_000 / PULL_BANDWIDTH_BYTES_PER_SECOND
    assert expected * 0.9 < nginx.seconds < expected * 1.1
    assert busybox.seconds < 1.0 < nginx.seconds
    assert nginx.size_bytes == 67_200_000


def test_pulls_of_one_image_are_joined():
    clock = Clock()
    runtime = ContainerRuntime(clock, "node", PodNetwork(), random.Random(0))
    results = []
    runtime.pull_image("nginx", results.append)
    runtime.pull_image("docker.io/library/nginx:latest", results.append)
    clock.run(60)
    assert len(results) == 2 and results[0] == results[1]


def test_the_node_lists_its_images_with_all_their_names():
    runtime, _ = pull("nginx")
    listed = runtime.images
    nginx = next(entry for entry in listed if "docker.io/library/nginx:latest" in entry["names"])
    assert nginx["names"][0].startswith("docker.io/library/nginx@sha256:")
    assert nginx["sizeBytes"] == 72_200_000
    assert any(entry["names"][1] == "registry.k8s.io/pause:3.10" for entry in listed)
    assert [entry["sizeBytes"] for entry in listed] == sorted(
        (entry["sizeBytes"] for entry in listed), reverse=True)
    runtime.load_image("nginx:1.27")
    merged = next(entry for entry in runtime.images if "docker.io/library/nginx:1.27" in
                  entry["names"])
    assert "docker.io/library/nginx:latest" in merged["names"]
    assert runtime.has_image("nginx") and not runtime.has_image("nginx:1.25")


def test_a_digest_reference_of_a_known_image_pulls():
    runtime, first = pull("busybox:1.36")
    digest = runtime.image("busybox:1.36").digest
    _, by_digest = pull(f"busybox@{digest}")
    assert by_digest.ok and by_digest.size_bytes == first.size_bytes


def test_every_catalogue_image_starts_its_program():
    host = ContainerHost()
    for repository, builds in CATALOGUE.specs.items():
        for spec in builds:
            container = host.run(f"{repository}:{spec.tags[0]}")
            host.advance(0)
            assert container.reason != "StartError", (repository, spec.tags, container.message)


def test_registering_again_replaces_the_earlier_image():
    def first(ctx):
        ctx.print("first")
        yield Sleep(60)

    def second(ctx):
        ctx.print("second")
        yield Sleep(60)

    register_image("example.org/tool", first)
    register_image("example.org/tool", second)
    assert CATALOGUE.tags("example.org/tool") == ["latest"]
    host = ContainerHost()
    tool = host.run("example.org/tool")
    assert [line for _, line in tool.logs()] == ["second"]


def test_a_separate_catalogue_serves_only_its_images():
    catalogue = ImageCatalogue()
    register_image("example.org/private", lambda ctx: 0, catalogue=catalogue)
    clock = Clock()
    runtime = ContainerRuntime(clock, "node", PodNetwork(), random.Random(0),
                               catalogue=catalogue)
    results = {}
    runtime.pull_image("example.org/private", lambda r: results.setdefault("private", r.ok))
    runtime.pull_image("nginx", lambda r: results.setdefault("nginx", r.ok))
    clock.run(10)
    assert results == {"private": True, "nginx": False}


def test_removing_an_image_removes_all_its_names():
    runtime, _ = pull("nginx")
    runtime.load_image("nginx:1.27")
    assert runtime.remove_image("nginx:1.27")
    assert not runtime.has_image("nginx") and not runtime.has_image("nginx:1.27")
    assert not runtime.remove_image("nginx")


def test_a_node_that_lost_power_keeps_its_images_and_runs_again():
    host = ContainerHost()
    host.run("busybox", command=["sleep", "3600"])
    host.runtime.power_off()
    host.runtime.power_on()
    assert host.runtime.has_image("busybox")
    again = host.run("busybox", command=["sh", "-c", "echo back"])
    host.advance(1)
    assert host.exit_of(again) == (0, "Completed")
