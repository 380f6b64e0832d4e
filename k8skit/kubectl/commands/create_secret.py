"""``kubectl create secret generic|docker-registry|tls NAME``: a Secret from the command line.

Source: ``staging/src/k8s.io/kubectl/pkg/cmd/create/create_secret.go``,
``create_secret_docker.go`` and ``create_secret_tls.go``.

- ``generic``: the same sources as ``create configmap`` (``--from-literal``, ``--from-file``,
  ``--from-env-file``; literals are read first) and an optional ``--type``. Every value, text
  or not, is stored base64-encoded in ``data``: base64 is an encoding, not encryption, and
  anyone who can read the Secret can decode it.
- ``docker-registry``: a ``kubernetes.io/dockerconfigjson`` Secret whose ``.dockerconfigjson``
  holds ``{"auths":{SERVER:{"username","password","email","auth"}}}`` (``auth`` is
  base64 of ``user:password``), for ``imagePullSecrets``; the server defaults to Docker Hub's
  ``https://index.docker.io/v1/``. ``--from-file`` takes an existing ``config.json`` instead.
- ``tls``: a ``kubernetes.io/tls`` Secret with ``tls.crt`` and ``tls.key`` from ``--cert`` and
  ``--key``. kubectl checks that the two files hold a matching certificate and key; the
  simulator checks only that each holds PEM data of the right kind.

The message is ``secret/NAME created``.
"""

from __future__ import annotations

import base64
import json
import re

from k8skit.api.validation import is_config_map_key
from k8skit.kubectl.command import Command, CommandError, Context, Exit, UsageError
from k8skit.kubectl.commands.create_configmap import (
    DRY_RUN_FLAG,
    FROM_LITERAL_HELP,
    SAVE_CONFIG_FLAG,
    go_error_text,
    new_object,
    parse_literal_source,
    read_env_files,
    read_file_sources,
    send,
    single_name,
)
from k8skit.kubectl.commands.creating import check_dry_run
from k8skit.kubectl.commands.get import OUTPUT_FLAG, check_output_format
from k8skit.kubectl.commands.mutation import available_commands
from k8skit.kubectl.flags import Flag, ParsedArgs

DOCKER_HUB = "https://index.docker.io/v1/"
DOCKER_CONFIG_JSON_KEY = ".dockerconfigjson"
# Go's encoding/json writes these characters escaped (HTMLEscape).
_GO_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)


def _new_secret(ctx: Context, name: str, type_: str) -> dict:
    secret = new_object("Secret", name, ctx)
    secret["data"] = {}
    if type_:
        secret["type"] = type_
    return secret


def _add_key(secret: dict, key: str, value: bytes | str) -> None:
    """``addKeyFromLiteralToSecret``: a valid, new key, its value base64-encoded."""
    problems = is_config_map_key(key)
    if problems:
        raise CommandError(f'"{key}" is not valid key name for a Secret {";".join(problems)}')
    if key in secret["data"]:
        raise CommandError(f"cannot add key {key}, another key by that name already exists")
    raw = value.encode("utf-8") if isinstance(value, str) else value
    secret["data"][key] = base64.b64encode(raw).decode("ascii")


def _finish(ctx: Context, parsed: ParsedArgs, secret: dict, failure: str) -> None:
    if not secret["data"]:
        del secret["data"]
    send(ctx, secret, check_dry_run(parsed["dry-run"]), parsed["output"], failure)


def _begin(ctx: Context, parsed: ParsedArgs, subcommand: str) -> str:
    ctx.command_path = f"kubectl create secret {subcommand}"
    check_output_format(parsed["output"])
    return single_name(parsed)


# -- generic -------------------------------------------------------------------------------------
def run_generic(ctx: Context, parsed: ParsedArgs) -> None:
    name = _begin(ctx, parsed, "generic")
    check_dry_run(parsed["dry-run"])
    files, literals, env_files = (parsed["from-file"], parsed["from-literal"],
                                  parsed["from-env-file"])
    if env_files and (files or literals):
        raise CommandError("from-env-file cannot be combined with from-file or from-literal")
    secret = _new_secret(ctx, name, parsed["type"])

    def add(key: str, value: bytes | str) -> None:
        _add_key(secret, key, value)

    for literal in literals:
        add(*parse_literal_source(literal))
    read_file_sources(files, add)
    read_env_files(env_files, add, "secret")
    _finish(ctx, parsed, secret, "failed to create secret: ")


# -- docker-registry -------------------------------------------------------------------------
def docker_config_json(username: str, password: str, email: str, server: str) -> bytes:
    """``handleDockerCfgJSONContent``: the ``~/.docker/config.json`` a pull secret holds,
    marshalled as Go does (compact, empty fields left out, HTML characters escaped)."""
    auth = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    entry = {field: value for field, value in (("username", username), ("password", password),
                                               ("email", email), ("auth", auth)) if value}
    text = json.dumps({"auths": {server: entry}}, separators=(",", ":"), ensure_ascii=False)
    return text.translate(_GO_JSON_ESCAPES).encode("utf-8")


def run_docker_registry(ctx: Context, parsed: ParsedArgs) -> None:
    name = _begin(ctx, parsed, "docker-registry")
    check_dry_run(parsed["dry-run"])
    files = [source if "=" in source else f"{DOCKER_CONFIG_JSON_KEY}={source}"
             for source in parsed["from-file"]]
    username, password, server = (parsed["docker-username"], parsed["docker-password"],
                                  parsed["docker-server"])
    if not files and not (username and password and server):
        raise CommandError("either --from-file or the combination of --docker-username, "
                           "--docker-password and --docker-server is required")
    secret = _new_secret(ctx, name, "kubernetes.io/dockerconfigjson")
    if files:
        read_file_sources(files, lambda key, value: _add_key(secret, key, value))
    else:
        _add_key(secret, DOCKER_CONFIG_JSON_KEY,
                 docker_config_json(username, password, parsed["docker-email"], server))
    _finish(ctx, parsed, secret, "failed to create secret ")


# -- tls -------------------------------------------------------------------------------------
def _read_pem(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise CommandError(f"failed to read {path}: open {path}: "
                           f"{go_error_text(error)}") from None


def check_key_pair(cert: bytes, key: bytes) -> None:
    """What the simulator checks of ``tls.X509KeyPair``: a CERTIFICATE block in the
    certificate file and a PRIVATE KEY block in the key file, with Go's messages."""
    cert_blocks = [kind for kind, _ in _PEM_BLOCK.findall(cert.decode("utf-8", "replace"))]
    key_blocks = [kind for kind, _ in _PEM_BLOCK.findall(key.decode("utf-8", "replace"))]
    if "CERTIFICATE" not in cert_blocks:
        if any(kind.endswith("PRIVATE KEY") for kind in cert_blocks):
            raise CommandError("tls: failed to find certificate PEM data in certificate input, "
                               "but did find a private key; PEM inputs may have been switched")
        raise CommandError("tls: failed to find any PEM data in certificate input")
    if not any(kind.endswith("PRIVATE KEY") for kind in key_blocks):
        if "CERTIFICATE" in key_blocks:
            raise CommandError("tls: found a certificate rather than a key in the PEM for the "
                               "private key")
        raise CommandError("tls: failed to find any PEM data in key input")


def run_tls(ctx: Context, parsed: ParsedArgs) -> None:
    name = _begin(ctx, parsed, "tls")
    check_dry_run(parsed["dry-run"])
    if not parsed["cert"] or not parsed["key"]:
        raise CommandError("key and cert must be specified")
    cert, key = _read_pem(parsed["cert"]), _read_pem(parsed["key"])
    check_key_pair(cert, key)
    secret = _new_secret(ctx, name, "kubernetes.io/tls")
    _add_key(secret, "tls.crt", cert)
    _add_key(secret, "tls.key", key)
    _finish(ctx, parsed, secret, "failed to create secret ")


# -- the commands ------------------------------------------------------------------------------
_COMMON = (DRY_RUN_FLAG, OUTPUT_FLAG, SAVE_CONFIG_FLAG)

GENERIC = Command(
    name="create secret generic",
    short="Create a secret from a local file, directory, or literal value.",
    usage="kubectl create secret generic NAME [--type=string] [--from-file=[key=]source] "
          "[--from-literal=key1=value1] [--dry-run=server|client|none] [options]",
    run=run_generic,
    examples="""  # Create a new secret named my-secret with keys for each file in folder bar
  kubectl create secret generic my-secret --from-file=path/to/bar

  # Create a new secret named my-secret with specified keys instead of names on disk
  kubectl create secret generic my-secret --from-file=ssh-privatekey=path/to/id_rsa --from-file=ssh-publickey=path/to/id_rsa.pub

  # Create a new secret named my-secret with key1=supersecret and key2=topsecret
  kubectl create secret generic my-secret --from-literal=key1=supersecret --from-literal=key2=topsecret

  # Create a new secret named my-secret from env files
  kubectl create secret generic my-secret --from-env-file=path/to/foo.env --from-env-file=path/to/bar.env
""",  # noqa: E501 - kubectl's own example lines
    flags=(
        Flag("from-file", kind="strings", help="Key files can be specified using their file "
             "path, in which case a default name will be given to them, or optionally with a "
             "name and file path, in which case the given name will be used.  Specifying a "
             "directory will iterate each named file in the directory that is a valid secret "
             "key."),
        Flag("from-literal", kind="array", help=FROM_LITERAL_HELP.format("secret")),
        Flag("from-env-file", kind="strings", help="Specify the path to a file to read lines "
             "of key=val pairs to create a secret."),
        Flag("type", help="The type of secret to create"),
        *_COMMON,
    ),
)

DOCKER_REGISTRY = Command(
    name="create secret docker-registry",
    short="Create a secret for use with a Docker registry.",
    usage="kubectl create secret docker-registry NAME --docker-username=user "
          "--docker-password=password --docker-email=email [--docker-server=string] "
          "[--from-file=[key=]source] [--dry-run=server|client|none] [options]",
    run=run_docker_registry,
    examples="""  # If you do not already have a .dockercfg file, create a dockercfg secret directly
  kubectl create secret docker-registry my-secret --docker-server=DOCKER_REGISTRY_SERVER --docker-username=DOCKER_USER --docker-password=DOCKER_PASSWORD --docker-email=DOCKER_EMAIL

  # Create a new secret named my-secret from ~/.docker/config.json
  kubectl create secret docker-registry my-secret --from-file=path/to/.docker/config.json
""",  # noqa: E501 - kubectl's own example lines
    flags=(
        Flag("docker-username", help="Username for Docker registry authentication"),
        Flag("docker-password", help="Password for Docker registry authentication"),
        Flag("docker-email", help="Email for Docker registry"),
        Flag("docker-server", default=DOCKER_HUB, help="Server location for Docker registry"),
        Flag("from-file", kind="strings", help="Key files can be specified using their file "
             "path, in which case a default name of .dockerconfigjson will be given to them, "
             "or optionally with a name and file path, in which case the given name will be "
             "used. Specifying a directory will iterate each named file in the directory that "
             "is a valid secret key. For this command, the key should always be "
             ".dockerconfigjson."),
        *_COMMON,
    ),
)

TLS = Command(
    name="create secret tls",
    short="Create a TLS secret.",
    usage="kubectl create secret tls NAME --cert=path/to/cert/file --key=path/to/key/file "
          "[--dry-run=server|client|none] [options]",
    run=run_tls,
    examples="""  # Create a new TLS secret named tls-secret with the given key pair
  kubectl create secret tls tls-secret --cert=path/to/tls.crt --key=path/to/tls.key
""",
    flags=(
        Flag("cert", help="Path to PEM encoded public key certificate."),
        Flag("key", help="Path to private key associated with given certificate."),
        *_COMMON,
    ),
)

SUBCOMMANDS = {"docker-registry": DOCKER_REGISTRY, "generic": GENERIC, "tls": TLS}


def _run_secret(ctx: Context, parsed: ParsedArgs) -> None:
    """Without a subcommand kubectl prints the help to stderr and fails
    (``DefaultSubCommandRun``)."""
    ctx.command_path = "kubectl create secret"
    if parsed.args:
        raise UsageError(f'unknown command "{" ".join(parsed.args)}"')
    ctx.err.write(COMMAND.help() + available_commands(SUBCOMMANDS))
    raise Exit(1)


COMMAND = Command(
    name="create secret",
    short="Create a secret using a specified subcommand.",
    usage="kubectl create secret (docker-registry | generic | tls) [options]",
    run=_run_secret,
)
