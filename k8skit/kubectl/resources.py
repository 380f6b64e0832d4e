"""Objects named in manifests (``-f FILE``, ``-f -``) for the verbs that accept them.

``kubectl get -f web.yaml`` and ``kubectl delete -f web.yaml`` do not send the manifest: they
read the kinds, names and namespaces out of it and act on the live objects with those names
(``FilenameParam`` in cli-runtime's resource builder). ``-f -`` reads standard input.
"""

from __future__ import annotations

from k8skit.api.kinds import kind_for
from k8skit.api.manifests import STDIN, Document, load_path, load_text
from k8skit.kubectl.command import CommandError, Context, Target
from k8skit.kubectl.flags import Flag

FILENAME_FLAG = Flag("filename", "f", "strings", help="Filename, directory, or URL to files "
                     "identifying the resource.")


def read_documents(ctx: Context, filenames: list[str], recursive: bool = False) -> list[Document]:
    """The documents of every ``-f``; raises ManifestError with kubectl's wording."""
    documents: list[Document] = []
    for filename in filenames:
        if filename == "-":
            documents.extend(load_text(ctx.stdin or "", STDIN))
        elif filename.startswith(("http://", "https://")):
            raise CommandError(f'unable to read URL "{filename}": the simulator has no '
                               "network; save the manifest to a file or paste it with -f -")
        else:
            documents.extend(load_path(filename, recursive=recursive))
    return documents


def namespace_of(ctx: Context, document: Document) -> str | None:
    """The namespace a manifest's object lives in: its own, else ``-n``, else the default.

    Like kubectl, a manifest that names one namespace while ``-n`` names another is refused.
    """
    obj = document.object
    kind = kind_for(obj["apiVersion"], obj["kind"])
    if kind is None or not kind.namespaced:
        return None
    own = (obj.get("metadata") or {}).get("namespace")
    if own and ctx.explicit_namespace and own != ctx.namespace:
        raise CommandError(f'the namespace from the provided object "{own}" does not match the '
                           f'namespace "{ctx.namespace}". You must pass \'--namespace={own}\' to '
                           "perform this operation.")
    return own or ctx.namespace


def targets_from_files(ctx: Context, filenames: list[str]) -> list[Target]:
    targets = []
    for document in read_documents(ctx, filenames):
        obj = document.object
        kind = kind_for(obj["apiVersion"], obj["kind"])
        name = (obj.get("metadata") or {}).get("name", "")
        targets.append(Target(kind, (name,), namespace_of(ctx, document)))
    return targets
