"""Strict decoding: the API server refuses fields it does not know and values of the wrong type.

Before it defaults or validates anything, kube-apiserver decodes the JSON body into the Go
structs of the kind (``k8s.io/api/core/v1/types.go``, ``apps/v1/types.go`` ...). Since
Kubernetes 1.27 kubectl asks for *strict* field validation, so a misspelt field is an error
instead of being silently dropped::

    Deployment in version "v1" cannot be handled as a Deployment:
    strict decoding error: unknown field "spec.replicasx"

and a value of the wrong JSON type is Go's ``encoding/json`` error, naming the innermost struct,
the path of JSON field names and the Go type::

    json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value
    of type string

This module holds those structs as a table of field names and Go types, for every kind the
simulated cluster serves, and decodes an object against it. Each struct lists *all* the fields
of its upstream counterpart (Kubernetes 1.33), so a manifest that a real cluster accepts is
accepted here; the tests check the table against the published OpenAPI schema. Sub-structs the
simulator has no use for (cloud and legacy volume plugins, ephemeral containers, dynamic resource
claims) are accepted without looking inside them (:data:`UNCHECKED`).

Sources: ``staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go`` (the "cannot be
handled as" wording), ``sigs.k8s.io/json`` (strict decoding), Go's ``encoding/json`` and
``encoding/base64`` (their error texts), ``staging/src/k8s.io/api`` (the structs).
"""

from __future__ import annotations

import functools
import re

from k8skit.api.errors import BadRequest
from k8skit.api.quantity import QuantityError, json_number_text, parse_quantity

STRING, BOOL, INT32, INT64 = "string", "bool", "int32", "int64"
QUANTITY = "resource.Quantity"
INT_OR_STRING = "intstr.IntOrString"
TIME, MICRO_TIME = "v1.Time", "v1.MicroTime"
BYTES = "[]uint8"  # how Go names []byte in its messages
UNCHECKED = "unchecked"  # a real field whose content is accepted as is

# Named string types (``type RestartPolicy string``): Go's messages use these names.
NAMED_STRINGS = {
    "v1.AddressType", "v1.ConditionStatus", "v1.DNSPolicy", "v1.DeploymentConditionType",
    "v1.DeploymentStrategyType", "v1.IPFamily", "v1.IPFamilyPolicy",
    "v1.LabelSelectorOperator", "v1.NamespaceConditionType", "v1.NamespacePhase",
    "v1.NodeAddressType", "v1.NodeConditionType", "v1.NodePhase", "v1.NodeSelectorOperator",
    "v1.PersistentVolumeAccessMode", "v1.PersistentVolumeClaimConditionType",
    "v1.PersistentVolumeClaimPhase", "v1.PersistentVolumeMode", "v1.PersistentVolumePhase",
    "v1.PersistentVolumeReclaimPolicy", "v1.PodConditionType", "v1.PodPhase", "v1.Protocol",
    "v1.PullPolicy", "v1.ReplicaSetConditionType", "v1.ResourceName", "v1.RestartPolicy",
    "v1.SecretType", "v1.ServiceAffinity", "v1.ServiceExternalTrafficPolicy",
    "v1.ServiceInternalTrafficPolicy", "v1.ServiceType", "v1.StorageMedium", "v1.TaintEffect",
    "v1.TerminationMessagePolicy", "v1.TolerationOperator", "v1.URIScheme",
    "v1.VolumeBindingMode", "v1.HostPathType", "v1.ContainerRestartPolicy",
    "v1.PreemptionPolicy", "v1.PodQOSClass", "v1.Capability", "v1.MountPropagationMode",
    "v1.ManagedFieldsOperationType", "v1.UniqueVolumeName", "v1.ResourceResizeRestartPolicy",
}
# Named map types, and what they are maps of.
NAMED_MAPS = {"v1.ResourceList": "map[string]resource.Quantity"}

_LIST = "[]"
_MAP = "map[string]"

# The Go structs, field by field. Field order follows the upstream OpenAPI listing.
STRUCTS: dict[str, dict[str, str]] = {
    # -- apimachinery/pkg/apis/meta/v1 ---------------------------------------------------------
    "v1.ObjectMeta": {
        "annotations": "map[string]string", "creationTimestamp": TIME,
        "deletionGracePeriodSeconds": INT64, "deletionTimestamp": TIME, "finalizers": "[]string",
        "generateName": STRING, "generation": INT64, "labels": "map[string]string",
        "managedFields": "[]v1.ManagedFieldsEntry", "name": STRING, "namespace": STRING,
        "ownerReferences": "[]v1.OwnerReference", "resourceVersion": STRING, "selfLink": STRING,
        "uid": STRING,
    },
    "v1.ManagedFieldsEntry": {
        "apiVersion": STRING, "fieldsType": STRING, "fieldsV1": UNCHECKED, "manager": STRING,
        "operation": "v1.ManagedFieldsOperationType", "subresource": STRING, "time": TIME,
    },
    "v1.OwnerReference": {
        "apiVersion": STRING, "blockOwnerDeletion": BOOL, "controller": BOOL, "kind": STRING,
        "name": STRING, "uid": STRING,
    },
    "v1.LabelSelector": {
        "matchExpressions": "[]v1.LabelSelectorRequirement", "matchLabels": "map[string]string",
    },
    "v1.LabelSelectorRequirement": {
        "key": STRING, "operator": "v1.LabelSelectorOperator", "values": "[]string",
    },
    "v1.Condition": {
        "lastTransitionTime": TIME, "message": STRING, "observedGeneration": INT64,
        "reason": STRING, "status": "v1.ConditionStatus", "type": STRING,
    },
    # -- core/v1: Namespace, Node --------------------------------------------------------------
    "v1.Namespace": {
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta",
        "spec": "v1.NamespaceSpec", "status": "v1.NamespaceStatus",
    },
    "v1.NamespaceSpec": {"finalizers": "[]string"},
    "v1.NamespaceStatus": {
        "conditions": "[]v1.NamespaceCondition", "phase": "v1.NamespacePhase",
    },
    "v1.NamespaceCondition": {
        "lastTransitionTime": TIME, "message": STRING, "reason": STRING,
        "status": "v1.ConditionStatus", "type": "v1.NamespaceConditionType",
    },
    "v1.Node": {
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta", "spec": "v1.NodeSpec",
        "status": "v1.NodeStatus",
    },
    "v1.NodeSpec": {
        "configSource": UNCHECKED, "externalID": STRING, "podCIDR": STRING,
        "podCIDRs": "[]string", "providerID": STRING, "taints": "[]v1.Taint",
        "unschedulable": BOOL,
    },
    "v1.Taint": {
        "effect": "v1.TaintEffect", "key": STRING, "timeAdded": TIME, "value": STRING,
    },
    "v1.NodeStatus": {
        "addresses": "[]v1.NodeAddress", "allocatable": "v1.ResourceList",
        "capacity": "v1.ResourceList", "conditions": "[]v1.NodeCondition", "config": UNCHECKED,
        "daemonEndpoints": "v1.NodeDaemonEndpoints", "features": "v1.NodeFeatures",
        "images": "[]v1.ContainerImage", "nodeInfo": "v1.NodeSystemInfo",
        "phase": "v1.NodePhase", "runtimeHandlers": "[]v1.NodeRuntimeHandler",
        "volumesAttached": "[]v1.AttachedVolume", "volumesInUse": "[]v1.UniqueVolumeName",
    },
    "v1.NodeAddress": {"address": STRING, "type": "v1.NodeAddressType"},
    "v1.NodeCondition": {
        "lastHeartbeatTime": TIME, "lastTransitionTime": TIME, "message": STRING,
        "reason": STRING, "status": "v1.ConditionStatus", "type": "v1.NodeConditionType",
    },
    "v1.NodeDaemonEndpoints": {"kubeletEndpoint": "v1.DaemonEndpoint"},
    "v1.DaemonEndpoint": {"Port": INT32},
    "v1.NodeFeatures": {"supplementalGroupsPolicy": BOOL},
    "v1.ContainerImage": {"names": "[]string", "sizeBytes": INT64},
    "v1.NodeSystemInfo": {
        "architecture": STRING, "bootID": STRING, "containerRuntimeVersion": STRING,
        "kernelVersion": STRING, "kubeProxyVersion": STRING, "kubeletVersion": STRING,
        "machineID": STRING, "operatingSystem": STRING, "osImage": STRING,
        "swap": "v1.NodeSwapStatus", "systemUUID": STRING,
    },
    "v1.NodeSwapStatus": {"capacity": INT64},
    "v1.NodeRuntimeHandler": {"features": "v1.NodeRuntimeHandlerFeatures", "name": STRING},
    "v1.NodeRuntimeHandlerFeatures": {"recursiveReadOnlyMounts": BOOL, "userNamespaces": BOOL},
    "v1.AttachedVolume": {"devicePath": STRING, "name": "v1.UniqueVolumeName"},
    # -- core/v1: Pod --------------------------------------------------------------------------
    "v1.Pod": {
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta", "spec": "v1.PodSpec",
        "status": "v1.PodStatus",
    },
    "v1.PodTemplateSpec": {"metadata": "v1.ObjectMeta", "spec": "v1.PodSpec"},
    "v1.PodSpec": {
        "activeDeadlineSeconds": INT64, "affinity": "v1.Affinity",
        "automountServiceAccountToken": BOOL, "containers": "[]v1.Container",
        "dnsConfig": "v1.PodDNSConfig", "dnsPolicy": "v1.DNSPolicy", "enableServiceLinks": BOOL,
        "ephemeralContainers": UNCHECKED, "hostAliases": "[]v1.HostAlias", "hostIPC": BOOL,
        "hostNetwork": BOOL, "hostPID": BOOL, "hostUsers": BOOL, "hostname": STRING,
        "imagePullSecrets": "[]v1.LocalObjectReference", "initContainers": "[]v1.Container",
        "nodeName": STRING, "nodeSelector": "map[string]string", "os": "v1.PodOS",
        "overhead": "v1.ResourceList", "preemptionPolicy": "v1.PreemptionPolicy",
        "priority": INT32, "priorityClassName": STRING,
        "readinessGates": "[]v1.PodReadinessGate", "resourceClaims": UNCHECKED,
        "resources": "v1.ResourceRequirements", "restartPolicy": "v1.RestartPolicy",
        "runtimeClassName": STRING, "schedulerName": STRING,
        "schedulingGates": "[]v1.PodSchedulingGate", "securityContext": "v1.PodSecurityContext",
        "serviceAccount": STRING, "serviceAccountName": STRING, "setHostnameAsFQDN": BOOL,
        "shareProcessNamespace": BOOL, "subdomain": STRING,
        "terminationGracePeriodSeconds": INT64, "tolerations": "[]v1.Toleration",
        "topologySpreadConstraints": "[]v1.TopologySpreadConstraint",
        "volumes": "[]v1.Volume",
    },
    "v1.Container": {
        "args": "[]string", "command": "[]string", "env": "[]v1.EnvVar",
        "envFrom": "[]v1.EnvFromSource", "image": STRING, "imagePullPolicy": "v1.PullPolicy",
        "lifecycle": "v1.Lifecycle", "livenessProbe": "v1.Probe", "name": STRING,
        "ports": "[]v1.ContainerPort", "readinessProbe": "v1.Probe",
        "resizePolicy": "[]v1.ContainerResizePolicy", "resources": "v1.ResourceRequirements",
        "restartPolicy": "v1.ContainerRestartPolicy", "securityContext": "v1.SecurityContext",
        "startupProbe": "v1.Probe", "stdin": BOOL, "stdinOnce": BOOL,
        "terminationMessagePath": STRING,
        "terminationMessagePolicy": "v1.TerminationMessagePolicy", "tty": BOOL,
        "volumeDevices": "[]v1.VolumeDevice", "volumeMounts": "[]v1.VolumeMount",
        "workingDir": STRING,
    },
    "v1.ContainerPort": {
        "containerPort": INT32, "hostIP": STRING, "hostPort": INT32, "name": STRING,
        "protocol": "v1.Protocol",
    },
    "v1.EnvVar": {"name": STRING, "value": STRING, "valueFrom": "v1.EnvVarSource"},
    "v1.EnvVarSource": {
        "configMapKeyRef": "v1.ConfigMapKeySelector", "fieldRef": "v1.ObjectFieldSelector",
        "resourceFieldRef": "v1.ResourceFieldSelector", "secretKeyRef": "v1.SecretKeySelector",
    },
    "v1.ConfigMapKeySelector": {"key": STRING, "name": STRING, "optional": BOOL},
    "v1.SecretKeySelector": {"key": STRING, "name": STRING, "optional": BOOL},
    "v1.ObjectFieldSelector": {"apiVersion": STRING, "fieldPath": STRING},
    "v1.ResourceFieldSelector": {
        "containerName": STRING, "divisor": QUANTITY, "resource": STRING,
    },
    "v1.EnvFromSource": {
        "configMapRef": "v1.ConfigMapEnvSource", "prefix": STRING,
        "secretRef": "v1.SecretEnvSource",
    },
    "v1.ConfigMapEnvSource": {"name": STRING, "optional": BOOL},
    "v1.SecretEnvSource": {"name": STRING, "optional": BOOL},
    "v1.ResourceRequirements": {
        "claims": UNCHECKED, "limits": "v1.ResourceList", "requests": "v1.ResourceList",
    },
    "v1.ContainerResizePolicy": {
        "resourceName": "v1.ResourceName", "restartPolicy": "v1.ResourceResizeRestartPolicy",
    },
    "v1.VolumeMount": {
        "mountPath": STRING, "mountPropagation": "v1.MountPropagationMode", "name": STRING,
        "readOnly": BOOL, "recursiveReadOnly": STRING, "subPath": STRING, "subPathExpr": STRING,
    },
    "v1.VolumeDevice": {"devicePath": STRING, "name": STRING},
    "v1.Probe": {
        "exec": "v1.ExecAction", "failureThreshold": INT32, "grpc": "v1.GRPCAction",
        "httpGet": "v1.HTTPGetAction", "initialDelaySeconds": INT32, "periodSeconds": INT32,
        "successThreshold": INT32, "tcpSocket": "v1.TCPSocketAction",
        "terminationGracePeriodSeconds": INT64, "timeoutSeconds": INT32,
    },
    "v1.ExecAction": {"command": "[]string"},
    "v1.HTTPGetAction": {
        "host": STRING, "httpHeaders": "[]v1.HTTPHeader", "path": STRING,
        "port": INT_OR_STRING, "scheme": "v1.URIScheme",
    },
    "v1.HTTPHeader": {"name": STRING, "value": STRING},
    "v1.TCPSocketAction": {"host": STRING, "port": INT_OR_STRING},
    "v1.GRPCAction": {"port": INT32, "service": STRING},
    "v1.Lifecycle": {
        "postStart": "v1.LifecycleHandler", "preStop": "v1.LifecycleHandler",
        "stopSignal": STRING,
    },
    "v1.LifecycleHandler": {
        "exec": "v1.ExecAction", "httpGet": "v1.HTTPGetAction", "sleep": "v1.SleepAction",
        "tcpSocket": "v1.TCPSocketAction",
    },
    "v1.SleepAction": {"seconds": INT64},
    "v1.SecurityContext": {
        "allowPrivilegeEscalation": BOOL, "appArmorProfile": "v1.AppArmorProfile",
        "capabilities": "v1.Capabilities", "privileged": BOOL, "procMount": STRING,
        "readOnlyRootFilesystem": BOOL, "runAsGroup": INT64, "runAsNonRoot": BOOL,
        "runAsUser": INT64, "seLinuxOptions": "v1.SELinuxOptions",
        "seccompProfile": "v1.SeccompProfile", "windowsOptions": "v1.WindowsSecurityContextOptions",
    },
    "v1.Capabilities": {"add": "[]v1.Capability", "drop": "[]v1.Capability"},
    "v1.PodSecurityContext": {
        "appArmorProfile": "v1.AppArmorProfile", "fsGroup": INT64, "fsGroupChangePolicy": STRING,
        "runAsGroup": INT64, "runAsNonRoot": BOOL, "runAsUser": INT64,
        "seLinuxChangePolicy": STRING, "seLinuxOptions": "v1.SELinuxOptions",
        "seccompProfile": "v1.SeccompProfile", "supplementalGroups": "[]int64",
        "supplementalGroupsPolicy": STRING, "sysctls": "[]v1.Sysctl",
        "windowsOptions": "v1.WindowsSecurityContextOptions",
    },
    "v1.AppArmorProfile": {"localhostProfile": STRING, "type": STRING},
    "v1.SeccompProfile": {"localhostProfile": STRING, "type": STRING},
    "v1.SELinuxOptions": {"level": STRING, "role": STRING, "type": STRING, "user": STRING},
    "v1.Sysctl": {"name": STRING, "value": STRING},
    "v1.WindowsSecurityContextOptions": {
        "gmsaCredentialSpec": STRING, "gmsaCredentialSpecName": STRING, "hostProcess": BOOL,
        "runAsUserName": STRING,
    },
    "v1.Affinity": {
        "nodeAffinity": "v1.NodeAffinity", "podAffinity": "v1.PodAffinity",
        "podAntiAffinity": "v1.PodAntiAffinity",
    },
    "v1.NodeAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": "[]v1.PreferredSchedulingTerm",
        "requiredDuringSchedulingIgnoredDuringExecution": "v1.NodeSelector",
    },
    "v1.PreferredSchedulingTerm": {"preference": "v1.NodeSelectorTerm", "weight": INT32},
    "v1.NodeSelector": {"nodeSelectorTerms": "[]v1.NodeSelectorTerm"},
    "v1.NodeSelectorTerm": {
        "matchExpressions": "[]v1.NodeSelectorRequirement",
        "matchFields": "[]v1.NodeSelectorRequirement",
    },
    "v1.NodeSelectorRequirement": {
        "key": STRING, "operator": "v1.NodeSelectorOperator", "values": "[]string",
    },
    "v1.PodAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": "[]v1.WeightedPodAffinityTerm",
        "requiredDuringSchedulingIgnoredDuringExecution": "[]v1.PodAffinityTerm",
    },
    "v1.PodAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": "[]v1.WeightedPodAffinityTerm",
        "requiredDuringSchedulingIgnoredDuringExecution": "[]v1.PodAffinityTerm",
    },
    "v1.WeightedPodAffinityTerm": {"podAffinityTerm": "v1.PodAffinityTerm", "weight": INT32},
    "v1.PodAffinityTerm": {
        "labelSelector": "v1.LabelSelector", "matchLabelKeys": "[]string",
        "mismatchLabelKeys": "[]string", "namespaceSelector": "v1.LabelSelector",
        "namespaces": "[]string", "topologyKey": STRING,
    },
    "v1.Toleration": {
        "effect": "v1.TaintEffect", "key": STRING, "operator": "v1.TolerationOperator",
        "tolerationSeconds": INT64, "value": STRING,
    },
    "v1.TopologySpreadConstraint": {
        "labelSelector": "v1.LabelSelector", "matchLabelKeys": "[]string", "maxSkew": INT32,
        "minDomains": INT32, "nodeAffinityPolicy": STRING, "nodeTaintsPolicy": STRING,
        "topologyKey": STRING, "whenUnsatisfiable": STRING,
    },
    "v1.PodDNSConfig": {
        "nameservers": "[]string", "options": "[]v1.PodDNSConfigOption", "searches": "[]string",
    },
    "v1.PodDNSConfigOption": {"name": STRING, "value": STRING},
    "v1.HostAlias": {"hostnames": "[]string", "ip": STRING},
    "v1.PodOS": {"name": STRING},
    "v1.PodReadinessGate": {"conditionType": "v1.PodConditionType"},
    "v1.PodSchedulingGate": {"name": STRING},
    "v1.LocalObjectReference": {"name": STRING},
    "v1.Volume": {
        "awsElasticBlockStore": UNCHECKED, "azureDisk": UNCHECKED, "azureFile": UNCHECKED,
        "cephfs": UNCHECKED, "cinder": UNCHECKED, "configMap": "v1.ConfigMapVolumeSource",
        "csi": "v1.CSIVolumeSource", "downwardAPI": "v1.DownwardAPIVolumeSource",
        "emptyDir": "v1.EmptyDirVolumeSource", "ephemeral": UNCHECKED, "fc": UNCHECKED,
        "flexVolume": UNCHECKED, "flocker": UNCHECKED, "gcePersistentDisk": UNCHECKED,
        "gitRepo": UNCHECKED, "glusterfs": UNCHECKED, "hostPath": "v1.HostPathVolumeSource",
        "image": "v1.ImageVolumeSource", "iscsi": UNCHECKED, "name": STRING,
        "nfs": "v1.NFSVolumeSource",
        "persistentVolumeClaim": "v1.PersistentVolumeClaimVolumeSource",
        "photonPersistentDisk": UNCHECKED, "portworxVolume": UNCHECKED,
        "projected": "v1.ProjectedVolumeSource", "quobyte": UNCHECKED, "rbd": UNCHECKED,
        "scaleIO": UNCHECKED, "secret": "v1.SecretVolumeSource", "storageos": UNCHECKED,
        "vsphereVolume": UNCHECKED,
    },
    "v1.ConfigMapVolumeSource": {
        "defaultMode": INT32, "items": "[]v1.KeyToPath", "name": STRING, "optional": BOOL,
    },
    "v1.SecretVolumeSource": {
        "defaultMode": INT32, "items": "[]v1.KeyToPath", "optional": BOOL, "secretName": STRING,
    },
    "v1.KeyToPath": {"key": STRING, "mode": INT32, "path": STRING},
    "v1.CSIVolumeSource": {
        "driver": STRING, "fsType": STRING, "nodePublishSecretRef": "v1.LocalObjectReference",
        "readOnly": BOOL, "volumeAttributes": "map[string]string",
    },
    "v1.DownwardAPIVolumeSource": {
        "defaultMode": INT32, "items": "[]v1.DownwardAPIVolumeFile",
    },
    "v1.DownwardAPIVolumeFile": {
        "fieldRef": "v1.ObjectFieldSelector", "mode": INT32, "path": STRING,
        "resourceFieldRef": "v1.ResourceFieldSelector",
    },
    "v1.EmptyDirVolumeSource": {"medium": "v1.StorageMedium", "sizeLimit": QUANTITY},
    "v1.HostPathVolumeSource": {"path": STRING, "type": "v1.HostPathType"},
    "v1.ImageVolumeSource": {"pullPolicy": "v1.PullPolicy", "reference": STRING},
    "v1.NFSVolumeSource": {"path": STRING, "readOnly": BOOL, "server": STRING},
    "v1.PersistentVolumeClaimVolumeSource": {"claimName": STRING, "readOnly": BOOL},
    "v1.ProjectedVolumeSource": {"defaultMode": INT32, "sources": "[]v1.VolumeProjection"},
    "v1.VolumeProjection": {
        "clusterTrustBundle": UNCHECKED, "configMap": "v1.ConfigMapProjection",
        "downwardAPI": "v1.DownwardAPIProjection", "secret": "v1.SecretProjection",
        "serviceAccountToken": "v1.ServiceAccountTokenProjection",
    },
    "v1.ConfigMapProjection": {"items": "[]v1.KeyToPath", "name": STRING, "optional": BOOL},
    "v1.SecretProjection": {"items": "[]v1.KeyToPath", "name": STRING, "optional": BOOL},
    "v1.DownwardAPIProjection": {"items": "[]v1.DownwardAPIVolumeFile"},
    "v1.ServiceAccountTokenProjection": {
        "audience": STRING, "expirationSeconds": INT64, "path": STRING,
    },
    "v1.PodStatus": {
        "conditions": "[]v1.PodCondition", "containerStatuses": "[]v1.ContainerStatus",
        "ephemeralContainerStatuses": "[]v1.ContainerStatus", "hostIP": STRING,
        "hostIPs": "[]v1.HostIP", "initContainerStatuses": "[]v1.ContainerStatus",
        "message": STRING, "nominatedNodeName": STRING, "observedGeneration": INT64,
        "phase": "v1.PodPhase", "podIP": STRING, "podIPs": "[]v1.PodIP",
        "qosClass": "v1.PodQOSClass", "reason": STRING, "resize": STRING,
        "resourceClaimStatuses": UNCHECKED, "startTime": TIME,
    },
    "v1.PodCondition": {
        "lastProbeTime": TIME, "lastTransitionTime": TIME, "message": STRING,
        "observedGeneration": INT64, "reason": STRING, "status": "v1.ConditionStatus",
        "type": "v1.PodConditionType",
    },
    "v1.HostIP": {"ip": STRING},
    "v1.PodIP": {"ip": STRING},
    "v1.ContainerStatus": {
        "allocatedResources": "v1.ResourceList", "allocatedResourcesStatus": UNCHECKED,
        "containerID": STRING, "image": STRING, "imageID": STRING,
        "lastState": "v1.ContainerState", "name": STRING, "ready": BOOL,
        "resources": "v1.ResourceRequirements", "restartCount": INT32, "started": BOOL,
        "state": "v1.ContainerState", "stopSignal": STRING, "user": "v1.ContainerUser",
        "volumeMounts": "[]v1.VolumeMountStatus",
    },
    "v1.ContainerState": {
        "running": "v1.ContainerStateRunning", "terminated": "v1.ContainerStateTerminated",
        "waiting": "v1.ContainerStateWaiting",
    },
    "v1.ContainerStateRunning": {"startedAt": TIME},
    "v1.ContainerStateTerminated": {
        "containerID": STRING, "exitCode": INT32, "finishedAt": TIME, "message": STRING,
        "reason": STRING, "signal": INT32, "startedAt": TIME,
    },
    "v1.ContainerStateWaiting": {"message": STRING, "reason": STRING},
    "v1.ContainerUser": {"linux": "v1.LinuxContainerUser"},
    "v1.LinuxContainerUser": {"gid": INT64, "supplementalGroups": "[]int64", "uid": INT64},
    "v1.VolumeMountStatus": {
        "mountPath": STRING, "name": STRING, "readOnly": BOOL, "recursiveReadOnly": STRING,
    },
    # -- apps/v1 -------------------------------------------------------------------------------
    "v1.Deployment": {
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta",
        "spec": "v1.DeploymentSpec", "status": "v1.DeploymentStatus",
    },
    "v1.DeploymentSpec": {
        "minReadySeconds": INT32, "paused": BOOL, "progressDeadlineSeconds": INT32,
        "replicas": INT32, "revisionHistoryLimit": INT32, "selector": "v1.LabelSelector",
        "strategy": "v1.DeploymentStrategy", "template": "v1.PodTemplateSpec",
    },
    "v1.DeploymentStrategy": {
        "rollingUpdate": "v1.RollingUpdateDeployment", "type": "v1.DeploymentStrategyType",
    },
    "v1.RollingUpdateDeployment": {"maxSurge": INT_OR_STRING, "maxUnavailable": INT_OR_STRING},
    "v1.DeploymentStatus": {
        "availableReplicas": INT32, "collisionCount": INT32,
        "conditions": "[]v1.DeploymentCondition", "observedGeneration": INT64,
        "readyReplicas": INT32, "replicas": INT32, "terminatingReplicas": INT32,
        "unavailableReplicas": INT32, "updatedReplicas": INT32,
    },
    "v1.DeploymentCondition": {
        "lastTransitionTime": TIME, "lastUpdateTime": TIME, "message": STRING, "reason": STRING,
        "status": "v1.ConditionStatus", "type": "v1.DeploymentConditionType",
    },
    "v1.ReplicaSet": {
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta",
        "spec": "v1.ReplicaSetSpec", "status": "v1.ReplicaSetStatus",
    },
    "v1.ReplicaSetSpec": {
        "minReadySeconds": INT32, "replicas": INT32, "selector": "v1.LabelSelector",
        "template": "v1.PodTemplateSpec",
    },
    "v1.ReplicaSetStatus": {
        "availableReplicas": INT32, "conditions": "[]v1.ReplicaSetCondition",
        "fullyLabeledReplicas": INT32, "observedGeneration": INT64, "readyReplicas": INT32,
        "replicas": INT32, "terminatingReplicas": INT32,
    },
    "v1.ReplicaSetCondition": {
        "lastTransitionTime": TIME, "message": STRING, "reason": STRING,
        "status": "v1.ConditionStatus", "type": "v1.ReplicaSetConditionType",
    },
    # -- core/v1: Service, Endpoints; discovery/v1: EndpointSlice -------------------------------
    "v1.Service": {
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta",
        "spec": "v1.ServiceSpec", "status": "v1.ServiceStatus",
    },
    "v1.ServiceSpec": {
        "allocateLoadBalancerNodePorts": BOOL, "clusterIP": STRING, "clusterIPs": "[]string",
        "externalIPs": "[]string", "externalName": STRING,
        "externalTrafficPolicy": "v1.ServiceExternalTrafficPolicy",
        "healthCheckNodePort": INT32,
        "internalTrafficPolicy": "v1.ServiceInternalTrafficPolicy",
        "ipFamilies": "[]v1.IPFamily", "ipFamilyPolicy": "v1.IPFamilyPolicy",
        "loadBalancerClass": STRING, "loadBalancerIP": STRING,
        "loadBalancerSourceRanges": "[]string", "ports": "[]v1.ServicePort",
        "publishNotReadyAddresses": BOOL, "selector": "map[string]string",
        "sessionAffinity": "v1.ServiceAffinity",
        "sessionAffinityConfig": "v1.SessionAffinityConfig", "trafficDistribution": STRING,
        "type": "v1.ServiceType",
    },
    "v1.ServicePort": {
        "appProtocol": STRING, "name": STRING, "nodePort": INT32, "port": INT32,
        "protocol": "v1.Protocol", "targetPort": INT_OR_STRING,
    },
    "v1.SessionAffinityConfig": {"clientIP": "v1.ClientIPConfig"},
    "v1.ClientIPConfig": {"timeoutSeconds": INT32},
    "v1.ServiceStatus": {
        "conditions": "[]v1.Condition", "loadBalancer": "v1.LoadBalancerStatus",
    },
    "v1.LoadBalancerStatus": {"ingress": "[]v1.LoadBalancerIngress"},
    "v1.LoadBalancerIngress": {
        "hostname": STRING, "ip": STRING, "ipMode": STRING, "ports": "[]v1.PortStatus",
    },
    "v1.PortStatus": {"error": STRING, "port": INT32, "protocol": "v1.Protocol"},
    "v1.Endpoints": {
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta",
        "subsets": "[]v1.EndpointSubset",
    },
    "v1.EndpointSubset": {
        "addresses": "[]v1.EndpointAddress", "notReadyAddresses": "[]v1.EndpointAddress",
        "ports": "[]v1.EndpointPort",
    },
    "v1.EndpointAddress": {
        "hostname": STRING, "ip": STRING, "nodeName": STRING, "targetRef": "v1.ObjectReference",
    },
    # core/v1 and discovery/v1 both have an EndpointPort, with the same four fields.
    "v1.EndpointPort": {
        "appProtocol": STRING, "name": STRING, "port": INT32, "protocol": "v1.Protocol",
    },
    "v1.ObjectReference": {
        "apiVersion": STRING, "fieldPath": STRING, "kind": STRING, "name": STRING,
        "namespace": STRING, "resourceVersion": STRING, "uid": STRING,
    },
    "v1.EndpointSlice": {
        "addressType": "v1.AddressType", "apiVersion": STRING, "endpoints": "[]v1.Endpoint",
        "kind": STRING, "metadata": "v1.ObjectMeta", "ports": "[]v1.EndpointPort",
    },
    "v1.Endpoint": {
        "addresses": "[]string", "conditions": "v1.EndpointConditions",
        "deprecatedTopology": "map[string]string", "hints": "v1.EndpointHints",
        "hostname": STRING, "nodeName": STRING, "targetRef": "v1.ObjectReference",
        "zone": STRING,
    },
    "v1.EndpointConditions": {"ready": BOOL, "serving": BOOL, "terminating": BOOL},
    "v1.EndpointHints": {"forNodes": "[]v1.ForNode", "forZones": "[]v1.ForZone"},
    "v1.ForNode": {"name": STRING},
    "v1.ForZone": {"name": STRING},
    # -- core/v1: configuration and storage; storage/v1 -----------------------------------------
    "v1.ConfigMap": {
        "apiVersion": STRING, "binaryData": f"map[string]{BYTES}", "data": "map[string]string",
        "immutable": BOOL, "kind": STRING, "metadata": "v1.ObjectMeta",
    },
    "v1.Secret": {
        "apiVersion": STRING, "data": f"map[string]{BYTES}", "immutable": BOOL, "kind": STRING,
        "metadata": "v1.ObjectMeta", "stringData": "map[string]string", "type": "v1.SecretType",
    },
    "v1.ServiceAccount": {
        "apiVersion": STRING, "automountServiceAccountToken": BOOL,
        "imagePullSecrets": "[]v1.LocalObjectReference", "kind": STRING,
        "metadata": "v1.ObjectMeta", "secrets": "[]v1.ObjectReference",
    },
    "v1.PersistentVolume": {
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta",
        "spec": "v1.PersistentVolumeSpec", "status": "v1.PersistentVolumeStatus",
    },
    "v1.PersistentVolumeSpec": {
        "accessModes": "[]v1.PersistentVolumeAccessMode", "awsElasticBlockStore": UNCHECKED,
        "azureDisk": UNCHECKED, "azureFile": UNCHECKED, "capacity": "v1.ResourceList",
        "cephfs": UNCHECKED, "cinder": UNCHECKED, "claimRef": "v1.ObjectReference",
        "csi": UNCHECKED, "fc": UNCHECKED, "flexVolume": UNCHECKED, "flocker": UNCHECKED,
        "gcePersistentDisk": UNCHECKED, "glusterfs": UNCHECKED,
        "hostPath": "v1.HostPathVolumeSource", "iscsi": UNCHECKED,
        "local": "v1.LocalVolumeSource", "mountOptions": "[]string",
        "nfs": "v1.NFSVolumeSource", "nodeAffinity": "v1.VolumeNodeAffinity",
        "persistentVolumeReclaimPolicy": "v1.PersistentVolumeReclaimPolicy",
        "photonPersistentDisk": UNCHECKED, "portworxVolume": UNCHECKED, "quobyte": UNCHECKED,
        "rbd": UNCHECKED, "scaleIO": UNCHECKED, "storageClassName": STRING,
        "storageos": UNCHECKED, "volumeAttributesClassName": STRING,
        "volumeMode": "v1.PersistentVolumeMode", "vsphereVolume": UNCHECKED,
    },
    "v1.LocalVolumeSource": {"fsType": STRING, "path": STRING},
    "v1.VolumeNodeAffinity": {"required": "v1.NodeSelector"},
    "v1.PersistentVolumeStatus": {
        "lastPhaseTransitionTime": TIME, "message": STRING,
        "phase": "v1.PersistentVolumePhase", "reason": STRING,
    },
    "v1.PersistentVolumeClaim": {
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta",
        "spec": "v1.PersistentVolumeClaimSpec", "status": "v1.PersistentVolumeClaimStatus",
    },
    "v1.PersistentVolumeClaimSpec": {
        "accessModes": "[]v1.PersistentVolumeAccessMode",
        "dataSource": "v1.TypedLocalObjectReference", "dataSourceRef": "v1.TypedObjectReference",
        "resources": "v1.VolumeResourceRequirements", "selector": "v1.LabelSelector",
        "storageClassName": STRING, "volumeAttributesClassName": STRING,
        "volumeMode": "v1.PersistentVolumeMode", "volumeName": STRING,
    },
    "v1.TypedLocalObjectReference": {"apiGroup": STRING, "kind": STRING, "name": STRING},
    "v1.TypedObjectReference": {
        "apiGroup": STRING, "kind": STRING, "name": STRING, "namespace": STRING,
    },
    "v1.VolumeResourceRequirements": {"limits": "v1.ResourceList", "requests": "v1.ResourceList"},
    "v1.PersistentVolumeClaimStatus": {
        "accessModes": "[]v1.PersistentVolumeAccessMode",
        "allocatedResourceStatuses": "map[string]string",
        "allocatedResources": "v1.ResourceList", "capacity": "v1.ResourceList",
        "conditions": "[]v1.PersistentVolumeClaimCondition",
        "currentVolumeAttributesClassName": STRING, "modifyVolumeStatus": "v1.ModifyVolumeStatus",
        "phase": "v1.PersistentVolumeClaimPhase",
    },
    "v1.PersistentVolumeClaimCondition": {
        "lastProbeTime": TIME, "lastTransitionTime": TIME, "message": STRING, "reason": STRING,
        "status": "v1.ConditionStatus", "type": "v1.PersistentVolumeClaimConditionType",
    },
    "v1.ModifyVolumeStatus": {"status": STRING, "targetVolumeAttributesClassName": STRING},
    "v1.StorageClass": {
        "allowVolumeExpansion": BOOL, "allowedTopologies": "[]v1.TopologySelectorTerm",
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta",
        "mountOptions": "[]string", "parameters": "map[string]string", "provisioner": STRING,
        "reclaimPolicy": "v1.PersistentVolumeReclaimPolicy",
        "volumeBindingMode": "v1.VolumeBindingMode",
    },
    "v1.TopologySelectorTerm": {
        "matchLabelExpressions": "[]v1.TopologySelectorLabelRequirement",
    },
    "v1.TopologySelectorLabelRequirement": {"key": STRING, "values": "[]string"},
    # -- core/v1: Event; coordination/v1: Lease -------------------------------------------------
    "v1.Event": {
        "action": STRING, "apiVersion": STRING, "count": INT32, "eventTime": MICRO_TIME,
        "firstTimestamp": TIME, "involvedObject": "v1.ObjectReference", "kind": STRING,
        "lastTimestamp": TIME, "message": STRING, "metadata": "v1.ObjectMeta", "reason": STRING,
        "related": "v1.ObjectReference", "reportingComponent": STRING,
        "reportingInstance": STRING, "series": "v1.EventSeries", "source": "v1.EventSource",
        "type": STRING,
    },
    "v1.EventSeries": {"count": INT32, "lastObservedTime": MICRO_TIME},
    "v1.EventSource": {"component": STRING, "host": STRING},
    "v1.Lease": {
        "apiVersion": STRING, "kind": STRING, "metadata": "v1.ObjectMeta",
        "spec": "v1.LeaseSpec",
    },
    "v1.LeaseSpec": {
        "acquireTime": MICRO_TIME, "holderIdentity": STRING, "leaseDurationSeconds": INT32,
        "leaseTransitions": INT32, "preferredHolder": STRING, "renewTime": MICRO_TIME,
        "strategy": STRING,
    },
}

# The Go struct of every kind the simulated API server serves.
KIND_TYPES = {
    kind: f"v1.{kind}"
    for kind in (
        "Namespace", "Node", "Pod", "Service", "Endpoints", "ConfigMap", "Secret",
        "ServiceAccount", "PersistentVolume", "PersistentVolumeClaim", "Event", "Deployment",
        "ReplicaSet", "EndpointSlice", "StorageClass", "Lease",
    )
}


# -- decoding -----------------------------------------------------------------------------------
class _TypeError(Exception):
    """The first error that ends decoding (Go keeps the first one it meets)."""


def _json_kind(value: object) -> str:
    """The JSON type Go names in ``cannot unmarshal <kind>``."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


class _Decoder:
    """Walks one object against the table, as Go's decoder walks JSON into structs."""

    def __init__(self) -> None:
        self.unknown: list[str] = []

    def cannot(self, value: object, struct: str, fields: list[str], go_type: str,
               described: str | None = None) -> _TypeError:
        what = described or _json_kind(value)
        if not fields:
            return _TypeError(f"json: cannot unmarshal {what} into Go value of type {go_type}")
        return _TypeError(
            f"json: cannot unmarshal {what} into Go struct field "
            f"{struct.split('.', 1)[-1]}.{'.'.join(fields)} of type {go_type}"
        )

    def integer(self, value: object, struct: str, fields: list[str], go_type: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.cannot(value, struct, fields, go_type)
        bits = 32 if go_type == INT32 else 64
        whole = isinstance(value, int) or value.is_integer()
        if not whole or not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            text = str(value) if isinstance(value, int) else json_number_text(value)
            raise self.cannot(value, struct, fields, go_type, f"number {text}")

    def decode(self, value: object, go_type: str, struct: str, fields: list[str],
               path: str) -> None:
        if value is None or go_type == UNCHECKED:
            return  # JSON null leaves a Go field at its zero value
        shown, go_type = go_type, NAMED_MAPS.get(go_type, go_type)
        if go_type == STRING or go_type in NAMED_STRINGS:
            if not isinstance(value, str):
                raise self.cannot(value, struct, fields, go_type)
        elif go_type == BOOL:
            if not isinstance(value, bool):
                raise self.cannot(value, struct, fields, go_type)
        elif go_type in (INT32, INT64):
            self.integer(value, struct, fields, go_type)
        elif go_type == QUANTITY:
            # Quantity.UnmarshalJSON parses the raw JSON text; its errors carry no field.
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                value = "-"  # any non-number text fails with the pattern message
            try:
                parse_quantity(value)
            except QuantityError as error:
                raise _TypeError(str(error)) from None
        elif go_type == INT_OR_STRING:
            if not isinstance(value, str):
                self.integer(value, struct, fields, INT32)
        elif go_type in (TIME, MICRO_TIME):
            if not isinstance(value, str):
                raise self.cannot(value, struct, fields, STRING)
            if problem := rfc3339_problem(value):
                raise _TypeError(problem)
        elif go_type == BYTES:
            if not isinstance(value, str):
                raise self.cannot(value, struct, fields, go_type)
            if (position := base64_error_position(value)) is not None:
                raise _TypeError(f"illegal base64 data at input byte {position}")
        elif go_type.startswith(_LIST):
            if not isinstance(value, list):
                raise self.cannot(value, struct, fields, shown)
            for index, item in enumerate(value):
                self.decode(item, go_type[len(_LIST):], struct, fields, f"{path}[{index}]")
        elif go_type.startswith(_MAP):
            if not isinstance(value, dict):
                raise self.cannot(value, struct, fields, shown)
            for key, item in value.items():
                if not isinstance(key, str):
                    # JSON object keys are strings; a map keyed by anything else cannot decode.
                    raise self.cannot(key, struct, fields, "string")
                self.decode(item, go_type[len(_MAP):], struct, fields, f"{path}[{key}]")
        else:
            self.struct(value, go_type, struct, fields, path)

    def struct(self, value: object, go_type: str, parent: str, fields: list[str],
               path: str) -> None:
        if not isinstance(value, dict):
            raise self.cannot(value, parent, fields, go_type)
        known = STRUCTS[go_type]
        for name, item in value.items():
            field_path = f"{path}.{name}" if path else name
            if name not in known:
                self.unknown.append(field_path)
                continue
            self.decode(item, known[name], go_type, [*fields, name], field_path)


def decode_problem(obj: dict) -> str | None:
    """Why the API server could not decode ``obj`` into its kind's struct, or None.

    A type error wins over unknown fields, as in the API server (Go stops at type errors;
    unknown fields are only collected).
    """
    kind_type = KIND_TYPES.get(obj.get("kind", ""))
    if kind_type is None:
        return None  # a kind the API server does not serve is refused before decoding
    decoder = _Decoder()
    try:
        decoder.struct(obj, kind_type, kind_type, [], "")
    except _TypeError as error:
        return str(error)
    if decoder.unknown:
        return "strict decoding error: " + ", ".join(
            f'unknown field "{path}"' for path in decoder.unknown
        )
    return None


def strict_decode(obj: dict) -> None:
    """Raise :class:`~k8skit.api.errors.BadRequest` as the API server does for a bad body.

    ``Deployment in version "v1" cannot be handled as a Deployment: strict decoding error:
    unknown field "spec.replicasx"``. Call it before defaulting and validation.
    """
    problem = decode_problem(obj)
    if problem:
        kind = obj["kind"]
        version = str(obj.get("apiVersion", "")).rsplit("/", 1)[-1]
        raise BadRequest(f'{kind} in version "{version}" cannot be handled as a {kind}: {problem}')


# -- what a decode and encode round trip does to values ------------------------------------------
def normalize(obj: dict) -> dict:
    """Rewrite ``obj`` in place as the API server stores it after decoding and encoding.

    Quantities come back canonical (``cpu: 0.5`` is stored as ``"500m"``, ``memory: 1.5Gi`` as
    ``"1536Mi"``), whole numbers written as floats (``replicas: 3.0``) come back as integers,
    and a field set to ``null`` is unset, as Go leaves it (so ``replicas: null`` is defaulted
    like a missing ``replicas``). Values that would not decode are left alone for
    :func:`strict_decode` to report.
    """
    kind_type = KIND_TYPES.get(obj.get("kind", ""))
    if kind_type is not None:
        _normalize_struct(obj, kind_type)
    return obj


_ZEROS: dict[str, object] = {STRING: "", BOOL: False, INT32: 0, INT64: 0, QUANTITY: "0",
                             INT_OR_STRING: 0, BYTES: ""}


def _zero(go_type: str) -> object:
    """What Go stores for a ``null`` element of a list or map of ``go_type``."""
    if go_type in NAMED_STRINGS:
        return ""
    if go_type in STRUCTS:
        return {}
    return _ZEROS.get(go_type)


def _normalize(value: object, go_type: str) -> object:
    if go_type == UNCHECKED:
        return value
    go_type = NAMED_MAPS.get(go_type, go_type)
    if go_type == QUANTITY:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            try:
                return str(parse_quantity(value))
            except QuantityError:
                return value
        return value
    if go_type in (INT32, INT64, INT_OR_STRING):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if go_type.startswith(_LIST) and isinstance(value, list):
        item_type = go_type[len(_LIST):]
        return [_zero(item_type) if item is None else _normalize(item, item_type)
                for item in value]
    if go_type.startswith(_MAP) and isinstance(value, dict):
        item_type = go_type[len(_MAP):]
        return {key: _zero(item_type) if item is None else _normalize(item, item_type)
                for key, item in value.items()}
    if go_type in STRUCTS and isinstance(value, dict):
        _normalize_struct(value, go_type)
    return value


def _normalize_struct(value: dict, go_type: str) -> None:
    known = STRUCTS[go_type]
    for name in list(value):
        if value[name] is None:
            del value[name]
        elif name in known:
            value[name] = _normalize(value[name], known[name])


# -- Go's encoding/base64 and time.Parse, as far as their messages go --------------------------
_BASE64 = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def base64_error_position(text: str) -> int | None:
    """Where Go's ``base64.StdEncoding`` gives up on ``text``, or None when it decodes.

    Go skips line breaks, wants ``=`` padding to a multiple of 4 characters, and reports the
    byte where decoding failed: ``"admin"`` fails at byte 4 (the fifth character cannot stand
    alone), ``"ab$d"`` at byte 2.
    """
    data = text.encode("utf-8")
    position, end = 0, len(data)
    while position < end:
        filled = 0
        while filled < 4:
            if position == end:
                if filled == 0:
                    return None
                return position - filled
            byte = data[position]
            position += 1
            if byte in _BASE64:
                filled += 1
                continue
            if byte in b"\r\n":
                continue
            if byte != ord("=") or filled < 2:
                return position - 1
            # Padding: "==" after two characters, "=" after three, then only line breaks.
            if filled == 2:
                while position < end and data[position] in b"\r\n":
                    position += 1
                if position == end:
                    return end
                if data[position] != ord("="):
                    return position - 1
                position += 1
            while position < end and data[position] in b"\r\n":
                position += 1
            return position if position < end else None
    return None


_RFC3339_LAYOUT = "2006-01-02T15:04:05Z07:00"
_RFC3339_STEPS = [
    ("2006", r"\d{4}"), ("-", "-"), ("01", r"\d{2}"), ("-", "-"), ("02", r"\d{2}"), ("T", "T"),
    ("15", r"\d{2}"), (":", ":"), ("04", r"\d{2}"), (":", ":"), ("05", r"\d{2}(\.\d+)?"),
    ("Z07:00", r"Z|[+-]\d{2}:\d{2}"),
]


@functools.lru_cache(maxsize=4096)
def rfc3339_problem(text: str) -> str | None:
    """Go's ``time.Parse(time.RFC3339, text)`` error message, or None if it parses.

    Every event and status condition written in one simulated second carries the same
    timestamps, so each distinct text is checked once.
    """
    rest = text
    for element, pattern in _RFC3339_STEPS:
        match = re.match(pattern, rest)
        if not match:
            return (f'parsing time "{text}" as "{_RFC3339_LAYOUT}": '
                    f'cannot parse "{rest}" as "{element}"')
        rest = rest[match.end():]
    if rest:
        return f'parsing time "{text}": extra text: "{rest}"'
    fields = [("month", text[5:7], 1, 12), ("day", text[8:10], 1, 31),
              ("hour", text[11:13], 0, 23), ("minute", text[14:16], 0, 59),
              ("second", text[17:19], 0, 59)]
    for name, digits, low, high in fields:
        if not low <= int(digits) <= high:
            return f'parsing time "{text}": {name} out of range'
    return None
