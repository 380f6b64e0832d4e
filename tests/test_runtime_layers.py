"""Containers of one image share its files as a read-only lower layer: what one container
writes, removes or renames never shows in another container of the same image, nor in the
image a new container starts from."""

from __future__ import annotations

import pytest

from k8skit.node.runtime.host import ContainerHost

INDEX = "/usr/share/nginx/html/index.html"


@pytest.fixture
def host() -> ContainerHost:
    return ContainerHost(seed=0)


def sh(container, script: str) -> str:
    result = container.exec(["sh", "-c", script])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_a_write_in_one_container_stays_in_it(host):
    first, second = host.run("nginx:1.25"), host.run("nginx:1.25")
    original = sh(second, f"cat {INDEX}")
    sh(first, f"echo changed > {INDEX}; echo more >> {INDEX}; mkdir -p /srv/new/deep")
    assert sh(first, f"cat {INDEX}") == "changed\nmore\n"
    assert sh(second, f"cat {INDEX}") == original
    assert "new" not in sh(second, "ls /srv")
    assert sh(host.run("nginx:1.25"), f"cat {INDEX}") == original


def test_removing_and_renaming_image_files_stays_in_one_container(host):
    first, second = host.run("nginx:1.25"), host.run("nginx:1.25")
    sh(first, "rm /usr/share/nginx/html/50x.html; mv /etc/passwd /etc/passwd.old")
    assert sh(first, "ls /usr/share/nginx/html") == "index.html\n"
    assert "passwd.old" in sh(first, "ls /etc") and "passwd\n" not in sh(first, "ls /etc")
    assert sh(second, "ls /usr/share/nginx/html") == "50x.html\nindex.html\n"
    assert sh(second, "cat /etc/passwd").startswith("root:x:0:0:root:/root:")


def test_a_file_changed_before_another_container_starts_is_not_inherited(host):
    first = host.run("nginx:1.25")
    sh(first, "echo 'user nobody;' > /etc/nginx/nginx.conf")
    later = host.run("nginx:1.25")
    assert sh(later, "cat /etc/nginx/nginx.conf") != "user nobody;\n"
