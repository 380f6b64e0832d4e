"""``kubectl create configmap NAME``: a ConfigMap from literals, files, folders or env files.

Source: ``staging/src/k8s.io/kubectl/pkg/cmd/create/create_configmap.go`` and the helpers it
shares with ``create secret`` (``pkg/util/util.go``: ParseLiteralSource, ParseFileSource;
``pkg/cmd/util/env_file.go``: AddFromEnvFile). The data sources, read in this order:

- ``--from-file=[key=]path``: a file's content under its base name (or the given key); a
  folder adds each regular file in it (sorted by name; subfolders and links are skipped). Text
  goes to ``data``, anything that is not UTF-8 to ``binaryData`` (base64). Paths are read from
  the learner's own disk, relative to the notebook's folder, as a terminal's kubectl reads
  them relative to the shell's.
- ``--from-literal=key=value``: the value is everything after the first ``=``, with
  surrounding quotes removed; commas are part of the value (the flag is repeated, not split).
- ``--from-env-file=path``: ``KEY=value`` lines; blank lines and ``#`` comments are skipped, a
  line without ``=`` takes the value of that variable in kubectl's own environment. It cannot
  be combined with the other two.

A key that is not a valid ConfigMap key, or given twice, is an error before anything is sent.
``--dry-run=client -o yaml`` prints the ConfigMap without creating it, the usual way to start
a manifest. ``--append-hash`` is not offered by the simulator.
"""

from __future__ import annotations

import base64
import os
import posixpath
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field

from k8skit.api.errors import APIError
from k8skit.api.labels import regex_error
from k8skit.api.validation import is_config_map_key
from k8skit.kubectl.command import Command, CommandError, Context, UsageError
from k8skit.kubectl.commands.creating import check_dry_run, print_created, server_message
from k8skit.kubectl.commands.get import OUTPUT_FLAG, check_output_format
from k8skit.kubectl.flags import Flag, ParsedArgs

# validation.IsEnvVarName, which the env-file reader applies to each key.
_ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_ENV_VAR_NAME_RE = re.compile(f"^{_ENV_VAR_NAME_FMT}$")
_ENV_VAR_NAME_MSG = ("a valid environment variable name must consist of alphabetic characters, "
                     "digits, '_', '-', or '.', and must not start with a digit")
_UTF8_BOM = "\ufeff"


# -- the data sources, shared with `create secret` ---------------------------------------------
def parse_literal_source(source: str) -> tuple[str, str]:
    """``key=value`` -> (key, value): split at the first ``=``, quotes trimmed from the value
    (``ParseLiteralSource``)."""
    key, separator, value = source.partition("=")
    if not separator or not key:
        raise CommandError(f"invalid literal source {source}, expected key=value")
    return key, value.strip("\"'")


def parse_file_source(source: str) -> tuple[str, str]:
    """``[key=]path`` -> (key, path); the key defaults to the path's base name
    (``ParseFileSource``)."""
    separators = source.count("=")
    if separators == 0:
        return _base_name(source), source
    if separators > 1:
        raise CommandError("key names or file paths cannot contain '='")
    key, path = source.split("=")
    if not key:
        raise CommandError(f"key name for file path {path} missing")
    if not path:
        raise CommandError(f"file path for key name {key} missing")
    return key, path


def _base_name(path: str) -> str:
    """Go's ``path.Base``: the last element, trailing slashes ignored."""
    path = path.replace(os.sep, "/")
    stripped = path.rstrip("/")
    if not stripped:
        return "/" if path else "."
    return posixpath.basename(stripped)


def go_error_text(error: OSError) -> str:
    """An operating-system error as Go's ``syscall.Errno`` words it (lower case)."""
    text = error.strerror or str(error)
    return text[:1].lower() + text[1:]


@dataclass
class DataSources:
    """What the learner's files and flags give: text values, binary values, in order."""

    text: dict[str, str] = field(default_factory=dict)
    binary: dict[str, bytes] = field(default_factory=dict)


def read_file_sources(sources: list[str], add: Callable[[str, bytes], None]) -> None:
    """Read every ``--from-file`` source and ``add(key, content)`` for each file."""
    for source in sources:
        key, path = parse_file_source(source)
        if not _is_dir(path):
            add(key, _read(path))
            continue
        if "=" in source:
            raise CommandError("cannot give a key name for a directory path")
        try:
            entries = sorted(os.scandir(path), key=lambda entry: entry.name)
        except OSError as error:
            raise CommandError(f"error listing files in {path}: open {path}: "
                               f"{go_error_text(error)}") from None
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                add(entry.name, _read(posixpath.join(path, entry.name)))


def _is_dir(path: str) -> bool:
    """Whether ``path`` is a folder; an error in kubectl's words if it cannot be read."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as error:
        raise CommandError(f"error reading {path}: {go_error_text(error)}") from None


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise CommandError(f"open {path}: {go_error_text(error)}") from None


def read_env_files(sources: list[str], add: Callable[[str, str], None], kind: str) -> None:
    """Read every ``--from-env-file`` and ``add(key, value)`` for each ``KEY=value`` line
    (``AddFromEnvFile``). ``kind`` words the error for a folder (``config``/``secret``)."""
    for path in sources:
        if _is_dir(path):
            raise CommandError(f"env {kind} file cannot be a directory")
        for number, raw in enumerate(_read(path).split(b"\n")):
            raw = raw.removesuffix(b"\r")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise CommandError(f"env file {path} contains invalid utf8 bytes at line "
                                   f"{number + 1}: {list(raw)}") from None
            if number == 0:
                line = line.removeprefix(_UTF8_BOM)
            line = line.lstrip()
            if not line or line.startswith("#"):
                continue
            key, separator, value = line.partition("=")
            if not _ENV_VAR_NAME_RE.match(key):
                problem = regex_error(_ENV_VAR_NAME_MSG, _ENV_VAR_NAME_FMT, "my.env-name",
                                      "MY_ENV.NAME", "MyEnvName1")
                raise CommandError(f'"{key}" is not a valid key name: {problem}')
            add(key, value if separator else os.environ.get(key, ""))


def single_name(parsed: ParsedArgs) -> str:
    """``NameFromCommandArgs``: exactly one NAME before any ``--``."""
    names = parsed.args[:len(parsed.args) - len(parsed.after_dash or [])]
    if len(names) != 1:
        raise UsageError(f"exactly one NAME is required, got {len(names)}")
    return names[0]


def send(ctx: Context, obj: dict, dry_run: str, output: str, failure: str) -> None:
    """Create ``obj`` (unless a dry run) and print what kubectl prints: the object for ``-o``,
    else ``configmap/NAME created`` (see :mod:`k8skit.kubectl.commands.creating`)."""
    if dry_run == "none":
        metadata = {key: value for key, value in obj["metadata"].items()
                    if key != "creationTimestamp"}
        try:
            obj = ctx.api.create({**obj, "metadata": {**metadata, "namespace": ctx.namespace}})
        except APIError as error:
            raise CommandError(failure + server_message(error)) from None
    print_created(ctx, obj, output, dry_run, f"{obj['kind'].lower()}/{obj['metadata']['name']}")


def new_object(kind: str, name: str, ctx: Context) -> dict:
    """The object kubectl builds before sending it: no namespace unless ``-n`` was given,
    and Go's ``creationTimestamp: null`` (which a dry run prints)."""
    metadata: dict = {"creationTimestamp": None, "name": name}
    if ctx.explicit_namespace:
        metadata["namespace"] = ctx.namespace
    return {"apiVersion": "v1", "kind": kind, "metadata": metadata}


# -- create configmap ---------------------------------------------------------------------------
def _add_key(config_map: dict, sources: DataSources, key: str, value: bytes | str) -> None:
    """``validateNewConfigMap`` then store: text in ``data``, other bytes in ``binaryData``."""
    name = config_map["metadata"]["name"]
    problems = is_config_map_key(key)
    if problems:
        raise CommandError(f'"{key}" is not a valid key name for a ConfigMap: '
                           f"{','.join(problems)}")
    if key in sources.text:
        raise CommandError(f'cannot add key "{key}", another key by that name already exists '
                           f'in Data for ConfigMap "{name}"')
    if key in sources.binary:
        raise CommandError(f'cannot add key "{key}", another key by that name already exists '
                           f'in BinaryData for ConfigMap "{name}"')
    if isinstance(value, str):
        sources.text[key] = value
        return
    try:
        sources.text[key] = value.decode("utf-8")
    except UnicodeDecodeError:
        sources.binary[key] = value


def build_config_map(ctx: Context, name: str, files: list[str], literals: list[str],
                     env_files: list[str]) -> dict:
    """The ConfigMap ``kubectl create configmap`` sends (``createConfigMap``)."""
    config_map = new_object("ConfigMap", name, ctx)
    sources = DataSources()

    def add(key: str, value: bytes | str) -> None:
        _add_key(config_map, sources, key, value)

    read_file_sources(files, add)
    for literal in literals:
        add(*parse_literal_source(literal))
    read_env_files(env_files, add, "config")
    if sources.text:
        config_map["data"] = sources.text
    if sources.binary:
        config_map["binaryData"] = {key: base64.b64encode(value).decode("ascii")
                                    for key, value in sources.binary.items()}
    return config_map


def run(ctx: Context, parsed: ParsedArgs) -> None:
    ctx.command_path = "kubectl create configmap"
    output = parsed["output"]
    check_output_format(output)
    name = single_name(parsed)
    dry_run = check_dry_run(parsed["dry-run"])
    files, literals, env_files = (parsed["from-file"], parsed["from-literal"],
                                  parsed["from-env-file"])
    if env_files and (files or literals):
        raise CommandError("from-env-file cannot be combined with from-file or from-literal")
    config_map = build_config_map(ctx, name, files, literals, env_files)
    send(ctx, config_map, dry_run, output, "failed to create configmap: ")


DRY_RUN_FLAG = Flag("dry-run", optional_value="client", help='Must be "none", "server", or '
                    '"client". If client strategy, only print the object that would be sent, '
                    "without sending it. If server strategy, submit server-side request "
                    "without persisting the resource.")
SAVE_CONFIG_FLAG = Flag("save-config", kind="bool", help="If true, the configuration of current "
                        "object will be saved in its annotation.")
FROM_LITERAL_HELP = "Specify a key and literal value to insert in {} (i.e. mykey=somevalue)"

COMMAND = Command(
    name="create configmap",
    short="Create a config map from a local file, directory or literal value.",
    usage="kubectl create configmap NAME [--from-file=[key=]source] "
          "[--from-literal=key1=value1] [--dry-run=server|client|none] [options]",
    run=run,
    aliases=("cm",),
    examples="""  # Create a new config map named my-config based on folder bar
  kubectl create configmap my-config --from-file=path/to/bar

  # Create a new config map named my-config with specified keys instead of file basenames on disk
  kubectl create configmap my-config --from-file=key1=/path/to/bar/file1.txt --from-file=key2=/path/to/bar/file2.txt

  # Create a new config map named my-config with key1=config1 and key2=config2
  kubectl create configmap my-config --from-literal=key1=config1 --from-literal=key2=config2

  # Create a new config map named my-config from an env file
  kubectl create configmap my-config --from-env-file=path/to/foo.env --from-env-file=path/to/bar.env
""",  # noqa: E501 - kubectl's own example lines
    flags=(
        Flag("from-file", kind="strings", help="Key file can be specified using its file path, "
             "in which case file basename will be used as configmap key, or optionally with a "
             "key and file path, in which case the given key will be used.  Specifying a "
             "directory will iterate each named file in the directory whose basename is a "
             "valid configmap key."),
        Flag("from-literal", kind="array", help=FROM_LITERAL_HELP.format("configmap")),
        Flag("from-env-file", kind="strings", help="Specify the path to a file to read lines of "
             "key=val pairs to create a configmap."),
        DRY_RUN_FLAG, OUTPUT_FLAG, SAVE_CONFIG_FLAG,
    ),
)
