"""``kubectl expose deployment/web --port=80``: make a Service for an existing workload.

Source: ``staging/src/k8s.io/kubectl/pkg/cmd/expose/expose.go`` and the introspection helpers
of ``staging/src/k8s.io/kubectl/pkg/polymorphichelpers`` (``MapBasedSelectorForObject``,
``PortsForObject``, ``ProtocolsForObject``, ``CanBeExposed``).

expose builds the Service from the object it is given (a pod, Service, ReplicaSet or
Deployment):

- the **selector** is the object's: a pod's labels, a Service's selector, a Deployment's or
  ReplicaSet's ``matchLabels`` (a selector with ``matchExpressions`` cannot become a Service
  selector); ``--selector`` overrides it;
- the **ports** are ``--port``, or else every port the object declares (its containers'
  ``containerPort`` entries), named ``port-1``, ``port-2``... when there are several; each
  ``targetPort`` is ``--target-port`` (a number or a container port's name) or the port itself;
- the **labels** are the object's, the **name** the object's, unless ``--labels`` or ``--name``
  say otherwise; ``--type``, ``--cluster-ip`` (``None`` for headless), ``--external-ip``,
  ``--session-affinity`` and ``--load-balancer-ip`` fill the matching fields.

It prints ``service/web exposed``.
"""

from __future__ import annotations

from k8skit.kubectl.command import Command, CommandError, Context, UsageError, targets_of
from k8skit.kubectl.commands.creating import check_dry_run, is_dry_run, print_created
from k8skit.kubectl.commands.get import OUTPUT_FLAG, check_output_format
from k8skit.kubectl.flags import Flag, ParsedArgs
from k8skit.kubectl.resources import FILENAME_FLAG, targets_from_files

# CanBeExposed: the kinds with a pod selector to reuse (ReplicationControllers are not served).
EXPOSABLE_KINDS = ("Pod", "Service", "ReplicaSet", "Deployment")
# validation.DNS1035LabelMaxLength: a longer object name is cut to fit a Service name.
MAX_NAME_LENGTH = 63


def _pairs(text: str, what: str) -> dict[str, str]:
    """``a=b,c=d`` (``ParseLabels``)."""
    pairs: dict[str, str] = {}
    for term in filter(None, (t.strip() for t in text.split(","))):
        key, sep, value = term.partition("=")
        if not sep or not key:
            raise CommandError(f"invalid {what}: {text}")
        pairs[key] = value
    return pairs


def selector_of(obj: dict) -> dict[str, str]:
    """The Service selector an object implies (``MapBasedSelectorForObject``)."""
    kind = obj["kind"]
    if kind == "Pod":
        labels = obj["metadata"].get("labels") or {}
        if not labels:
            raise CommandError("the pod has no labels and cannot be exposed")
        return dict(labels)
    if kind == "Service":
        selector = (obj.get("spec") or {}).get("selector")
        if not selector:
            raise CommandError("the service has no pod selector set")
        return dict(selector)
    selector = (obj.get("spec") or {}).get("selector") or {}
    expressions = selector.get("matchExpressions")
    if expressions:
        shown = " ".join(
            f"{{Key:{e.get('key', '')} Operator:{e.get('operator', '')} "
            f"Values:[{' '.join(e.get('values') or [])}]}}" for e in expressions)
        raise CommandError(f'couldn\'t convert expressions - "[{shown}]" to map-based '
                           "selector format")
    return dict(selector.get("matchLabels") or {})


def _containers(obj: dict) -> list[dict]:
    spec = obj.get("spec") or {}
    if obj["kind"] != "Pod":
        spec = ((spec.get("template") or {}).get("spec")) or {}
    return list(spec.get("containers") or [])


def ports_of(obj: dict) -> list[tuple[int, str]]:
    """``(port, protocol)`` for every port an object declares (``PortsForObject`` with
    ``ProtocolsForObject``)."""
    if obj["kind"] == "Service":
        return [(p["port"], p.get("protocol", "TCP")) for p in obj["spec"].get("ports") or []]
    return [(p["containerPort"], p.get("protocol", "TCP"))
            for c in _containers(obj) for p in c.get("ports") or [] if "containerPort" in p]


def build_service(obj: dict, parsed: ParsedArgs) -> dict:
    """The Service ``kubectl expose`` sends for ``obj`` (``createService``)."""
    try:
        selector = (_pairs(parsed["selector"], "selector") if parsed["selector"]
                    else selector_of(obj))
    except CommandError as error:
        raise UsageError("couldn't retrieve selectors via --selector flag or introspection: "
                         f"{error.message}") from None
    headless = parsed["cluster-ip"] == "None"
    declared = ports_of(obj)
    if parsed["port"]:
        numbers = [p.strip() for p in parsed["port"].split(",") if p.strip()]
    else:
        numbers = [str(number) for number, _ in declared]
        if not numbers and not headless:
            raise UsageError("couldn't find port via --port flag or introspection")
    protocols = {str(number): protocol for number, protocol in declared}
    ports = []
    for i, text in enumerate(numbers):
        try:
            number = int(text)
        except ValueError:
            raise CommandError(f'strconv.Atoi: parsing "{text}": invalid syntax') from None
        port: dict = {"port": number,
                      "protocol": parsed["protocol"] or protocols.get(text, "TCP")}
        if len(numbers) > 1:
            port = {"name": f"port-{i + 1}", **port}
        target = parsed["target-port"]
        port["targetPort"] = (int(target) if target.isdigit() else target) if target else number
        ports.append(port)
    labels = _pairs(parsed["labels"], "labels") if parsed["labels"] else \
        dict(obj["metadata"].get("labels") or {})
    meta: dict = {"name": parsed["name"] or obj["metadata"]["name"][:MAX_NAME_LENGTH]}
    if labels:
        meta["labels"] = labels
    spec: dict = {"ports": ports, "selector": selector}
    if parsed["type"]:
        spec["type"] = parsed["type"]
    if parsed["external-ip"]:
        spec["externalIPs"] = [parsed["external-ip"]]
    if parsed["type"] == "LoadBalancer" and parsed["load-balancer-ip"]:
        spec["loadBalancerIP"] = parsed["load-balancer-ip"]
    affinity = parsed["session-affinity"]
    if affinity:
        if affinity not in ("ClientIP", "None"):
            raise CommandError(f"unknown session affinity: {affinity}")
        spec["sessionAffinity"] = affinity
    if parsed["cluster-ip"]:
        spec["clusterIP"] = parsed["cluster-ip"]
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec}


def run(ctx: Context, parsed: ParsedArgs) -> None:
    output = parsed["output"]
    check_output_format(output)
    dry_run = check_dry_run(parsed["dry-run"])
    targets = targets_from_files(ctx, parsed["filename"]) if parsed["filename"] \
        else targets_of(parsed.args)
    if not targets:
        raise UsageError("You must provide one or more resources by argument or filename.\n"
                         "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                         "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    for target in targets:
        if target.names is None:
            raise CommandError("resource(s) were provided, but no name was specified")
        for name in target.names:
            obj = ctx.api.get(target.kind.kind, name, target.namespace or ctx.namespace)
            if obj["kind"] not in EXPOSABLE_KINDS:
                group = f".{target.kind.group}" if target.kind.group else ""
                raise CommandError(f"cannot expose a {obj['kind']}{group}")
            _expose(ctx, obj, parsed, output, dry_run)


def _expose(ctx: Context, obj: dict, parsed: ParsedArgs, output: str, dry_run: str) -> None:
    service = build_service(obj, parsed)
    name = service["metadata"]["name"]
    if is_dry_run(dry_run):
        shown = {**service, "metadata": {"creationTimestamp": None, **service["metadata"]},
                 "status": {"loadBalancer": {}}}
        print_created(ctx, shown, output, dry_run, f"service/{name}", "exposed")
        return
    service["metadata"]["namespace"] = obj["metadata"].get("namespace", ctx.namespace)
    print_created(ctx, ctx.api.create(service), output, dry_run, f"service/{name}", "exposed")


COMMAND = Command(
    name="expose",
    short="Take a replication controller, service, deployment or pod and expose it as a new "
          "Kubernetes service.",
    usage="kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] "
          "[--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] "
          "[--type=type] [options]",
    run=run,
    examples="""  # Create a service for a replicated nginx, which serves on port 80 and connects to
  # the containers on port 8000
  kubectl expose deployment nginx --port=80 --target-port=8000

  # Create a service for a pod valid-pod, which serves on port 444 with the name "frontend"
  kubectl expose pod valid-pod --port=444 --name=frontend

  # Create a second service based on the above service, exposing the container port 8443 as
  # port 443 with the name "nginx-https"
  kubectl expose service nginx --port=443 --target-port=8443 --name=nginx-https

  # Expose the Kubernetes Bootcamp deployment on a port of every node
  kubectl expose deployment/kubernetes-bootcamp --type="NodePort" --port 8080
""",
    flags=(
        Flag("port", help="The port that the service should serve on. Copied from the resource "
             "being exposed, if unspecified"),
        Flag("target-port", help="Name or number for the port on the container that the service "
             "should direct traffic to. Optional."),
        Flag("protocol", help="The network protocol for the service to be created. Default is "
             "'TCP'."),
        Flag("name", help="The name for the newly created object."),
        Flag("type", help="Type for this service: ClusterIP, NodePort, LoadBalancer, or "
             "ExternalName. Default is 'ClusterIP'."),
        Flag("selector", help="A label selector to use for this service. Only equality-based "
             "selector requirements are supported. If empty (the default) infer the selector "
             "from the replication controller or replica set.)"),
        Flag("labels", "l", help="Labels to apply to the service created by this call."),
        Flag("external-ip", help="Additional external IP address (not managed by Kubernetes) to "
             "accept for the service."),
        Flag("load-balancer-ip", help="IP to assign to the LoadBalancer. If empty, an ephemeral "
             "IP will be created and used (cloud-provider specific)."),
        Flag("session-affinity", help="If non-empty, set the session affinity for the service to "
             "this; legal values: 'None', 'ClientIP'"),
        Flag("cluster-ip", help="ClusterIP to be assigned to the service. Leave empty to "
             "auto-allocate, or set to 'None' to create a headless service."),
        Flag("dry-run", optional_value="client", help='Must be "none", "server", or "client".'),
        OUTPUT_FLAG,
        FILENAME_FLAG,
    ),
)
