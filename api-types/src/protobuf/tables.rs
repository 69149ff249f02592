//! Generated field tables for Kubernetes protobuf messages (facts: field number, JSON name,
//! kind, presence). Regenerate with /work/notes/protobuf-gen/gen.py; do not edit by hand.
//! Sources: the field numbers of k8s.io/api and k8s.io/apimachinery 1.32 `generated.proto`
//! and the JSON names, pointer-ness and `omitempty` of their Go struct tags.

use super::schema::Kind::*;
use super::schema::{Message, i, k, m, o, r};

/// Every known message, indexed by `Kind::Msg`.
#[rustfmt::skip]
pub(super) static MESSAGES: [Message; 477] = [
    // 0
    Message { name: "meta/v1 APIGroup", list_wrapper: false, fields: &[
        k(1, "name", Str),
        r(2, "versions", Msg(14)),
        o(3, "preferredVersion", Msg(14)),
        r(4, "serverAddressByClientCIDRs", Msg(31)),
    ] },
    // 1
    Message { name: "meta/v1 APIGroupList", list_wrapper: false, fields: &[
        r(1, "groups", Msg(0)),
    ] },
    // 2
    Message { name: "meta/v1 APIResource", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "namespaced", Bool),
        k(3, "kind", Str),
        k(4, "verbs", Msg(38)),
        r(5, "shortNames", Str),
        k(6, "singularName", Str),
        r(7, "categories", Str),
        o(8, "group", Str),
        o(9, "version", Str),
        o(10, "storageVersionHash", Str),
    ] },
    // 3
    Message { name: "meta/v1 APIResourceList", list_wrapper: false, fields: &[
        k(1, "groupVersion", Str),
        r(2, "resources", Msg(2)),
    ] },
    // 4
    Message { name: "meta/v1 APIVersions", list_wrapper: false, fields: &[
        r(1, "versions", Str),
        r(2, "serverAddressByClientCIDRs", Msg(31)),
    ] },
    // 5
    Message { name: "meta/v1 ApplyOptions", list_wrapper: false, fields: &[
        r(1, "dryRun", Str),
        k(2, "force", Bool),
        k(3, "fieldManager", Str),
    ] },
    // 6
    Message { name: "meta/v1 Condition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "observedGeneration", I64),
        k(4, "lastTransitionTime", Time),
        k(5, "reason", Str),
        k(6, "message", Str),
    ] },
    // 7
    Message { name: "meta/v1 CreateOptions", list_wrapper: false, fields: &[
        r(1, "dryRun", Str),
        o(3, "fieldManager", Str),
        o(4, "fieldValidation", Str),
    ] },
    // 8
    Message { name: "meta/v1 DeleteOptions", list_wrapper: false, fields: &[
        k(1, "gracePeriodSeconds", I64),
        k(2, "preconditions", Msg(29)),
        k(3, "orphanDependents", Bool),
        k(4, "propagationPolicy", Str),
        r(5, "dryRun", Str),
        k(6, "ignoreStoreReadErrorWithClusterBreakingPotential", Bool),
    ] },
    // 9
    Message { name: "meta/v1 FieldSelectorRequirement", list_wrapper: false, fields: &[
        k(1, "key", Str),
        k(2, "operator", Str),
        r(3, "values", Str),
    ] },
    // 10
    Message { name: "meta/v1 GetOptions", list_wrapper: false, fields: &[
        o(1, "resourceVersion", Str),
    ] },
    // 11
    Message { name: "meta/v1 GroupKind", list_wrapper: false, fields: &[
        k(1, "group", Str),
        k(2, "kind", Str),
    ] },
    // 12
    Message { name: "meta/v1 GroupResource", list_wrapper: false, fields: &[
        k(1, "group", Str),
        k(2, "resource", Str),
    ] },
    // 13
    Message { name: "meta/v1 GroupVersion", list_wrapper: false, fields: &[
        k(1, "group", Str),
        k(2, "version", Str),
    ] },
    // 14
    Message { name: "meta/v1 GroupVersionForDiscovery", list_wrapper: false, fields: &[
        k(1, "groupVersion", Str),
        k(2, "version", Str),
    ] },
    // 15
    Message { name: "meta/v1 GroupVersionKind", list_wrapper: false, fields: &[
        k(1, "group", Str),
        k(2, "version", Str),
        k(3, "kind", Str),
    ] },
    // 16
    Message { name: "meta/v1 GroupVersionResource", list_wrapper: false, fields: &[
        k(1, "group", Str),
        k(2, "version", Str),
        k(3, "resource", Str),
    ] },
    // 17
    Message { name: "meta/v1 LabelSelector", list_wrapper: false, fields: &[
        m(1, "matchLabels", Str),
        r(2, "matchExpressions", Msg(18)),
    ] },
    // 18
    Message { name: "meta/v1 LabelSelectorRequirement", list_wrapper: false, fields: &[
        k(1, "key", Str),
        k(2, "operator", Str),
        r(3, "values", Str),
    ] },
    // 19
    Message { name: "meta/v1 List", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", RawExtension),
    ] },
    // 20
    Message { name: "meta/v1 ListMeta", list_wrapper: false, fields: &[
        o(1, "selfLink", Str),
        o(2, "resourceVersion", Str),
        o(3, "continue", Str),
        k(4, "remainingItemCount", I64),
    ] },
    // 21
    Message { name: "meta/v1 ListOptions", list_wrapper: false, fields: &[
        o(1, "labelSelector", Str),
        o(2, "fieldSelector", Str),
        o(3, "watch", Bool),
        o(4, "resourceVersion", Str),
        k(5, "timeoutSeconds", I64),
        o(7, "limit", I64),
        o(8, "continue", Str),
        o(9, "allowWatchBookmarks", Bool),
        o(10, "resourceVersionMatch", Str),
        k(11, "sendInitialEvents", Bool),
    ] },
    // 22
    Message { name: "meta/v1 ManagedFieldsEntry", list_wrapper: false, fields: &[
        o(1, "manager", Str),
        o(2, "operation", Str),
        o(3, "apiVersion", Str),
        k(4, "time", Time),
        o(6, "fieldsType", Str),
        k(7, "fieldsV1", FieldsV1),
        o(8, "subresource", Str),
    ] },
    // 23
    Message { name: "meta/v1 ObjectMeta", list_wrapper: false, fields: &[
        o(1, "name", Str),
        o(2, "generateName", Str),
        o(3, "namespace", Str),
        o(4, "selfLink", Str),
        o(5, "uid", Str),
        o(6, "resourceVersion", Str),
        o(7, "generation", I64),
        o(8, "creationTimestamp", Time),
        k(9, "deletionTimestamp", Time),
        k(10, "deletionGracePeriodSeconds", I64),
        m(11, "labels", Str),
        m(12, "annotations", Str),
        r(13, "ownerReferences", Msg(24)),
        r(14, "finalizers", Str),
        r(17, "managedFields", Msg(22)),
    ] },
    // 24
    Message { name: "meta/v1 OwnerReference", list_wrapper: false, fields: &[
        k(1, "kind", Str),
        k(3, "name", Str),
        k(4, "uid", Str),
        k(5, "apiVersion", Str),
        k(6, "controller", Bool),
        k(7, "blockOwnerDeletion", Bool),
    ] },
    // 25
    Message { name: "meta/v1 PartialObjectMetadata", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
    ] },
    // 26
    Message { name: "meta/v1 PartialObjectMetadataList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(25)),
    ] },
    // 27
    Message { name: "meta/v1 Patch", list_wrapper: false, fields: &[
    ] },
    // 28
    Message { name: "meta/v1 PatchOptions", list_wrapper: false, fields: &[
        r(1, "dryRun", Str),
        k(2, "force", Bool),
        o(3, "fieldManager", Str),
        o(4, "fieldValidation", Str),
    ] },
    // 29
    Message { name: "meta/v1 Preconditions", list_wrapper: false, fields: &[
        k(1, "uid", Str),
        k(2, "resourceVersion", Str),
    ] },
    // 30
    Message { name: "meta/v1 RootPaths", list_wrapper: false, fields: &[
        r(1, "paths", Str),
    ] },
    // 31
    Message { name: "meta/v1 ServerAddressByClientCIDR", list_wrapper: false, fields: &[
        k(1, "clientCIDR", Str),
        k(2, "serverAddress", Str),
    ] },
    // 32
    Message { name: "meta/v1 Status", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        o(2, "status", Str),
        o(3, "message", Str),
        o(4, "reason", Str),
        k(5, "details", Msg(34)),
        o(6, "code", I32),
    ] },
    // 33
    Message { name: "meta/v1 StatusCause", list_wrapper: false, fields: &[
        o(1, "reason", Str),
        o(2, "message", Str),
        o(3, "field", Str),
    ] },
    // 34
    Message { name: "meta/v1 StatusDetails", list_wrapper: false, fields: &[
        o(1, "name", Str),
        o(2, "group", Str),
        o(3, "kind", Str),
        r(4, "causes", Msg(33)),
        o(5, "retryAfterSeconds", I32),
        o(6, "uid", Str),
    ] },
    // 35
    Message { name: "meta/v1 TableOptions", list_wrapper: false, fields: &[
        o(1, "includeObject", Str),
    ] },
    // 36
    Message { name: "meta/v1 TypeMeta", list_wrapper: false, fields: &[
        o(1, "kind", Str),
        o(2, "apiVersion", Str),
    ] },
    // 37
    Message { name: "meta/v1 UpdateOptions", list_wrapper: false, fields: &[
        r(1, "dryRun", Str),
        o(2, "fieldManager", Str),
        o(3, "fieldValidation", Str),
    ] },
    // 38
    Message { name: "meta/v1 Verbs", list_wrapper: true, fields: &[
        r(1, "items", Str),
    ] },
    // 39
    Message { name: "meta/v1 WatchEvent", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "object", RawExtension),
    ] },
    // 40
    Message { name: "core/v1 AWSElasticBlockStoreVolumeSource", list_wrapper: false, fields: &[
        k(1, "volumeID", Str),
        o(2, "fsType", Str),
        o(3, "partition", I32),
        o(4, "readOnly", Bool),
    ] },
    // 41
    Message { name: "core/v1 Affinity", list_wrapper: false, fields: &[
        k(1, "nodeAffinity", Msg(138)),
        k(2, "podAffinity", Msg(170)),
        k(3, "podAntiAffinity", Msg(172)),
    ] },
    // 42
    Message { name: "core/v1 AppArmorProfile", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "localhostProfile", Str),
    ] },
    // 43
    Message { name: "core/v1 AttachedVolume", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "devicePath", Str),
    ] },
    // 44
    Message { name: "core/v1 AvoidPods", list_wrapper: false, fields: &[
        r(1, "preferAvoidPods", Msg(199)),
    ] },
    // 45
    Message { name: "core/v1 AzureDiskVolumeSource", list_wrapper: false, fields: &[
        k(1, "diskName", Str),
        k(2, "diskURI", Str),
        k(3, "cachingMode", Str),
        k(4, "fsType", Str),
        k(5, "readOnly", Bool),
        k(6, "kind", Str),
    ] },
    // 46
    Message { name: "core/v1 AzureFilePersistentVolumeSource", list_wrapper: false, fields: &[
        k(1, "secretName", Str),
        k(2, "shareName", Str),
        o(3, "readOnly", Bool),
        k(4, "secretNamespace", Str),
    ] },
    // 47
    Message { name: "core/v1 AzureFileVolumeSource", list_wrapper: false, fields: &[
        k(1, "secretName", Str),
        k(2, "shareName", Str),
        o(3, "readOnly", Bool),
    ] },
    // 48
    Message { name: "core/v1 Binding", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "target", Msg(155)),
    ] },
    // 49
    Message { name: "core/v1 CSIPersistentVolumeSource", list_wrapper: false, fields: &[
        k(1, "driver", Str),
        k(2, "volumeHandle", Str),
        o(3, "readOnly", Bool),
        o(4, "fsType", Str),
        m(5, "volumeAttributes", Str),
        k(6, "controllerPublishSecretRef", Msg(233)),
        k(7, "nodeStageSecretRef", Msg(233)),
        k(8, "nodePublishSecretRef", Msg(233)),
        k(9, "controllerExpandSecretRef", Msg(233)),
        k(10, "nodeExpandSecretRef", Msg(233)),
    ] },
    // 50
    Message { name: "core/v1 CSIVolumeSource", list_wrapper: false, fields: &[
        k(1, "driver", Str),
        k(2, "readOnly", Bool),
        k(3, "fsType", Str),
        m(4, "volumeAttributes", Str),
        k(5, "nodePublishSecretRef", Msg(127)),
    ] },
    // 51
    Message { name: "core/v1 Capabilities", list_wrapper: false, fields: &[
        r(1, "add", Str),
        r(2, "drop", Str),
    ] },
    // 52
    Message { name: "core/v1 CephFSPersistentVolumeSource", list_wrapper: false, fields: &[
        r(1, "monitors", Str),
        o(2, "path", Str),
        o(3, "user", Str),
        o(4, "secretFile", Str),
        k(5, "secretRef", Msg(233)),
        o(6, "readOnly", Bool),
    ] },
    // 53
    Message { name: "core/v1 CephFSVolumeSource", list_wrapper: false, fields: &[
        r(1, "monitors", Str),
        o(2, "path", Str),
        o(3, "user", Str),
        o(4, "secretFile", Str),
        k(5, "secretRef", Msg(127)),
        o(6, "readOnly", Bool),
    ] },
    // 54
    Message { name: "core/v1 CinderPersistentVolumeSource", list_wrapper: false, fields: &[
        k(1, "volumeID", Str),
        o(2, "fsType", Str),
        o(3, "readOnly", Bool),
        k(4, "secretRef", Msg(233)),
    ] },
    // 55
    Message { name: "core/v1 CinderVolumeSource", list_wrapper: false, fields: &[
        k(1, "volumeID", Str),
        o(2, "fsType", Str),
        o(3, "readOnly", Bool),
        k(4, "secretRef", Msg(127)),
    ] },
    // 56
    Message { name: "core/v1 ClientIPConfig", list_wrapper: false, fields: &[
        k(1, "timeoutSeconds", I32),
    ] },
    // 57
    Message { name: "core/v1 ClusterTrustBundleProjection", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "signerName", Str),
        k(3, "labelSelector", Msg(17)),
        k(4, "path", Str),
        k(5, "optional", Bool),
    ] },
    // 58
    Message { name: "core/v1 ComponentCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "message", Str),
        o(4, "error", Str),
    ] },
    // 59
    Message { name: "core/v1 ComponentStatus", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        r(2, "conditions", Msg(58)),
    ] },
    // 60
    Message { name: "core/v1 ComponentStatusList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(59)),
    ] },
    // 61
    Message { name: "core/v1 ConfigMap", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        m(2, "data", Str),
        m(3, "binaryData", Bytes),
        k(4, "immutable", Bool),
    ] },
    // 62
    Message { name: "core/v1 ConfigMapEnvSource", list_wrapper: false, fields: &[
        i(1, Msg(127)),
        k(2, "optional", Bool),
    ] },
    // 63
    Message { name: "core/v1 ConfigMapKeySelector", list_wrapper: false, fields: &[
        i(1, Msg(127)),
        k(2, "key", Str),
        k(3, "optional", Bool),
    ] },
    // 64
    Message { name: "core/v1 ConfigMapList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(61)),
    ] },
    // 65
    Message { name: "core/v1 ConfigMapNodeConfigSource", list_wrapper: false, fields: &[
        k(1, "namespace", Str),
        k(2, "name", Str),
        o(3, "uid", Str),
        o(4, "resourceVersion", Str),
        k(5, "kubeletConfigKey", Str),
    ] },
    // 66
    Message { name: "core/v1 ConfigMapProjection", list_wrapper: false, fields: &[
        i(1, Msg(127)),
        r(2, "items", Msg(116)),
        k(4, "optional", Bool),
    ] },
    // 67
    Message { name: "core/v1 ConfigMapVolumeSource", list_wrapper: false, fields: &[
        i(1, Msg(127)),
        r(2, "items", Msg(116)),
        k(3, "defaultMode", I32),
        k(4, "optional", Bool),
    ] },
    // 68
    Message { name: "core/v1 Container", list_wrapper: false, fields: &[
        k(1, "name", Str),
        o(2, "image", Str),
        r(3, "command", Str),
        r(4, "args", Str),
        o(5, "workingDir", Str),
        r(6, "ports", Msg(70)),
        r(7, "env", Msg(89)),
        o(8, "resources", Msg(220)),
        r(9, "volumeMounts", Msg(261)),
        k(10, "livenessProbe", Msg(201)),
        k(11, "readinessProbe", Msg(201)),
        k(12, "lifecycle", Msg(117)),
        o(13, "terminationMessagePath", Str),
        o(14, "imagePullPolicy", Str),
        k(15, "securityContext", Msg(235)),
        o(16, "stdin", Bool),
        o(17, "stdinOnce", Bool),
        o(18, "tty", Bool),
        r(19, "envFrom", Msg(88)),
        o(20, "terminationMessagePolicy", Str),
        r(21, "volumeDevices", Msg(260)),
        k(22, "startupProbe", Msg(201)),
        r(23, "resizePolicy", Msg(71)),
        k(24, "restartPolicy", Str),
    ] },
    // 69
    Message { name: "core/v1 ContainerImage", list_wrapper: false, fields: &[
        r(1, "names", Str),
        o(2, "sizeBytes", I64),
    ] },
    // 70
    Message { name: "core/v1 ContainerPort", list_wrapper: false, fields: &[
        o(1, "name", Str),
        o(2, "hostPort", I32),
        k(3, "containerPort", I32),
        o(4, "protocol", Str),
        o(5, "hostIP", Str),
    ] },
    // 71
    Message { name: "core/v1 ContainerResizePolicy", list_wrapper: false, fields: &[
        k(1, "resourceName", Str),
        k(2, "restartPolicy", Str),
    ] },
    // 72
    Message { name: "core/v1 ContainerState", list_wrapper: false, fields: &[
        k(1, "waiting", Msg(75)),
        k(2, "running", Msg(73)),
        k(3, "terminated", Msg(74)),
    ] },
    // 73
    Message { name: "core/v1 ContainerStateRunning", list_wrapper: false, fields: &[
        o(1, "startedAt", Time),
    ] },
    // 74
    Message { name: "core/v1 ContainerStateTerminated", list_wrapper: false, fields: &[
        k(1, "exitCode", I32),
        o(2, "signal", I32),
        o(3, "reason", Str),
        o(4, "message", Str),
        o(5, "startedAt", Time),
        o(6, "finishedAt", Time),
        o(7, "containerID", Str),
    ] },
    // 75
    Message { name: "core/v1 ContainerStateWaiting", list_wrapper: false, fields: &[
        o(1, "reason", Str),
        o(2, "message", Str),
    ] },
    // 76
    Message { name: "core/v1 ContainerStatus", list_wrapper: false, fields: &[
        k(1, "name", Str),
        o(2, "state", Msg(72)),
        o(3, "lastState", Msg(72)),
        k(4, "ready", Bool),
        k(5, "restartCount", I32),
        k(6, "image", Str),
        k(7, "imageID", Str),
        o(8, "containerID", Str),
        k(9, "started", Bool),
        m(10, "allocatedResources", Quantity),
        k(11, "resources", Msg(220)),
        r(12, "volumeMounts", Msg(262)),
        k(13, "user", Msg(77)),
        r(14, "allocatedResourcesStatus", Msg(221)),
    ] },
    // 77
    Message { name: "core/v1 ContainerUser", list_wrapper: false, fields: &[
        k(1, "linux", Msg(123)),
    ] },
    // 78
    Message { name: "core/v1 DaemonEndpoint", list_wrapper: false, fields: &[
        k(1, "Port", I32),
    ] },
    // 79
    Message { name: "core/v1 DownwardAPIProjection", list_wrapper: false, fields: &[
        r(1, "items", Msg(80)),
    ] },
    // 80
    Message { name: "core/v1 DownwardAPIVolumeFile", list_wrapper: false, fields: &[
        k(1, "path", Str),
        k(2, "fieldRef", Msg(154)),
        k(3, "resourceFieldRef", Msg(214)),
        k(4, "mode", I32),
    ] },
    // 81
    Message { name: "core/v1 DownwardAPIVolumeSource", list_wrapper: false, fields: &[
        r(1, "items", Msg(80)),
        k(2, "defaultMode", I32),
    ] },
    // 82
    Message { name: "core/v1 EmptyDirVolumeSource", list_wrapper: false, fields: &[
        o(1, "medium", Str),
        k(2, "sizeLimit", Quantity),
    ] },
    // 83
    Message { name: "core/v1 EndpointAddress", list_wrapper: false, fields: &[
        k(1, "ip", Str),
        k(2, "targetRef", Msg(155)),
        o(3, "hostname", Str),
        k(4, "nodeName", Str),
    ] },
    // 84
    Message { name: "core/v1 EndpointPort", list_wrapper: false, fields: &[
        o(1, "name", Str),
        k(2, "port", I32),
        o(3, "protocol", Str),
        k(4, "appProtocol", Str),
    ] },
    // 85
    Message { name: "core/v1 EndpointSubset", list_wrapper: false, fields: &[
        r(1, "addresses", Msg(83)),
        r(2, "notReadyAddresses", Msg(83)),
        r(3, "ports", Msg(84)),
    ] },
    // 86
    Message { name: "core/v1 Endpoints", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        r(2, "subsets", Msg(85)),
    ] },
    // 87
    Message { name: "core/v1 EndpointsList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(86)),
    ] },
    // 88
    Message { name: "core/v1 EnvFromSource", list_wrapper: false, fields: &[
        o(1, "prefix", Str),
        k(2, "configMapRef", Msg(62)),
        k(3, "secretRef", Msg(229)),
    ] },
    // 89
    Message { name: "core/v1 EnvVar", list_wrapper: false, fields: &[
        k(1, "name", Str),
        o(2, "value", Str),
        k(3, "valueFrom", Msg(90)),
    ] },
    // 90
    Message { name: "core/v1 EnvVarSource", list_wrapper: false, fields: &[
        k(1, "fieldRef", Msg(154)),
        k(2, "resourceFieldRef", Msg(214)),
        k(3, "configMapKeyRef", Msg(63)),
        k(4, "secretKeyRef", Msg(230)),
    ] },
    // 91
    Message { name: "core/v1 EphemeralContainer", list_wrapper: false, fields: &[
        i(1, Msg(92)),
        o(2, "targetContainerName", Str),
    ] },
    // 92
    Message { name: "core/v1 EphemeralContainerCommon", list_wrapper: false, fields: &[
        k(1, "name", Str),
        o(2, "image", Str),
        r(3, "command", Str),
        r(4, "args", Str),
        o(5, "workingDir", Str),
        r(6, "ports", Msg(70)),
        r(7, "env", Msg(89)),
        o(8, "resources", Msg(220)),
        r(9, "volumeMounts", Msg(261)),
        k(10, "livenessProbe", Msg(201)),
        k(11, "readinessProbe", Msg(201)),
        k(12, "lifecycle", Msg(117)),
        o(13, "terminationMessagePath", Str),
        o(14, "imagePullPolicy", Str),
        k(15, "securityContext", Msg(235)),
        o(16, "stdin", Bool),
        o(17, "stdinOnce", Bool),
        o(18, "tty", Bool),
        r(19, "envFrom", Msg(88)),
        o(20, "terminationMessagePolicy", Str),
        r(21, "volumeDevices", Msg(260)),
        k(22, "startupProbe", Msg(201)),
        r(23, "resizePolicy", Msg(71)),
        k(24, "restartPolicy", Str),
    ] },
    // 93
    Message { name: "core/v1 EphemeralVolumeSource", list_wrapper: false, fields: &[
        k(1, "volumeClaimTemplate", Msg(162)),
    ] },
    // 94
    Message { name: "core/v1 Event", list_wrapper: false, fields: &[
        k(1, "metadata", Msg(23)),
        k(2, "involvedObject", Msg(155)),
        o(3, "reason", Str),
        o(4, "message", Str),
        o(5, "source", Msg(97)),
        o(6, "firstTimestamp", Time),
        o(7, "lastTimestamp", Time),
        o(8, "count", I32),
        o(9, "type", Str),
        o(10, "eventTime", MicroTime),
        k(11, "series", Msg(96)),
        o(12, "action", Str),
        k(13, "related", Msg(155)),
        k(14, "reportingComponent", Str),
        k(15, "reportingInstance", Str),
    ] },
    // 95
    Message { name: "core/v1 EventList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(94)),
    ] },
    // 96
    Message { name: "core/v1 EventSeries", list_wrapper: false, fields: &[
        o(1, "count", I32),
        o(2, "lastObservedTime", MicroTime),
    ] },
    // 97
    Message { name: "core/v1 EventSource", list_wrapper: false, fields: &[
        o(1, "component", Str),
        o(2, "host", Str),
    ] },
    // 98
    Message { name: "core/v1 ExecAction", list_wrapper: false, fields: &[
        r(1, "command", Str),
    ] },
    // 99
    Message { name: "core/v1 FCVolumeSource", list_wrapper: false, fields: &[
        r(1, "targetWWNs", Str),
        k(2, "lun", I32),
        o(3, "fsType", Str),
        o(4, "readOnly", Bool),
        r(5, "wwids", Str),
    ] },
    // 100
    Message { name: "core/v1 FlexPersistentVolumeSource", list_wrapper: false, fields: &[
        k(1, "driver", Str),
        o(2, "fsType", Str),
        k(3, "secretRef", Msg(233)),
        o(4, "readOnly", Bool),
        m(5, "options", Str),
    ] },
    // 101
    Message { name: "core/v1 FlexVolumeSource", list_wrapper: false, fields: &[
        k(1, "driver", Str),
        o(2, "fsType", Str),
        k(3, "secretRef", Msg(127)),
        o(4, "readOnly", Bool),
        m(5, "options", Str),
    ] },
    // 102
    Message { name: "core/v1 FlockerVolumeSource", list_wrapper: false, fields: &[
        o(1, "datasetName", Str),
        o(2, "datasetUUID", Str),
    ] },
    // 103
    Message { name: "core/v1 GCEPersistentDiskVolumeSource", list_wrapper: false, fields: &[
        k(1, "pdName", Str),
        o(2, "fsType", Str),
        o(3, "partition", I32),
        o(4, "readOnly", Bool),
    ] },
    // 104
    Message { name: "core/v1 GRPCAction", list_wrapper: false, fields: &[
        k(1, "port", I32),
        k(2, "service", Str),
    ] },
    // 105
    Message { name: "core/v1 GitRepoVolumeSource", list_wrapper: false, fields: &[
        k(1, "repository", Str),
        o(2, "revision", Str),
        o(3, "directory", Str),
    ] },
    // 106
    Message { name: "core/v1 GlusterfsPersistentVolumeSource", list_wrapper: false, fields: &[
        k(1, "endpoints", Str),
        k(2, "path", Str),
        o(3, "readOnly", Bool),
        k(4, "endpointsNamespace", Str),
    ] },
    // 107
    Message { name: "core/v1 GlusterfsVolumeSource", list_wrapper: false, fields: &[
        k(1, "endpoints", Str),
        k(2, "path", Str),
        o(3, "readOnly", Bool),
    ] },
    // 108
    Message { name: "core/v1 HTTPGetAction", list_wrapper: false, fields: &[
        o(1, "path", Str),
        k(2, "port", IntOrString),
        o(3, "host", Str),
        o(4, "scheme", Str),
        r(5, "httpHeaders", Msg(109)),
    ] },
    // 109
    Message { name: "core/v1 HTTPHeader", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "value", Str),
    ] },
    // 110
    Message { name: "core/v1 HostAlias", list_wrapper: false, fields: &[
        k(1, "ip", Str),
        r(2, "hostnames", Str),
    ] },
    // 111
    Message { name: "core/v1 HostIP", list_wrapper: false, fields: &[
        k(1, "ip", Str),
    ] },
    // 112
    Message { name: "core/v1 HostPathVolumeSource", list_wrapper: false, fields: &[
        k(1, "path", Str),
        k(2, "type", Str),
    ] },
    // 113
    Message { name: "core/v1 ISCSIPersistentVolumeSource", list_wrapper: false, fields: &[
        k(1, "targetPortal", Str),
        k(2, "iqn", Str),
        k(3, "lun", I32),
        o(4, "iscsiInterface", Str),
        o(5, "fsType", Str),
        o(6, "readOnly", Bool),
        r(7, "portals", Str),
        o(8, "chapAuthDiscovery", Bool),
        k(10, "secretRef", Msg(233)),
        o(11, "chapAuthSession", Bool),
        k(12, "initiatorName", Str),
    ] },
    // 114
    Message { name: "core/v1 ISCSIVolumeSource", list_wrapper: false, fields: &[
        k(1, "targetPortal", Str),
        k(2, "iqn", Str),
        k(3, "lun", I32),
        o(4, "iscsiInterface", Str),
        o(5, "fsType", Str),
        o(6, "readOnly", Bool),
        r(7, "portals", Str),
        o(8, "chapAuthDiscovery", Bool),
        k(10, "secretRef", Msg(127)),
        o(11, "chapAuthSession", Bool),
        k(12, "initiatorName", Str),
    ] },
    // 115
    Message { name: "core/v1 ImageVolumeSource", list_wrapper: false, fields: &[
        o(1, "reference", Str),
        o(2, "pullPolicy", Str),
    ] },
    // 116
    Message { name: "core/v1 KeyToPath", list_wrapper: false, fields: &[
        k(1, "key", Str),
        k(2, "path", Str),
        k(3, "mode", I32),
    ] },
    // 117
    Message { name: "core/v1 Lifecycle", list_wrapper: false, fields: &[
        k(1, "postStart", Msg(118)),
        k(2, "preStop", Msg(118)),
    ] },
    // 118
    Message { name: "core/v1 LifecycleHandler", list_wrapper: false, fields: &[
        k(1, "exec", Msg(98)),
        k(2, "httpGet", Msg(108)),
        k(3, "tcpSocket", Msg(251)),
        k(4, "sleep", Msg(247)),
    ] },
    // 119
    Message { name: "core/v1 LimitRange", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(122)),
    ] },
    // 120
    Message { name: "core/v1 LimitRangeItem", list_wrapper: false, fields: &[
        k(1, "type", Str),
        m(2, "max", Quantity),
        m(3, "min", Quantity),
        m(4, "default", Quantity),
        m(5, "defaultRequest", Quantity),
        m(6, "maxLimitRequestRatio", Quantity),
    ] },
    // 121
    Message { name: "core/v1 LimitRangeList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(119)),
    ] },
    // 122
    Message { name: "core/v1 LimitRangeSpec", list_wrapper: false, fields: &[
        r(1, "limits", Msg(120)),
    ] },
    // 123
    Message { name: "core/v1 LinuxContainerUser", list_wrapper: false, fields: &[
        k(1, "uid", I64),
        k(2, "gid", I64),
        r(3, "supplementalGroups", I64),
    ] },
    // 124
    Message { name: "core/v1 List", list_wrapper: false, fields: &[
        k(1, "metadata", Msg(20)),
        r(2, "items", RawExtension),
    ] },
    // 125
    Message { name: "core/v1 LoadBalancerIngress", list_wrapper: false, fields: &[
        o(1, "ip", Str),
        o(2, "hostname", Str),
        k(3, "ipMode", Str),
        r(4, "ports", Msg(196)),
    ] },
    // 126
    Message { name: "core/v1 LoadBalancerStatus", list_wrapper: false, fields: &[
        r(1, "ingress", Msg(125)),
    ] },
    // 127
    Message { name: "core/v1 LocalObjectReference", list_wrapper: false, fields: &[
        o(1, "name", Str),
    ] },
    // 128
    Message { name: "core/v1 LocalVolumeSource", list_wrapper: false, fields: &[
        k(1, "path", Str),
        k(2, "fsType", Str),
    ] },
    // 129
    Message { name: "core/v1 ModifyVolumeStatus", list_wrapper: false, fields: &[
        o(1, "targetVolumeAttributesClassName", Str),
        k(2, "status", Str),
    ] },
    // 130
    Message { name: "core/v1 NFSVolumeSource", list_wrapper: false, fields: &[
        k(1, "server", Str),
        k(2, "path", Str),
        o(3, "readOnly", Bool),
    ] },
    // 131
    Message { name: "core/v1 Namespace", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(134)),
        o(3, "status", Msg(135)),
    ] },
    // 132
    Message { name: "core/v1 NamespaceCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(4, "lastTransitionTime", Time),
        o(5, "reason", Str),
        o(6, "message", Str),
    ] },
    // 133
    Message { name: "core/v1 NamespaceList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(131)),
    ] },
    // 134
    Message { name: "core/v1 NamespaceSpec", list_wrapper: false, fields: &[
        r(1, "finalizers", Str),
    ] },
    // 135
    Message { name: "core/v1 NamespaceStatus", list_wrapper: false, fields: &[
        o(1, "phase", Str),
        r(2, "conditions", Msg(132)),
    ] },
    // 136
    Message { name: "core/v1 Node", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(151)),
        o(3, "status", Msg(152)),
    ] },
    // 137
    Message { name: "core/v1 NodeAddress", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "address", Str),
    ] },
    // 138
    Message { name: "core/v1 NodeAffinity", list_wrapper: false, fields: &[
        k(1, "requiredDuringSchedulingIgnoredDuringExecution", Msg(148)),
        r(2, "preferredDuringSchedulingIgnoredDuringExecution", Msg(200)),
    ] },
    // 139
    Message { name: "core/v1 NodeCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "lastHeartbeatTime", Time),
        o(4, "lastTransitionTime", Time),
        o(5, "reason", Str),
        o(6, "message", Str),
    ] },
    // 140
    Message { name: "core/v1 NodeConfigSource", list_wrapper: false, fields: &[
        k(2, "configMap", Msg(65)),
    ] },
    // 141
    Message { name: "core/v1 NodeConfigStatus", list_wrapper: false, fields: &[
        k(1, "assigned", Msg(140)),
        k(2, "active", Msg(140)),
        k(3, "lastKnownGood", Msg(140)),
        o(4, "error", Str),
    ] },
    // 142
    Message { name: "core/v1 NodeDaemonEndpoints", list_wrapper: false, fields: &[
        o(1, "kubeletEndpoint", Msg(78)),
    ] },
    // 143
    Message { name: "core/v1 NodeFeatures", list_wrapper: false, fields: &[
        k(1, "supplementalGroupsPolicy", Bool),
    ] },
    // 144
    Message { name: "core/v1 NodeList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(136)),
    ] },
    // 145
    Message { name: "core/v1 NodeProxyOptions", list_wrapper: false, fields: &[
        o(1, "path", Str),
    ] },
    // 146
    Message { name: "core/v1 NodeRuntimeHandler", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "features", Msg(147)),
    ] },
    // 147
    Message { name: "core/v1 NodeRuntimeHandlerFeatures", list_wrapper: false, fields: &[
        k(1, "recursiveReadOnlyMounts", Bool),
        k(2, "userNamespaces", Bool),
    ] },
    // 148
    Message { name: "core/v1 NodeSelector", list_wrapper: false, fields: &[
        r(1, "nodeSelectorTerms", Msg(150)),
    ] },
    // 149
    Message { name: "core/v1 NodeSelectorRequirement", list_wrapper: false, fields: &[
        k(1, "key", Str),
        k(2, "operator", Str),
        r(3, "values", Str),
    ] },
    // 150
    Message { name: "core/v1 NodeSelectorTerm", list_wrapper: false, fields: &[
        r(1, "matchExpressions", Msg(149)),
        r(2, "matchFields", Msg(149)),
    ] },
    // 151
    Message { name: "core/v1 NodeSpec", list_wrapper: false, fields: &[
        o(1, "podCIDR", Str),
        o(2, "externalID", Str),
        o(3, "providerID", Str),
        o(4, "unschedulable", Bool),
        r(5, "taints", Msg(252)),
        k(6, "configSource", Msg(140)),
        r(7, "podCIDRs", Str),
    ] },
    // 152
    Message { name: "core/v1 NodeStatus", list_wrapper: false, fields: &[
        m(1, "capacity", Quantity),
        m(2, "allocatable", Quantity),
        o(3, "phase", Str),
        r(4, "conditions", Msg(139)),
        r(5, "addresses", Msg(137)),
        o(6, "daemonEndpoints", Msg(142)),
        o(7, "nodeInfo", Msg(153)),
        r(8, "images", Msg(69)),
        r(9, "volumesInUse", Str),
        r(10, "volumesAttached", Msg(43)),
        k(11, "config", Msg(141)),
        r(12, "runtimeHandlers", Msg(146)),
        k(13, "features", Msg(143)),
    ] },
    // 153
    Message { name: "core/v1 NodeSystemInfo", list_wrapper: false, fields: &[
        k(1, "machineID", Str),
        k(2, "systemUUID", Str),
        k(3, "bootID", Str),
        k(4, "kernelVersion", Str),
        k(5, "osImage", Str),
        k(6, "containerRuntimeVersion", Str),
        k(7, "kubeletVersion", Str),
        k(8, "kubeProxyVersion", Str),
        k(9, "operatingSystem", Str),
        k(10, "architecture", Str),
    ] },
    // 154
    Message { name: "core/v1 ObjectFieldSelector", list_wrapper: false, fields: &[
        o(1, "apiVersion", Str),
        k(2, "fieldPath", Str),
    ] },
    // 155
    Message { name: "core/v1 ObjectReference", list_wrapper: false, fields: &[
        o(1, "kind", Str),
        o(2, "namespace", Str),
        o(3, "name", Str),
        o(4, "uid", Str),
        o(5, "apiVersion", Str),
        o(6, "resourceVersion", Str),
        o(7, "fieldPath", Str),
    ] },
    // 156
    Message { name: "core/v1 PersistentVolume", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(166)),
        o(3, "status", Msg(167)),
    ] },
    // 157
    Message { name: "core/v1 PersistentVolumeClaim", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(160)),
        o(3, "status", Msg(161)),
    ] },
    // 158
    Message { name: "core/v1 PersistentVolumeClaimCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "lastProbeTime", Time),
        o(4, "lastTransitionTime", Time),
        o(5, "reason", Str),
        o(6, "message", Str),
    ] },
    // 159
    Message { name: "core/v1 PersistentVolumeClaimList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(157)),
    ] },
    // 160
    Message { name: "core/v1 PersistentVolumeClaimSpec", list_wrapper: false, fields: &[
        r(1, "accessModes", Str),
        o(2, "resources", Msg(265)),
        o(3, "volumeName", Str),
        k(4, "selector", Msg(17)),
        k(5, "storageClassName", Str),
        k(6, "volumeMode", Str),
        k(7, "dataSource", Msg(257)),
        k(8, "dataSourceRef", Msg(258)),
        k(9, "volumeAttributesClassName", Str),
    ] },
    // 161
    Message { name: "core/v1 PersistentVolumeClaimStatus", list_wrapper: false, fields: &[
        o(1, "phase", Str),
        r(2, "accessModes", Str),
        m(3, "capacity", Quantity),
        r(4, "conditions", Msg(158)),
        m(5, "allocatedResources", Quantity),
        m(7, "allocatedResourceStatuses", Str),
        k(8, "currentVolumeAttributesClassName", Str),
        k(9, "modifyVolumeStatus", Msg(129)),
    ] },
    // 162
    Message { name: "core/v1 PersistentVolumeClaimTemplate", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(160)),
    ] },
    // 163
    Message { name: "core/v1 PersistentVolumeClaimVolumeSource", list_wrapper: false, fields: &[
        k(1, "claimName", Str),
        o(2, "readOnly", Bool),
    ] },
    // 164
    Message { name: "core/v1 PersistentVolumeList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(156)),
    ] },
    // 165
    Message { name: "core/v1 PersistentVolumeSource", list_wrapper: false, fields: &[
        k(1, "gcePersistentDisk", Msg(103)),
        k(2, "awsElasticBlockStore", Msg(40)),
        k(3, "hostPath", Msg(112)),
        k(4, "glusterfs", Msg(106)),
        k(5, "nfs", Msg(130)),
        k(6, "rbd", Msg(205)),
        k(7, "iscsi", Msg(113)),
        k(8, "cinder", Msg(54)),
        k(9, "cephfs", Msg(52)),
        k(10, "fc", Msg(99)),
        k(11, "flocker", Msg(102)),
        k(12, "flexVolume", Msg(100)),
        k(13, "azureFile", Msg(46)),
        k(14, "vsphereVolume", Msg(267)),
        k(15, "quobyte", Msg(204)),
        k(16, "azureDisk", Msg(45)),
        k(17, "photonPersistentDisk", Msg(168)),
        k(18, "portworxVolume", Msg(197)),
        k(19, "scaleIO", Msg(223)),
        k(20, "local", Msg(128)),
        k(21, "storageos", Msg(248)),
        k(22, "csi", Msg(49)),
    ] },
    // 166
    Message { name: "core/v1 PersistentVolumeSpec", list_wrapper: false, fields: &[
        m(1, "capacity", Quantity),
        i(2, Msg(165)),
        r(3, "accessModes", Str),
        k(4, "claimRef", Msg(155)),
        o(5, "persistentVolumeReclaimPolicy", Str),
        o(6, "storageClassName", Str),
        r(7, "mountOptions", Str),
        k(8, "volumeMode", Str),
        k(9, "nodeAffinity", Msg(263)),
        k(10, "volumeAttributesClassName", Str),
    ] },
    // 167
    Message { name: "core/v1 PersistentVolumeStatus", list_wrapper: false, fields: &[
        o(1, "phase", Str),
        o(2, "message", Str),
        o(3, "reason", Str),
        k(4, "lastPhaseTransitionTime", Time),
    ] },
    // 168
    Message { name: "core/v1 PhotonPersistentDiskVolumeSource", list_wrapper: false, fields: &[
        k(1, "pdID", Str),
        o(2, "fsType", Str),
    ] },
    // 169
    Message { name: "core/v1 Pod", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(190)),
        o(3, "status", Msg(191)),
    ] },
    // 170
    Message { name: "core/v1 PodAffinity", list_wrapper: false, fields: &[
        r(1, "requiredDuringSchedulingIgnoredDuringExecution", Msg(171)),
        r(2, "preferredDuringSchedulingIgnoredDuringExecution", Msg(268)),
    ] },
    // 171
    Message { name: "core/v1 PodAffinityTerm", list_wrapper: false, fields: &[
        k(1, "labelSelector", Msg(17)),
        r(2, "namespaces", Str),
        k(3, "topologyKey", Str),
        k(4, "namespaceSelector", Msg(17)),
        r(5, "matchLabelKeys", Str),
        r(6, "mismatchLabelKeys", Str),
    ] },
    // 172
    Message { name: "core/v1 PodAntiAffinity", list_wrapper: false, fields: &[
        r(1, "requiredDuringSchedulingIgnoredDuringExecution", Msg(171)),
        r(2, "preferredDuringSchedulingIgnoredDuringExecution", Msg(268)),
    ] },
    // 173
    Message { name: "core/v1 PodAttachOptions", list_wrapper: false, fields: &[
        o(1, "stdin", Bool),
        o(2, "stdout", Bool),
        o(3, "stderr", Bool),
        o(4, "tty", Bool),
        o(5, "container", Str),
    ] },
    // 174
    Message { name: "core/v1 PodCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "lastProbeTime", Time),
        o(4, "lastTransitionTime", Time),
        o(5, "reason", Str),
        o(6, "message", Str),
    ] },
    // 175
    Message { name: "core/v1 PodDNSConfig", list_wrapper: false, fields: &[
        r(1, "nameservers", Str),
        r(2, "searches", Str),
        r(3, "options", Msg(176)),
    ] },
    // 176
    Message { name: "core/v1 PodDNSConfigOption", list_wrapper: false, fields: &[
        o(1, "name", Str),
        k(2, "value", Str),
    ] },
    // 177
    Message { name: "core/v1 PodExecOptions", list_wrapper: false, fields: &[
        o(1, "stdin", Bool),
        o(2, "stdout", Bool),
        o(3, "stderr", Bool),
        o(4, "tty", Bool),
        o(5, "container", Str),
        r(6, "command", Str),
    ] },
    // 178
    Message { name: "core/v1 PodIP", list_wrapper: false, fields: &[
        k(1, "ip", Str),
    ] },
    // 179
    Message { name: "core/v1 PodList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(169)),
    ] },
    // 180
    Message { name: "core/v1 PodLogOptions", list_wrapper: false, fields: &[
        o(1, "container", Str),
        o(2, "follow", Bool),
        o(3, "previous", Bool),
        k(4, "sinceSeconds", I64),
        k(5, "sinceTime", Time),
        o(6, "timestamps", Bool),
        k(7, "tailLines", I64),
        k(8, "limitBytes", I64),
        o(9, "insecureSkipTLSVerifyBackend", Bool),
        k(10, "stream", Str),
    ] },
    // 181
    Message { name: "core/v1 PodOS", list_wrapper: false, fields: &[
        k(1, "name", Str),
    ] },
    // 182
    Message { name: "core/v1 PodPortForwardOptions", list_wrapper: false, fields: &[
        r(1, "ports", I32),
    ] },
    // 183
    Message { name: "core/v1 PodProxyOptions", list_wrapper: false, fields: &[
        o(1, "path", Str),
    ] },
    // 184
    Message { name: "core/v1 PodReadinessGate", list_wrapper: false, fields: &[
        k(1, "conditionType", Str),
    ] },
    // 185
    Message { name: "core/v1 PodResourceClaim", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(3, "resourceClaimName", Str),
        k(4, "resourceClaimTemplateName", Str),
    ] },
    // 186
    Message { name: "core/v1 PodResourceClaimStatus", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "resourceClaimName", Str),
    ] },
    // 187
    Message { name: "core/v1 PodSchedulingGate", list_wrapper: false, fields: &[
        k(1, "name", Str),
    ] },
    // 188
    Message { name: "core/v1 PodSecurityContext", list_wrapper: false, fields: &[
        k(1, "seLinuxOptions", Msg(222)),
        k(2, "runAsUser", I64),
        k(3, "runAsNonRoot", Bool),
        r(4, "supplementalGroups", I64),
        k(5, "fsGroup", I64),
        k(6, "runAsGroup", I64),
        r(7, "sysctls", Msg(250)),
        k(8, "windowsOptions", Msg(269)),
        k(9, "fsGroupChangePolicy", Str),
        k(10, "seccompProfile", Msg(227)),
        k(11, "appArmorProfile", Msg(42)),
        k(12, "supplementalGroupsPolicy", Str),
        k(13, "seLinuxChangePolicy", Str),
    ] },
    // 189
    Message { name: "core/v1 PodSignature", list_wrapper: false, fields: &[
        k(1, "podController", Msg(24)),
    ] },
    // 190
    Message { name: "core/v1 PodSpec", list_wrapper: false, fields: &[
        r(1, "volumes", Msg(259)),
        r(2, "containers", Msg(68)),
        o(3, "restartPolicy", Str),
        k(4, "terminationGracePeriodSeconds", I64),
        k(5, "activeDeadlineSeconds", I64),
        o(6, "dnsPolicy", Str),
        m(7, "nodeSelector", Str),
        o(8, "serviceAccountName", Str),
        o(9, "serviceAccount", Str),
        o(10, "nodeName", Str),
        o(11, "hostNetwork", Bool),
        o(12, "hostPID", Bool),
        o(13, "hostIPC", Bool),
        k(14, "securityContext", Msg(188)),
        r(15, "imagePullSecrets", Msg(127)),
        o(16, "hostname", Str),
        o(17, "subdomain", Str),
        k(18, "affinity", Msg(41)),
        o(19, "schedulerName", Str),
        r(20, "initContainers", Msg(68)),
        k(21, "automountServiceAccountToken", Bool),
        r(22, "tolerations", Msg(253)),
        r(23, "hostAliases", Msg(110)),
        o(24, "priorityClassName", Str),
        k(25, "priority", I32),
        k(26, "dnsConfig", Msg(175)),
        k(27, "shareProcessNamespace", Bool),
        r(28, "readinessGates", Msg(184)),
        k(29, "runtimeClassName", Str),
        k(30, "enableServiceLinks", Bool),
        k(31, "preemptionPolicy", Str),
        m(32, "overhead", Quantity),
        r(33, "topologySpreadConstraints", Msg(256)),
        r(34, "ephemeralContainers", Msg(91)),
        k(35, "setHostnameAsFQDN", Bool),
        k(36, "os", Msg(181)),
        k(37, "hostUsers", Bool),
        r(38, "schedulingGates", Msg(187)),
        r(39, "resourceClaims", Msg(185)),
        k(40, "resources", Msg(220)),
    ] },
    // 191
    Message { name: "core/v1 PodStatus", list_wrapper: false, fields: &[
        o(1, "phase", Str),
        r(2, "conditions", Msg(174)),
        o(3, "message", Str),
        o(4, "reason", Str),
        o(5, "hostIP", Str),
        o(6, "podIP", Str),
        k(7, "startTime", Time),
        r(8, "containerStatuses", Msg(76)),
        o(9, "qosClass", Str),
        r(10, "initContainerStatuses", Msg(76)),
        o(11, "nominatedNodeName", Str),
        r(12, "podIPs", Msg(178)),
        r(13, "ephemeralContainerStatuses", Msg(76)),
        o(14, "resize", Str),
        r(15, "resourceClaimStatuses", Msg(186)),
        r(16, "hostIPs", Msg(111)),
    ] },
    // 192
    Message { name: "core/v1 PodStatusResult", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "status", Msg(191)),
    ] },
    // 193
    Message { name: "core/v1 PodTemplate", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "template", Msg(195)),
    ] },
    // 194
    Message { name: "core/v1 PodTemplateList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(193)),
    ] },
    // 195
    Message { name: "core/v1 PodTemplateSpec", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(190)),
    ] },
    // 196
    Message { name: "core/v1 PortStatus", list_wrapper: false, fields: &[
        k(1, "port", I32),
        k(2, "protocol", Str),
        k(3, "error", Str),
    ] },
    // 197
    Message { name: "core/v1 PortworxVolumeSource", list_wrapper: false, fields: &[
        k(1, "volumeID", Str),
        o(2, "fsType", Str),
        o(3, "readOnly", Bool),
    ] },
    // 198
    Message { name: "core/v1 Preconditions", list_wrapper: false, fields: &[
        k(1, "uid", Str),
    ] },
    // 199
    Message { name: "core/v1 PreferAvoidPodsEntry", list_wrapper: false, fields: &[
        k(1, "podSignature", Msg(189)),
        o(2, "evictionTime", Time),
        o(3, "reason", Str),
        o(4, "message", Str),
    ] },
    // 200
    Message { name: "core/v1 PreferredSchedulingTerm", list_wrapper: false, fields: &[
        k(1, "weight", I32),
        k(2, "preference", Msg(150)),
    ] },
    // 201
    Message { name: "core/v1 Probe", list_wrapper: false, fields: &[
        i(1, Msg(202)),
        o(2, "initialDelaySeconds", I32),
        o(3, "timeoutSeconds", I32),
        o(4, "periodSeconds", I32),
        o(5, "successThreshold", I32),
        o(6, "failureThreshold", I32),
        k(7, "terminationGracePeriodSeconds", I64),
    ] },
    // 202
    Message { name: "core/v1 ProbeHandler", list_wrapper: false, fields: &[
        k(1, "exec", Msg(98)),
        k(2, "httpGet", Msg(108)),
        k(3, "tcpSocket", Msg(251)),
        k(4, "grpc", Msg(104)),
    ] },
    // 203
    Message { name: "core/v1 ProjectedVolumeSource", list_wrapper: false, fields: &[
        r(1, "sources", Msg(264)),
        k(2, "defaultMode", I32),
    ] },
    // 204
    Message { name: "core/v1 QuobyteVolumeSource", list_wrapper: false, fields: &[
        k(1, "registry", Str),
        k(2, "volume", Str),
        o(3, "readOnly", Bool),
        o(4, "user", Str),
        o(5, "group", Str),
        o(6, "tenant", Str),
    ] },
    // 205
    Message { name: "core/v1 RBDPersistentVolumeSource", list_wrapper: false, fields: &[
        r(1, "monitors", Str),
        k(2, "image", Str),
        o(3, "fsType", Str),
        o(4, "pool", Str),
        o(5, "user", Str),
        o(6, "keyring", Str),
        k(7, "secretRef", Msg(233)),
        o(8, "readOnly", Bool),
    ] },
    // 206
    Message { name: "core/v1 RBDVolumeSource", list_wrapper: false, fields: &[
        r(1, "monitors", Str),
        k(2, "image", Str),
        o(3, "fsType", Str),
        o(4, "pool", Str),
        o(5, "user", Str),
        o(6, "keyring", Str),
        k(7, "secretRef", Msg(127)),
        o(8, "readOnly", Bool),
    ] },
    // 207
    Message { name: "core/v1 RangeAllocation", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "range", Str),
        k(3, "data", Bytes),
    ] },
    // 208
    Message { name: "core/v1 ReplicationController", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(211)),
        o(3, "status", Msg(212)),
    ] },
    // 209
    Message { name: "core/v1 ReplicationControllerCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "lastTransitionTime", Time),
        o(4, "reason", Str),
        o(5, "message", Str),
    ] },
    // 210
    Message { name: "core/v1 ReplicationControllerList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(208)),
    ] },
    // 211
    Message { name: "core/v1 ReplicationControllerSpec", list_wrapper: false, fields: &[
        k(1, "replicas", I32),
        m(2, "selector", Str),
        k(3, "template", Msg(195)),
        o(4, "minReadySeconds", I32),
    ] },
    // 212
    Message { name: "core/v1 ReplicationControllerStatus", list_wrapper: false, fields: &[
        k(1, "replicas", I32),
        o(2, "fullyLabeledReplicas", I32),
        o(3, "observedGeneration", I64),
        o(4, "readyReplicas", I32),
        o(5, "availableReplicas", I32),
        r(6, "conditions", Msg(209)),
    ] },
    // 213
    Message { name: "core/v1 ResourceClaim", list_wrapper: false, fields: &[
        k(1, "name", Str),
        o(2, "request", Str),
    ] },
    // 214
    Message { name: "core/v1 ResourceFieldSelector", list_wrapper: false, fields: &[
        o(1, "containerName", Str),
        k(2, "resource", Str),
        o(3, "divisor", Quantity),
    ] },
    // 215
    Message { name: "core/v1 ResourceHealth", list_wrapper: false, fields: &[
        k(1, "resourceID", Str),
        o(2, "health", Str),
    ] },
    // 216
    Message { name: "core/v1 ResourceQuota", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(218)),
        o(3, "status", Msg(219)),
    ] },
    // 217
    Message { name: "core/v1 ResourceQuotaList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(216)),
    ] },
    // 218
    Message { name: "core/v1 ResourceQuotaSpec", list_wrapper: false, fields: &[
        m(1, "hard", Quantity),
        r(2, "scopes", Str),
        k(3, "scopeSelector", Msg(225)),
    ] },
    // 219
    Message { name: "core/v1 ResourceQuotaStatus", list_wrapper: false, fields: &[
        m(1, "hard", Quantity),
        m(2, "used", Quantity),
    ] },
    // 220
    Message { name: "core/v1 ResourceRequirements", list_wrapper: false, fields: &[
        m(1, "limits", Quantity),
        m(2, "requests", Quantity),
        r(3, "claims", Msg(213)),
    ] },
    // 221
    Message { name: "core/v1 ResourceStatus", list_wrapper: false, fields: &[
        k(1, "name", Str),
        r(2, "resources", Msg(215)),
    ] },
    // 222
    Message { name: "core/v1 SELinuxOptions", list_wrapper: false, fields: &[
        o(1, "user", Str),
        o(2, "role", Str),
        o(3, "type", Str),
        o(4, "level", Str),
    ] },
    // 223
    Message { name: "core/v1 ScaleIOPersistentVolumeSource", list_wrapper: false, fields: &[
        k(1, "gateway", Str),
        k(2, "system", Str),
        k(3, "secretRef", Msg(233)),
        o(4, "sslEnabled", Bool),
        o(5, "protectionDomain", Str),
        o(6, "storagePool", Str),
        o(7, "storageMode", Str),
        o(8, "volumeName", Str),
        o(9, "fsType", Str),
        o(10, "readOnly", Bool),
    ] },
    // 224
    Message { name: "core/v1 ScaleIOVolumeSource", list_wrapper: false, fields: &[
        k(1, "gateway", Str),
        k(2, "system", Str),
        k(3, "secretRef", Msg(127)),
        o(4, "sslEnabled", Bool),
        o(5, "protectionDomain", Str),
        o(6, "storagePool", Str),
        o(7, "storageMode", Str),
        o(8, "volumeName", Str),
        o(9, "fsType", Str),
        o(10, "readOnly", Bool),
    ] },
    // 225
    Message { name: "core/v1 ScopeSelector", list_wrapper: false, fields: &[
        r(1, "matchExpressions", Msg(226)),
    ] },
    // 226
    Message { name: "core/v1 ScopedResourceSelectorRequirement", list_wrapper: false, fields: &[
        k(1, "scopeName", Str),
        k(2, "operator", Str),
        r(3, "values", Str),
    ] },
    // 227
    Message { name: "core/v1 SeccompProfile", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "localhostProfile", Str),
    ] },
    // 228
    Message { name: "core/v1 Secret", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        m(2, "data", Bytes),
        o(3, "type", Str),
        m(4, "stringData", Str),
        k(5, "immutable", Bool),
    ] },
    // 229
    Message { name: "core/v1 SecretEnvSource", list_wrapper: false, fields: &[
        i(1, Msg(127)),
        k(2, "optional", Bool),
    ] },
    // 230
    Message { name: "core/v1 SecretKeySelector", list_wrapper: false, fields: &[
        i(1, Msg(127)),
        k(2, "key", Str),
        k(3, "optional", Bool),
    ] },
    // 231
    Message { name: "core/v1 SecretList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(228)),
    ] },
    // 232
    Message { name: "core/v1 SecretProjection", list_wrapper: false, fields: &[
        i(1, Msg(127)),
        r(2, "items", Msg(116)),
        k(4, "optional", Bool),
    ] },
    // 233
    Message { name: "core/v1 SecretReference", list_wrapper: false, fields: &[
        o(1, "name", Str),
        o(2, "namespace", Str),
    ] },
    // 234
    Message { name: "core/v1 SecretVolumeSource", list_wrapper: false, fields: &[
        o(1, "secretName", Str),
        r(2, "items", Msg(116)),
        k(3, "defaultMode", I32),
        k(4, "optional", Bool),
    ] },
    // 235
    Message { name: "core/v1 SecurityContext", list_wrapper: false, fields: &[
        k(1, "capabilities", Msg(51)),
        k(2, "privileged", Bool),
        k(3, "seLinuxOptions", Msg(222)),
        k(4, "runAsUser", I64),
        k(5, "runAsNonRoot", Bool),
        k(6, "readOnlyRootFilesystem", Bool),
        k(7, "allowPrivilegeEscalation", Bool),
        k(8, "runAsGroup", I64),
        k(9, "procMount", Str),
        k(10, "windowsOptions", Msg(269)),
        k(11, "seccompProfile", Msg(227)),
        k(12, "appArmorProfile", Msg(42)),
    ] },
    // 236
    Message { name: "core/v1 SerializedReference", list_wrapper: false, fields: &[
        o(1, "reference", Msg(155)),
    ] },
    // 237
    Message { name: "core/v1 Service", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(244)),
        o(3, "status", Msg(245)),
    ] },
    // 238
    Message { name: "core/v1 ServiceAccount", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        r(2, "secrets", Msg(155)),
        r(3, "imagePullSecrets", Msg(127)),
        k(4, "automountServiceAccountToken", Bool),
    ] },
    // 239
    Message { name: "core/v1 ServiceAccountList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(238)),
    ] },
    // 240
    Message { name: "core/v1 ServiceAccountTokenProjection", list_wrapper: false, fields: &[
        o(1, "audience", Str),
        k(2, "expirationSeconds", I64),
        k(3, "path", Str),
    ] },
    // 241
    Message { name: "core/v1 ServiceList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(237)),
    ] },
    // 242
    Message { name: "core/v1 ServicePort", list_wrapper: false, fields: &[
        o(1, "name", Str),
        o(2, "protocol", Str),
        k(3, "port", I32),
        o(4, "targetPort", IntOrString),
        o(5, "nodePort", I32),
        k(6, "appProtocol", Str),
    ] },
    // 243
    Message { name: "core/v1 ServiceProxyOptions", list_wrapper: false, fields: &[
        o(1, "path", Str),
    ] },
    // 244
    Message { name: "core/v1 ServiceSpec", list_wrapper: false, fields: &[
        r(1, "ports", Msg(242)),
        m(2, "selector", Str),
        o(3, "clusterIP", Str),
        o(4, "type", Str),
        r(5, "externalIPs", Str),
        o(7, "sessionAffinity", Str),
        o(8, "loadBalancerIP", Str),
        r(9, "loadBalancerSourceRanges", Str),
        o(10, "externalName", Str),
        o(11, "externalTrafficPolicy", Str),
        o(12, "healthCheckNodePort", I32),
        o(13, "publishNotReadyAddresses", Bool),
        k(14, "sessionAffinityConfig", Msg(246)),
        k(17, "ipFamilyPolicy", Str),
        r(18, "clusterIPs", Str),
        r(19, "ipFamilies", Str),
        k(20, "allocateLoadBalancerNodePorts", Bool),
        k(21, "loadBalancerClass", Str),
        k(22, "internalTrafficPolicy", Str),
        k(23, "trafficDistribution", Str),
    ] },
    // 245
    Message { name: "core/v1 ServiceStatus", list_wrapper: false, fields: &[
        o(1, "loadBalancer", Msg(126)),
        r(2, "conditions", Msg(6)),
    ] },
    // 246
    Message { name: "core/v1 SessionAffinityConfig", list_wrapper: false, fields: &[
        k(1, "clientIP", Msg(56)),
    ] },
    // 247
    Message { name: "core/v1 SleepAction", list_wrapper: false, fields: &[
        k(1, "seconds", I64),
    ] },
    // 248
    Message { name: "core/v1 StorageOSPersistentVolumeSource", list_wrapper: false, fields: &[
        o(1, "volumeName", Str),
        o(2, "volumeNamespace", Str),
        o(3, "fsType", Str),
        o(4, "readOnly", Bool),
        k(5, "secretRef", Msg(155)),
    ] },
    // 249
    Message { name: "core/v1 StorageOSVolumeSource", list_wrapper: false, fields: &[
        o(1, "volumeName", Str),
        o(2, "volumeNamespace", Str),
        o(3, "fsType", Str),
        o(4, "readOnly", Bool),
        k(5, "secretRef", Msg(127)),
    ] },
    // 250
    Message { name: "core/v1 Sysctl", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "value", Str),
    ] },
    // 251
    Message { name: "core/v1 TCPSocketAction", list_wrapper: false, fields: &[
        k(1, "port", IntOrString),
        o(2, "host", Str),
    ] },
    // 252
    Message { name: "core/v1 Taint", list_wrapper: false, fields: &[
        k(1, "key", Str),
        o(2, "value", Str),
        k(3, "effect", Str),
        k(4, "timeAdded", Time),
    ] },
    // 253
    Message { name: "core/v1 Toleration", list_wrapper: false, fields: &[
        o(1, "key", Str),
        o(2, "operator", Str),
        o(3, "value", Str),
        o(4, "effect", Str),
        k(5, "tolerationSeconds", I64),
    ] },
    // 254
    Message { name: "core/v1 TopologySelectorLabelRequirement", list_wrapper: false, fields: &[
        k(1, "key", Str),
        r(2, "values", Str),
    ] },
    // 255
    Message { name: "core/v1 TopologySelectorTerm", list_wrapper: false, fields: &[
        r(1, "matchLabelExpressions", Msg(254)),
    ] },
    // 256
    Message { name: "core/v1 TopologySpreadConstraint", list_wrapper: false, fields: &[
        k(1, "maxSkew", I32),
        k(2, "topologyKey", Str),
        k(3, "whenUnsatisfiable", Str),
        k(4, "labelSelector", Msg(17)),
        k(5, "minDomains", I32),
        k(6, "nodeAffinityPolicy", Str),
        k(7, "nodeTaintsPolicy", Str),
        r(8, "matchLabelKeys", Str),
    ] },
    // 257
    Message { name: "core/v1 TypedLocalObjectReference", list_wrapper: false, fields: &[
        k(1, "apiGroup", Str),
        k(2, "kind", Str),
        k(3, "name", Str),
    ] },
    // 258
    Message { name: "core/v1 TypedObjectReference", list_wrapper: false, fields: &[
        k(1, "apiGroup", Str),
        k(2, "kind", Str),
        k(3, "name", Str),
        k(4, "namespace", Str),
    ] },
    // 259
    Message { name: "core/v1 Volume", list_wrapper: false, fields: &[
        k(1, "name", Str),
        i(2, Msg(266)),
    ] },
    // 260
    Message { name: "core/v1 VolumeDevice", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "devicePath", Str),
    ] },
    // 261
    Message { name: "core/v1 VolumeMount", list_wrapper: false, fields: &[
        k(1, "name", Str),
        o(2, "readOnly", Bool),
        k(3, "mountPath", Str),
        o(4, "subPath", Str),
        k(5, "mountPropagation", Str),
        o(6, "subPathExpr", Str),
        k(7, "recursiveReadOnly", Str),
    ] },
    // 262
    Message { name: "core/v1 VolumeMountStatus", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "mountPath", Str),
        o(3, "readOnly", Bool),
        k(4, "recursiveReadOnly", Str),
    ] },
    // 263
    Message { name: "core/v1 VolumeNodeAffinity", list_wrapper: false, fields: &[
        k(1, "required", Msg(148)),
    ] },
    // 264
    Message { name: "core/v1 VolumeProjection", list_wrapper: false, fields: &[
        k(1, "secret", Msg(232)),
        k(2, "downwardAPI", Msg(79)),
        k(3, "configMap", Msg(66)),
        k(4, "serviceAccountToken", Msg(240)),
        k(5, "clusterTrustBundle", Msg(57)),
    ] },
    // 265
    Message { name: "core/v1 VolumeResourceRequirements", list_wrapper: false, fields: &[
        m(1, "limits", Quantity),
        m(2, "requests", Quantity),
    ] },
    // 266
    Message { name: "core/v1 VolumeSource", list_wrapper: false, fields: &[
        k(1, "hostPath", Msg(112)),
        k(2, "emptyDir", Msg(82)),
        k(3, "gcePersistentDisk", Msg(103)),
        k(4, "awsElasticBlockStore", Msg(40)),
        k(5, "gitRepo", Msg(105)),
        k(6, "secret", Msg(234)),
        k(7, "nfs", Msg(130)),
        k(8, "iscsi", Msg(114)),
        k(9, "glusterfs", Msg(107)),
        k(10, "persistentVolumeClaim", Msg(163)),
        k(11, "rbd", Msg(206)),
        k(12, "flexVolume", Msg(101)),
        k(13, "cinder", Msg(55)),
        k(14, "cephfs", Msg(53)),
        k(15, "flocker", Msg(102)),
        k(16, "downwardAPI", Msg(81)),
        k(17, "fc", Msg(99)),
        k(18, "azureFile", Msg(47)),
        k(19, "configMap", Msg(67)),
        k(20, "vsphereVolume", Msg(267)),
        k(21, "quobyte", Msg(204)),
        k(22, "azureDisk", Msg(45)),
        k(23, "photonPersistentDisk", Msg(168)),
        k(24, "portworxVolume", Msg(197)),
        k(25, "scaleIO", Msg(224)),
        k(26, "projected", Msg(203)),
        k(27, "storageos", Msg(249)),
        k(28, "csi", Msg(50)),
        k(29, "ephemeral", Msg(93)),
        k(30, "image", Msg(115)),
    ] },
    // 267
    Message { name: "core/v1 VsphereVirtualDiskVolumeSource", list_wrapper: false, fields: &[
        k(1, "volumePath", Str),
        o(2, "fsType", Str),
        o(3, "storagePolicyName", Str),
        o(4, "storagePolicyID", Str),
    ] },
    // 268
    Message { name: "core/v1 WeightedPodAffinityTerm", list_wrapper: false, fields: &[
        k(1, "weight", I32),
        k(2, "podAffinityTerm", Msg(171)),
    ] },
    // 269
    Message { name: "core/v1 WindowsSecurityContextOptions", list_wrapper: false, fields: &[
        k(1, "gmsaCredentialSpecName", Str),
        k(2, "gmsaCredentialSpec", Str),
        k(3, "runAsUserName", Str),
        k(4, "hostProcess", Bool),
    ] },
    // 270
    Message { name: "apps/v1 ControllerRevision", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "data", RawExtension),
        k(3, "revision", I64),
    ] },
    // 271
    Message { name: "apps/v1 ControllerRevisionList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(270)),
    ] },
    // 272
    Message { name: "apps/v1 DaemonSet", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(275)),
        o(3, "status", Msg(276)),
    ] },
    // 273
    Message { name: "apps/v1 DaemonSetCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "lastTransitionTime", Time),
        o(4, "reason", Str),
        o(5, "message", Str),
    ] },
    // 274
    Message { name: "apps/v1 DaemonSetList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(272)),
    ] },
    // 275
    Message { name: "apps/v1 DaemonSetSpec", list_wrapper: false, fields: &[
        k(1, "selector", Msg(17)),
        k(2, "template", Msg(195)),
        o(3, "updateStrategy", Msg(277)),
        o(4, "minReadySeconds", I32),
        k(6, "revisionHistoryLimit", I32),
    ] },
    // 276
    Message { name: "apps/v1 DaemonSetStatus", list_wrapper: false, fields: &[
        k(1, "currentNumberScheduled", I32),
        k(2, "numberMisscheduled", I32),
        k(3, "desiredNumberScheduled", I32),
        k(4, "numberReady", I32),
        o(5, "observedGeneration", I64),
        o(6, "updatedNumberScheduled", I32),
        o(7, "numberAvailable", I32),
        o(8, "numberUnavailable", I32),
        k(9, "collisionCount", I32),
        r(10, "conditions", Msg(273)),
    ] },
    // 277
    Message { name: "apps/v1 DaemonSetUpdateStrategy", list_wrapper: false, fields: &[
        o(1, "type", Str),
        k(2, "rollingUpdate", Msg(289)),
    ] },
    // 278
    Message { name: "apps/v1 Deployment", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(281)),
        o(3, "status", Msg(282)),
    ] },
    // 279
    Message { name: "apps/v1 DeploymentCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(4, "reason", Str),
        o(5, "message", Str),
        o(6, "lastUpdateTime", Time),
        o(7, "lastTransitionTime", Time),
    ] },
    // 280
    Message { name: "apps/v1 DeploymentList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(278)),
    ] },
    // 281
    Message { name: "apps/v1 DeploymentSpec", list_wrapper: false, fields: &[
        k(1, "replicas", I32),
        k(2, "selector", Msg(17)),
        k(3, "template", Msg(195)),
        o(4, "strategy", Msg(283)),
        o(5, "minReadySeconds", I32),
        k(6, "revisionHistoryLimit", I32),
        o(7, "paused", Bool),
        k(9, "progressDeadlineSeconds", I32),
    ] },
    // 282
    Message { name: "apps/v1 DeploymentStatus", list_wrapper: false, fields: &[
        o(1, "observedGeneration", I64),
        o(2, "replicas", I32),
        o(3, "updatedReplicas", I32),
        o(4, "availableReplicas", I32),
        o(5, "unavailableReplicas", I32),
        r(6, "conditions", Msg(279)),
        o(7, "readyReplicas", I32),
        k(8, "collisionCount", I32),
    ] },
    // 283
    Message { name: "apps/v1 DeploymentStrategy", list_wrapper: false, fields: &[
        o(1, "type", Str),
        k(2, "rollingUpdate", Msg(290)),
    ] },
    // 284
    Message { name: "apps/v1 ReplicaSet", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(287)),
        o(3, "status", Msg(288)),
    ] },
    // 285
    Message { name: "apps/v1 ReplicaSetCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "lastTransitionTime", Time),
        o(4, "reason", Str),
        o(5, "message", Str),
    ] },
    // 286
    Message { name: "apps/v1 ReplicaSetList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(284)),
    ] },
    // 287
    Message { name: "apps/v1 ReplicaSetSpec", list_wrapper: false, fields: &[
        k(1, "replicas", I32),
        k(2, "selector", Msg(17)),
        o(3, "template", Msg(195)),
        o(4, "minReadySeconds", I32),
    ] },
    // 288
    Message { name: "apps/v1 ReplicaSetStatus", list_wrapper: false, fields: &[
        k(1, "replicas", I32),
        o(2, "fullyLabeledReplicas", I32),
        o(3, "observedGeneration", I64),
        o(4, "readyReplicas", I32),
        o(5, "availableReplicas", I32),
        r(6, "conditions", Msg(285)),
    ] },
    // 289
    Message { name: "apps/v1 RollingUpdateDaemonSet", list_wrapper: false, fields: &[
        k(1, "maxUnavailable", IntOrString),
        k(2, "maxSurge", IntOrString),
    ] },
    // 290
    Message { name: "apps/v1 RollingUpdateDeployment", list_wrapper: false, fields: &[
        k(1, "maxUnavailable", IntOrString),
        k(2, "maxSurge", IntOrString),
    ] },
    // 291
    Message { name: "apps/v1 RollingUpdateStatefulSetStrategy", list_wrapper: false, fields: &[
        k(1, "partition", I32),
        k(2, "maxUnavailable", IntOrString),
    ] },
    // 292
    Message { name: "apps/v1 StatefulSet", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(297)),
        o(3, "status", Msg(298)),
    ] },
    // 293
    Message { name: "apps/v1 StatefulSetCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "lastTransitionTime", Time),
        o(4, "reason", Str),
        o(5, "message", Str),
    ] },
    // 294
    Message { name: "apps/v1 StatefulSetList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(292)),
    ] },
    // 295
    Message { name: "apps/v1 StatefulSetOrdinals", list_wrapper: false, fields: &[
        k(1, "start", I32),
    ] },
    // 296
    Message { name: "apps/v1 StatefulSetPersistentVolumeClaimRetentionPolicy", list_wrapper: false, fields: &[
        o(1, "whenDeleted", Str),
        o(2, "whenScaled", Str),
    ] },
    // 297
    Message { name: "apps/v1 StatefulSetSpec", list_wrapper: false, fields: &[
        k(1, "replicas", I32),
        k(2, "selector", Msg(17)),
        k(3, "template", Msg(195)),
        r(4, "volumeClaimTemplates", Msg(157)),
        k(5, "serviceName", Str),
        o(6, "podManagementPolicy", Str),
        o(7, "updateStrategy", Msg(299)),
        k(8, "revisionHistoryLimit", I32),
        o(9, "minReadySeconds", I32),
        k(10, "persistentVolumeClaimRetentionPolicy", Msg(296)),
        k(11, "ordinals", Msg(295)),
    ] },
    // 298
    Message { name: "apps/v1 StatefulSetStatus", list_wrapper: false, fields: &[
        o(1, "observedGeneration", I64),
        k(2, "replicas", I32),
        o(3, "readyReplicas", I32),
        o(4, "currentReplicas", I32),
        o(5, "updatedReplicas", I32),
        o(6, "currentRevision", Str),
        o(7, "updateRevision", Str),
        k(9, "collisionCount", I32),
        r(10, "conditions", Msg(293)),
        k(11, "availableReplicas", I32),
    ] },
    // 299
    Message { name: "apps/v1 StatefulSetUpdateStrategy", list_wrapper: false, fields: &[
        o(1, "type", Str),
        k(2, "rollingUpdate", Msg(291)),
    ] },
    // 300
    Message { name: "autoscaling/v1 ContainerResourceMetricSource", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "targetAverageUtilization", I32),
        k(3, "targetAverageValue", Quantity),
        k(5, "container", Str),
    ] },
    // 301
    Message { name: "autoscaling/v1 ContainerResourceMetricStatus", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "currentAverageUtilization", I32),
        k(3, "currentAverageValue", Quantity),
        k(4, "container", Str),
    ] },
    // 302
    Message { name: "autoscaling/v1 CrossVersionObjectReference", list_wrapper: false, fields: &[
        k(1, "kind", Str),
        k(2, "name", Str),
        o(3, "apiVersion", Str),
    ] },
    // 303
    Message { name: "autoscaling/v1 ExternalMetricSource", list_wrapper: false, fields: &[
        k(1, "metricName", Str),
        k(2, "metricSelector", Msg(17)),
        k(3, "targetValue", Quantity),
        k(4, "targetAverageValue", Quantity),
    ] },
    // 304
    Message { name: "autoscaling/v1 ExternalMetricStatus", list_wrapper: false, fields: &[
        k(1, "metricName", Str),
        k(2, "metricSelector", Msg(17)),
        k(3, "currentValue", Quantity),
        k(4, "currentAverageValue", Quantity),
    ] },
    // 305
    Message { name: "autoscaling/v1 HorizontalPodAutoscaler", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(308)),
        o(3, "status", Msg(309)),
    ] },
    // 306
    Message { name: "autoscaling/v1 HorizontalPodAutoscalerCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "lastTransitionTime", Time),
        o(4, "reason", Str),
        o(5, "message", Str),
    ] },
    // 307
    Message { name: "autoscaling/v1 HorizontalPodAutoscalerList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(305)),
    ] },
    // 308
    Message { name: "autoscaling/v1 HorizontalPodAutoscalerSpec", list_wrapper: false, fields: &[
        k(1, "scaleTargetRef", Msg(302)),
        k(2, "minReplicas", I32),
        k(3, "maxReplicas", I32),
        k(4, "targetCPUUtilizationPercentage", I32),
    ] },
    // 309
    Message { name: "autoscaling/v1 HorizontalPodAutoscalerStatus", list_wrapper: false, fields: &[
        k(1, "observedGeneration", I64),
        k(2, "lastScaleTime", Time),
        k(3, "currentReplicas", I32),
        k(4, "desiredReplicas", I32),
        k(5, "currentCPUUtilizationPercentage", I32),
    ] },
    // 310
    Message { name: "autoscaling/v1 MetricSpec", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "object", Msg(312)),
        k(3, "pods", Msg(314)),
        k(4, "resource", Msg(316)),
        k(5, "external", Msg(303)),
        k(7, "containerResource", Msg(300)),
    ] },
    // 311
    Message { name: "autoscaling/v1 MetricStatus", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "object", Msg(313)),
        k(3, "pods", Msg(315)),
        k(4, "resource", Msg(317)),
        k(5, "external", Msg(304)),
        k(7, "containerResource", Msg(301)),
    ] },
    // 312
    Message { name: "autoscaling/v1 ObjectMetricSource", list_wrapper: false, fields: &[
        k(1, "target", Msg(302)),
        k(2, "metricName", Str),
        k(3, "targetValue", Quantity),
        k(4, "selector", Msg(17)),
        k(5, "averageValue", Quantity),
    ] },
    // 313
    Message { name: "autoscaling/v1 ObjectMetricStatus", list_wrapper: false, fields: &[
        k(1, "target", Msg(302)),
        k(2, "metricName", Str),
        k(3, "currentValue", Quantity),
        k(4, "selector", Msg(17)),
        k(5, "averageValue", Quantity),
    ] },
    // 314
    Message { name: "autoscaling/v1 PodsMetricSource", list_wrapper: false, fields: &[
        k(1, "metricName", Str),
        k(2, "targetAverageValue", Quantity),
        k(3, "selector", Msg(17)),
    ] },
    // 315
    Message { name: "autoscaling/v1 PodsMetricStatus", list_wrapper: false, fields: &[
        k(1, "metricName", Str),
        k(2, "currentAverageValue", Quantity),
        k(3, "selector", Msg(17)),
    ] },
    // 316
    Message { name: "autoscaling/v1 ResourceMetricSource", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "targetAverageUtilization", I32),
        k(3, "targetAverageValue", Quantity),
    ] },
    // 317
    Message { name: "autoscaling/v1 ResourceMetricStatus", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "currentAverageUtilization", I32),
        k(3, "currentAverageValue", Quantity),
    ] },
    // 318
    Message { name: "autoscaling/v1 Scale", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(319)),
        o(3, "status", Msg(320)),
    ] },
    // 319
    Message { name: "autoscaling/v1 ScaleSpec", list_wrapper: false, fields: &[
        o(1, "replicas", I32),
    ] },
    // 320
    Message { name: "autoscaling/v1 ScaleStatus", list_wrapper: false, fields: &[
        k(1, "replicas", I32),
        o(2, "selector", Str),
    ] },
    // 321
    Message { name: "autoscaling/v2 ContainerResourceMetricSource", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "target", Msg(337)),
        k(3, "container", Str),
    ] },
    // 322
    Message { name: "autoscaling/v2 ContainerResourceMetricStatus", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "current", Msg(338)),
        k(3, "container", Str),
    ] },
    // 323
    Message { name: "autoscaling/v2 CrossVersionObjectReference", list_wrapper: false, fields: &[
        k(1, "kind", Str),
        k(2, "name", Str),
        o(3, "apiVersion", Str),
    ] },
    // 324
    Message { name: "autoscaling/v2 ExternalMetricSource", list_wrapper: false, fields: &[
        k(1, "metric", Msg(334)),
        k(2, "target", Msg(337)),
    ] },
    // 325
    Message { name: "autoscaling/v2 ExternalMetricStatus", list_wrapper: false, fields: &[
        k(1, "metric", Msg(334)),
        k(2, "current", Msg(338)),
    ] },
    // 326
    Message { name: "autoscaling/v2 HPAScalingPolicy", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "value", I32),
        k(3, "periodSeconds", I32),
    ] },
    // 327
    Message { name: "autoscaling/v2 HPAScalingRules", list_wrapper: false, fields: &[
        k(1, "selectPolicy", Str),
        r(2, "policies", Msg(326)),
        k(3, "stabilizationWindowSeconds", I32),
    ] },
    // 328
    Message { name: "autoscaling/v2 HorizontalPodAutoscaler", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(332)),
        o(3, "status", Msg(333)),
    ] },
    // 329
    Message { name: "autoscaling/v2 HorizontalPodAutoscalerBehavior", list_wrapper: false, fields: &[
        k(1, "scaleUp", Msg(327)),
        k(2, "scaleDown", Msg(327)),
    ] },
    // 330
    Message { name: "autoscaling/v2 HorizontalPodAutoscalerCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "lastTransitionTime", Time),
        o(4, "reason", Str),
        o(5, "message", Str),
    ] },
    // 331
    Message { name: "autoscaling/v2 HorizontalPodAutoscalerList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(328)),
    ] },
    // 332
    Message { name: "autoscaling/v2 HorizontalPodAutoscalerSpec", list_wrapper: false, fields: &[
        k(1, "scaleTargetRef", Msg(323)),
        k(2, "minReplicas", I32),
        k(3, "maxReplicas", I32),
        r(4, "metrics", Msg(335)),
        k(5, "behavior", Msg(329)),
    ] },
    // 333
    Message { name: "autoscaling/v2 HorizontalPodAutoscalerStatus", list_wrapper: false, fields: &[
        k(1, "observedGeneration", I64),
        k(2, "lastScaleTime", Time),
        o(3, "currentReplicas", I32),
        k(4, "desiredReplicas", I32),
        r(5, "currentMetrics", Msg(336)),
        r(6, "conditions", Msg(330)),
    ] },
    // 334
    Message { name: "autoscaling/v2 MetricIdentifier", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "selector", Msg(17)),
    ] },
    // 335
    Message { name: "autoscaling/v2 MetricSpec", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "object", Msg(339)),
        k(3, "pods", Msg(341)),
        k(4, "resource", Msg(343)),
        k(5, "external", Msg(324)),
        k(7, "containerResource", Msg(321)),
    ] },
    // 336
    Message { name: "autoscaling/v2 MetricStatus", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "object", Msg(340)),
        k(3, "pods", Msg(342)),
        k(4, "resource", Msg(344)),
        k(5, "external", Msg(325)),
        k(7, "containerResource", Msg(322)),
    ] },
    // 337
    Message { name: "autoscaling/v2 MetricTarget", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "value", Quantity),
        k(3, "averageValue", Quantity),
        k(4, "averageUtilization", I32),
    ] },
    // 338
    Message { name: "autoscaling/v2 MetricValueStatus", list_wrapper: false, fields: &[
        k(1, "value", Quantity),
        k(2, "averageValue", Quantity),
        k(3, "averageUtilization", I32),
    ] },
    // 339
    Message { name: "autoscaling/v2 ObjectMetricSource", list_wrapper: false, fields: &[
        k(1, "describedObject", Msg(323)),
        k(2, "target", Msg(337)),
        k(3, "metric", Msg(334)),
    ] },
    // 340
    Message { name: "autoscaling/v2 ObjectMetricStatus", list_wrapper: false, fields: &[
        k(1, "metric", Msg(334)),
        k(2, "current", Msg(338)),
        k(3, "describedObject", Msg(323)),
    ] },
    // 341
    Message { name: "autoscaling/v2 PodsMetricSource", list_wrapper: false, fields: &[
        k(1, "metric", Msg(334)),
        k(2, "target", Msg(337)),
    ] },
    // 342
    Message { name: "autoscaling/v2 PodsMetricStatus", list_wrapper: false, fields: &[
        k(1, "metric", Msg(334)),
        k(2, "current", Msg(338)),
    ] },
    // 343
    Message { name: "autoscaling/v2 ResourceMetricSource", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "target", Msg(337)),
    ] },
    // 344
    Message { name: "autoscaling/v2 ResourceMetricStatus", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "current", Msg(338)),
    ] },
    // 345
    Message { name: "batch/v1 CronJob", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(347)),
        o(3, "status", Msg(348)),
    ] },
    // 346
    Message { name: "batch/v1 CronJobList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(345)),
    ] },
    // 347
    Message { name: "batch/v1 CronJobSpec", list_wrapper: false, fields: &[
        k(1, "schedule", Str),
        k(2, "startingDeadlineSeconds", I64),
        o(3, "concurrencyPolicy", Str),
        k(4, "suspend", Bool),
        k(5, "jobTemplate", Msg(354)),
        k(6, "successfulJobsHistoryLimit", I32),
        k(7, "failedJobsHistoryLimit", I32),
        k(8, "timeZone", Str),
    ] },
    // 348
    Message { name: "batch/v1 CronJobStatus", list_wrapper: false, fields: &[
        r(1, "active", Msg(155)),
        k(4, "lastScheduleTime", Time),
        k(5, "lastSuccessfulTime", Time),
    ] },
    // 349
    Message { name: "batch/v1 Job", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(352)),
        o(3, "status", Msg(353)),
    ] },
    // 350
    Message { name: "batch/v1 JobCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
        o(3, "lastProbeTime", Time),
        o(4, "lastTransitionTime", Time),
        o(5, "reason", Str),
        o(6, "message", Str),
    ] },
    // 351
    Message { name: "batch/v1 JobList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(349)),
    ] },
    // 352
    Message { name: "batch/v1 JobSpec", list_wrapper: false, fields: &[
        k(1, "parallelism", I32),
        k(2, "completions", I32),
        k(3, "activeDeadlineSeconds", I64),
        k(4, "selector", Msg(17)),
        k(5, "manualSelector", Bool),
        k(6, "template", Msg(195)),
        k(7, "backoffLimit", I32),
        k(8, "ttlSecondsAfterFinished", I32),
        k(9, "completionMode", Str),
        k(10, "suspend", Bool),
        k(11, "podFailurePolicy", Msg(355)),
        k(12, "backoffLimitPerIndex", I32),
        k(13, "maxFailedIndexes", I32),
        k(14, "podReplacementPolicy", Str),
        k(15, "managedBy", Str),
        k(16, "successPolicy", Msg(359)),
    ] },
    // 353
    Message { name: "batch/v1 JobStatus", list_wrapper: false, fields: &[
        r(1, "conditions", Msg(350)),
        k(2, "startTime", Time),
        k(3, "completionTime", Time),
        o(4, "active", I32),
        o(5, "succeeded", I32),
        o(6, "failed", I32),
        o(7, "completedIndexes", Str),
        k(8, "uncountedTerminatedPods", Msg(361)),
        k(9, "ready", I32),
        k(10, "failedIndexes", Str),
        k(11, "terminating", I32),
    ] },
    // 354
    Message { name: "batch/v1 JobTemplateSpec", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(352)),
    ] },
    // 355
    Message { name: "batch/v1 PodFailurePolicy", list_wrapper: false, fields: &[
        r(1, "rules", Msg(358)),
    ] },
    // 356
    Message { name: "batch/v1 PodFailurePolicyOnExitCodesRequirement", list_wrapper: false, fields: &[
        k(1, "containerName", Str),
        k(2, "operator", Str),
        r(3, "values", I32),
    ] },
    // 357
    Message { name: "batch/v1 PodFailurePolicyOnPodConditionsPattern", list_wrapper: false, fields: &[
        k(1, "type", Str),
        k(2, "status", Str),
    ] },
    // 358
    Message { name: "batch/v1 PodFailurePolicyRule", list_wrapper: false, fields: &[
        k(1, "action", Str),
        k(2, "onExitCodes", Msg(356)),
        r(3, "onPodConditions", Msg(357)),
    ] },
    // 359
    Message { name: "batch/v1 SuccessPolicy", list_wrapper: false, fields: &[
        r(1, "rules", Msg(360)),
    ] },
    // 360
    Message { name: "batch/v1 SuccessPolicyRule", list_wrapper: false, fields: &[
        k(1, "succeededIndexes", Str),
        k(2, "succeededCount", I32),
    ] },
    // 361
    Message { name: "batch/v1 UncountedTerminatedPods", list_wrapper: false, fields: &[
        r(1, "succeeded", Str),
        r(2, "failed", Str),
    ] },
    // 362
    Message { name: "coordination/v1 Lease", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(364)),
    ] },
    // 363
    Message { name: "coordination/v1 LeaseList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(362)),
    ] },
    // 364
    Message { name: "coordination/v1 LeaseSpec", list_wrapper: false, fields: &[
        k(1, "holderIdentity", Str),
        k(2, "leaseDurationSeconds", I32),
        k(3, "acquireTime", MicroTime),
        k(4, "renewTime", MicroTime),
        k(5, "leaseTransitions", I32),
        k(6, "strategy", Str),
        k(7, "preferredHolder", Str),
    ] },
    // 365
    Message { name: "discovery/v1 Endpoint", list_wrapper: false, fields: &[
        r(1, "addresses", Str),
        o(2, "conditions", Msg(366)),
        k(3, "hostname", Str),
        k(4, "targetRef", Msg(155)),
        m(5, "deprecatedTopology", Str),
        k(6, "nodeName", Str),
        k(7, "zone", Str),
        k(8, "hints", Msg(367)),
    ] },
    // 366
    Message { name: "discovery/v1 EndpointConditions", list_wrapper: false, fields: &[
        k(1, "ready", Bool),
        k(2, "serving", Bool),
        k(3, "terminating", Bool),
    ] },
    // 367
    Message { name: "discovery/v1 EndpointHints", list_wrapper: false, fields: &[
        r(1, "forZones", Msg(371)),
    ] },
    // 368
    Message { name: "discovery/v1 EndpointPort", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "protocol", Str),
        k(3, "port", I32),
        k(4, "appProtocol", Str),
    ] },
    // 369
    Message { name: "discovery/v1 EndpointSlice", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        r(2, "endpoints", Msg(365)),
        r(3, "ports", Msg(368)),
        k(4, "addressType", Str),
    ] },
    // 370
    Message { name: "discovery/v1 EndpointSliceList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(369)),
    ] },
    // 371
    Message { name: "discovery/v1 ForZone", list_wrapper: false, fields: &[
        k(1, "name", Str),
    ] },
    // 372
    Message { name: "events/v1 Event", list_wrapper: false, fields: &[
        k(1, "metadata", Msg(23)),
        k(2, "eventTime", MicroTime),
        k(3, "series", Msg(374)),
        o(4, "reportingController", Str),
        o(5, "reportingInstance", Str),
        o(6, "action", Str),
        o(7, "reason", Str),
        o(8, "regarding", Msg(155)),
        k(9, "related", Msg(155)),
        o(10, "note", Str),
        o(11, "type", Str),
        o(12, "deprecatedSource", Msg(97)),
        o(13, "deprecatedFirstTimestamp", Time),
        o(14, "deprecatedLastTimestamp", Time),
        o(15, "deprecatedCount", I32),
    ] },
    // 373
    Message { name: "events/v1 EventList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(372)),
    ] },
    // 374
    Message { name: "events/v1 EventSeries", list_wrapper: false, fields: &[
        k(1, "count", I32),
        k(2, "lastObservedTime", MicroTime),
    ] },
    // 375
    Message { name: "networking/v1 HTTPIngressPath", list_wrapper: false, fields: &[
        o(1, "path", Str),
        k(2, "backend", Msg(379)),
        k(3, "pathType", Str),
    ] },
    // 376
    Message { name: "networking/v1 HTTPIngressRuleValue", list_wrapper: false, fields: &[
        r(1, "paths", Msg(375)),
    ] },
    // 377
    Message { name: "networking/v1 IPBlock", list_wrapper: false, fields: &[
        k(1, "cidr", Str),
        r(2, "except", Str),
    ] },
    // 378
    Message { name: "networking/v1 Ingress", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(391)),
        o(3, "status", Msg(392)),
    ] },
    // 379
    Message { name: "networking/v1 IngressBackend", list_wrapper: false, fields: &[
        k(3, "resource", Msg(257)),
        k(4, "service", Msg(390)),
    ] },
    // 380
    Message { name: "networking/v1 IngressClass", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(383)),
    ] },
    // 381
    Message { name: "networking/v1 IngressClassList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(380)),
    ] },
    // 382
    Message { name: "networking/v1 IngressClassParametersReference", list_wrapper: false, fields: &[
        k(1, "apiGroup", Str),
        k(2, "kind", Str),
        k(3, "name", Str),
        k(4, "scope", Str),
        k(5, "namespace", Str),
    ] },
    // 383
    Message { name: "networking/v1 IngressClassSpec", list_wrapper: false, fields: &[
        o(1, "controller", Str),
        k(2, "parameters", Msg(382)),
    ] },
    // 384
    Message { name: "networking/v1 IngressList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(378)),
    ] },
    // 385
    Message { name: "networking/v1 IngressLoadBalancerIngress", list_wrapper: false, fields: &[
        o(1, "ip", Str),
        o(2, "hostname", Str),
        r(4, "ports", Msg(387)),
    ] },
    // 386
    Message { name: "networking/v1 IngressLoadBalancerStatus", list_wrapper: false, fields: &[
        r(1, "ingress", Msg(385)),
    ] },
    // 387
    Message { name: "networking/v1 IngressPortStatus", list_wrapper: false, fields: &[
        k(1, "port", I32),
        k(2, "protocol", Str),
        k(3, "error", Str),
    ] },
    // 388
    Message { name: "networking/v1 IngressRule", list_wrapper: false, fields: &[
        o(1, "host", Str),
        i(2, Msg(389)),
    ] },
    // 389
    Message { name: "networking/v1 IngressRuleValue", list_wrapper: false, fields: &[
        k(1, "http", Msg(376)),
    ] },
    // 390
    Message { name: "networking/v1 IngressServiceBackend", list_wrapper: false, fields: &[
        k(1, "name", Str),
        o(2, "port", Msg(401)),
    ] },
    // 391
    Message { name: "networking/v1 IngressSpec", list_wrapper: false, fields: &[
        k(1, "defaultBackend", Msg(379)),
        r(2, "tls", Msg(393)),
        r(3, "rules", Msg(388)),
        k(4, "ingressClassName", Str),
    ] },
    // 392
    Message { name: "networking/v1 IngressStatus", list_wrapper: false, fields: &[
        o(1, "loadBalancer", Msg(386)),
    ] },
    // 393
    Message { name: "networking/v1 IngressTLS", list_wrapper: false, fields: &[
        r(1, "hosts", Str),
        o(2, "secretName", Str),
    ] },
    // 394
    Message { name: "networking/v1 NetworkPolicy", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(400)),
    ] },
    // 395
    Message { name: "networking/v1 NetworkPolicyEgressRule", list_wrapper: false, fields: &[
        r(1, "ports", Msg(399)),
        r(2, "to", Msg(398)),
    ] },
    // 396
    Message { name: "networking/v1 NetworkPolicyIngressRule", list_wrapper: false, fields: &[
        r(1, "ports", Msg(399)),
        r(2, "from", Msg(398)),
    ] },
    // 397
    Message { name: "networking/v1 NetworkPolicyList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(394)),
    ] },
    // 398
    Message { name: "networking/v1 NetworkPolicyPeer", list_wrapper: false, fields: &[
        k(1, "podSelector", Msg(17)),
        k(2, "namespaceSelector", Msg(17)),
        k(3, "ipBlock", Msg(377)),
    ] },
    // 399
    Message { name: "networking/v1 NetworkPolicyPort", list_wrapper: false, fields: &[
        k(1, "protocol", Str),
        k(2, "port", IntOrString),
        k(3, "endPort", I32),
    ] },
    // 400
    Message { name: "networking/v1 NetworkPolicySpec", list_wrapper: false, fields: &[
        k(1, "podSelector", Msg(17)),
        r(2, "ingress", Msg(396)),
        r(3, "egress", Msg(395)),
        r(4, "policyTypes", Str),
    ] },
    // 401
    Message { name: "networking/v1 ServiceBackendPort", list_wrapper: false, fields: &[
        o(1, "name", Str),
        o(2, "number", I32),
    ] },
    // 402
    Message { name: "policy/v1 Eviction", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "deleteOptions", Msg(8)),
    ] },
    // 403
    Message { name: "policy/v1 PodDisruptionBudget", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "spec", Msg(405)),
        o(3, "status", Msg(406)),
    ] },
    // 404
    Message { name: "policy/v1 PodDisruptionBudgetList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(403)),
    ] },
    // 405
    Message { name: "policy/v1 PodDisruptionBudgetSpec", list_wrapper: false, fields: &[
        k(1, "minAvailable", IntOrString),
        k(2, "selector", Msg(17)),
        k(3, "maxUnavailable", IntOrString),
        k(4, "unhealthyPodEvictionPolicy", Str),
    ] },
    // 406
    Message { name: "policy/v1 PodDisruptionBudgetStatus", list_wrapper: false, fields: &[
        o(1, "observedGeneration", I64),
        m(2, "disruptedPods", Time),
        k(3, "disruptionsAllowed", I32),
        k(4, "currentHealthy", I32),
        k(5, "desiredHealthy", I32),
        k(6, "expectedPods", I32),
        r(7, "conditions", Msg(6)),
    ] },
    // 407
    Message { name: "rbac/v1 AggregationRule", list_wrapper: false, fields: &[
        r(1, "clusterRoleSelectors", Msg(17)),
    ] },
    // 408
    Message { name: "rbac/v1 ClusterRole", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        r(2, "rules", Msg(412)),
        k(3, "aggregationRule", Msg(407)),
    ] },
    // 409
    Message { name: "rbac/v1 ClusterRoleBinding", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        r(2, "subjects", Msg(418)),
        k(3, "roleRef", Msg(417)),
    ] },
    // 410
    Message { name: "rbac/v1 ClusterRoleBindingList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(409)),
    ] },
    // 411
    Message { name: "rbac/v1 ClusterRoleList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(408)),
    ] },
    // 412
    Message { name: "rbac/v1 PolicyRule", list_wrapper: false, fields: &[
        r(1, "verbs", Str),
        r(2, "apiGroups", Str),
        r(3, "resources", Str),
        r(4, "resourceNames", Str),
        r(5, "nonResourceURLs", Str),
    ] },
    // 413
    Message { name: "rbac/v1 Role", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        r(2, "rules", Msg(412)),
    ] },
    // 414
    Message { name: "rbac/v1 RoleBinding", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        r(2, "subjects", Msg(418)),
        k(3, "roleRef", Msg(417)),
    ] },
    // 415
    Message { name: "rbac/v1 RoleBindingList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(414)),
    ] },
    // 416
    Message { name: "rbac/v1 RoleList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(413)),
    ] },
    // 417
    Message { name: "rbac/v1 RoleRef", list_wrapper: false, fields: &[
        k(1, "apiGroup", Str),
        k(2, "kind", Str),
        k(3, "name", Str),
    ] },
    // 418
    Message { name: "rbac/v1 Subject", list_wrapper: false, fields: &[
        k(1, "kind", Str),
        o(2, "apiGroup", Str),
        k(3, "name", Str),
        o(4, "namespace", Str),
    ] },
    // 419
    Message { name: "scheduling/v1 PriorityClass", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "value", I32),
        o(3, "globalDefault", Bool),
        o(4, "description", Str),
        k(5, "preemptionPolicy", Str),
    ] },
    // 420
    Message { name: "scheduling/v1 PriorityClassList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(419)),
    ] },
    // 421
    Message { name: "storage/v1 CSIDriver", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(423)),
    ] },
    // 422
    Message { name: "storage/v1 CSIDriverList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(421)),
    ] },
    // 423
    Message { name: "storage/v1 CSIDriverSpec", list_wrapper: false, fields: &[
        k(1, "attachRequired", Bool),
        k(2, "podInfoOnMount", Bool),
        r(3, "volumeLifecycleModes", Str),
        k(4, "storageCapacity", Bool),
        k(5, "fsGroupPolicy", Str),
        r(6, "tokenRequests", Msg(432)),
        k(7, "requiresRepublish", Bool),
        k(8, "seLinuxMount", Bool),
    ] },
    // 424
    Message { name: "storage/v1 CSINode", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(427)),
    ] },
    // 425
    Message { name: "storage/v1 CSINodeDriver", list_wrapper: false, fields: &[
        k(1, "name", Str),
        k(2, "nodeID", Str),
        r(3, "topologyKeys", Str),
        k(4, "allocatable", Msg(439)),
    ] },
    // 426
    Message { name: "storage/v1 CSINodeList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(424)),
    ] },
    // 427
    Message { name: "storage/v1 CSINodeSpec", list_wrapper: false, fields: &[
        r(1, "drivers", Msg(425)),
    ] },
    // 428
    Message { name: "storage/v1 CSIStorageCapacity", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "nodeTopology", Msg(17)),
        k(3, "storageClassName", Str),
        k(4, "capacity", Quantity),
        k(5, "maximumVolumeSize", Quantity),
    ] },
    // 429
    Message { name: "storage/v1 CSIStorageCapacityList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(428)),
    ] },
    // 430
    Message { name: "storage/v1 StorageClass", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "provisioner", Str),
        m(3, "parameters", Str),
        k(4, "reclaimPolicy", Str),
        r(5, "mountOptions", Str),
        k(6, "allowVolumeExpansion", Bool),
        k(7, "volumeBindingMode", Str),
        r(8, "allowedTopologies", Msg(255)),
    ] },
    // 431
    Message { name: "storage/v1 StorageClassList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(430)),
    ] },
    // 432
    Message { name: "storage/v1 TokenRequest", list_wrapper: false, fields: &[
        k(1, "audience", Str),
        k(2, "expirationSeconds", I64),
    ] },
    // 433
    Message { name: "storage/v1 VolumeAttachment", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(436)),
        o(3, "status", Msg(437)),
    ] },
    // 434
    Message { name: "storage/v1 VolumeAttachmentList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(433)),
    ] },
    // 435
    Message { name: "storage/v1 VolumeAttachmentSource", list_wrapper: false, fields: &[
        k(1, "persistentVolumeName", Str),
        k(2, "inlineVolumeSpec", Msg(166)),
    ] },
    // 436
    Message { name: "storage/v1 VolumeAttachmentSpec", list_wrapper: false, fields: &[
        k(1, "attacher", Str),
        k(2, "source", Msg(435)),
        k(3, "nodeName", Str),
    ] },
    // 437
    Message { name: "storage/v1 VolumeAttachmentStatus", list_wrapper: false, fields: &[
        k(1, "attached", Bool),
        m(2, "attachmentMetadata", Str),
        k(3, "attachError", Msg(438)),
        k(4, "detachError", Msg(438)),
    ] },
    // 438
    Message { name: "storage/v1 VolumeError", list_wrapper: false, fields: &[
        o(1, "time", Time),
        o(2, "message", Str),
    ] },
    // 439
    Message { name: "storage/v1 VolumeNodeResources", list_wrapper: false, fields: &[
        k(1, "count", I32),
    ] },
    // 440
    Message { name: "authentication/v1 BoundObjectReference", list_wrapper: false, fields: &[
        o(1, "kind", Str),
        o(2, "apiVersion", Str),
        o(3, "name", Str),
        o(4, "uid", Str),
    ] },
    // 441
    Message { name: "authentication/v1 ExtraValue", list_wrapper: true, fields: &[
        r(1, "items", Str),
    ] },
    // 442
    Message { name: "authentication/v1 SelfSubjectReview", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        o(2, "status", Msg(443)),
    ] },
    // 443
    Message { name: "authentication/v1 SelfSubjectReviewStatus", list_wrapper: false, fields: &[
        o(1, "userInfo", Msg(450)),
    ] },
    // 444
    Message { name: "authentication/v1 TokenRequest", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(445)),
        o(3, "status", Msg(446)),
    ] },
    // 445
    Message { name: "authentication/v1 TokenRequestSpec", list_wrapper: false, fields: &[
        r(1, "audiences", Str),
        k(3, "boundObjectRef", Msg(440)),
        k(4, "expirationSeconds", I64),
    ] },
    // 446
    Message { name: "authentication/v1 TokenRequestStatus", list_wrapper: false, fields: &[
        k(1, "token", Str),
        k(2, "expirationTimestamp", Time),
    ] },
    // 447
    Message { name: "authentication/v1 TokenReview", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(448)),
        o(3, "status", Msg(449)),
    ] },
    // 448
    Message { name: "authentication/v1 TokenReviewSpec", list_wrapper: false, fields: &[
        o(1, "token", Str),
        r(2, "audiences", Str),
    ] },
    // 449
    Message { name: "authentication/v1 TokenReviewStatus", list_wrapper: false, fields: &[
        o(1, "authenticated", Bool),
        o(2, "user", Msg(450)),
        o(3, "error", Str),
        r(4, "audiences", Str),
    ] },
    // 450
    Message { name: "authentication/v1 UserInfo", list_wrapper: false, fields: &[
        o(1, "username", Str),
        o(2, "uid", Str),
        r(3, "groups", Str),
        m(4, "extra", Msg(441)),
    ] },
    // 451
    Message { name: "authorization/v1 ExtraValue", list_wrapper: true, fields: &[
        r(1, "items", Str),
    ] },
    // 452
    Message { name: "authorization/v1 FieldSelectorAttributes", list_wrapper: false, fields: &[
        o(1, "rawSelector", Str),
        r(2, "requirements", Msg(9)),
    ] },
    // 453
    Message { name: "authorization/v1 LabelSelectorAttributes", list_wrapper: false, fields: &[
        o(1, "rawSelector", Str),
        r(2, "requirements", Msg(18)),
    ] },
    // 454
    Message { name: "authorization/v1 LocalSubjectAccessReview", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(464)),
        o(3, "status", Msg(465)),
    ] },
    // 455
    Message { name: "authorization/v1 NonResourceAttributes", list_wrapper: false, fields: &[
        o(1, "path", Str),
        o(2, "verb", Str),
    ] },
    // 456
    Message { name: "authorization/v1 NonResourceRule", list_wrapper: false, fields: &[
        r(1, "verbs", Str),
        r(2, "nonResourceURLs", Str),
    ] },
    // 457
    Message { name: "authorization/v1 ResourceAttributes", list_wrapper: false, fields: &[
        o(1, "namespace", Str),
        o(2, "verb", Str),
        o(3, "group", Str),
        o(4, "version", Str),
        o(5, "resource", Str),
        o(6, "subresource", Str),
        o(7, "name", Str),
        k(8, "fieldSelector", Msg(452)),
        k(9, "labelSelector", Msg(453)),
    ] },
    // 458
    Message { name: "authorization/v1 ResourceRule", list_wrapper: false, fields: &[
        r(1, "verbs", Str),
        r(2, "apiGroups", Str),
        r(3, "resources", Str),
        r(4, "resourceNames", Str),
    ] },
    // 459
    Message { name: "authorization/v1 SelfSubjectAccessReview", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(460)),
        o(3, "status", Msg(465)),
    ] },
    // 460
    Message { name: "authorization/v1 SelfSubjectAccessReviewSpec", list_wrapper: false, fields: &[
        k(1, "resourceAttributes", Msg(457)),
        k(2, "nonResourceAttributes", Msg(455)),
    ] },
    // 461
    Message { name: "authorization/v1 SelfSubjectRulesReview", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(462)),
        o(3, "status", Msg(466)),
    ] },
    // 462
    Message { name: "authorization/v1 SelfSubjectRulesReviewSpec", list_wrapper: false, fields: &[
        o(1, "namespace", Str),
    ] },
    // 463
    Message { name: "authorization/v1 SubjectAccessReview", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(464)),
        o(3, "status", Msg(465)),
    ] },
    // 464
    Message { name: "authorization/v1 SubjectAccessReviewSpec", list_wrapper: false, fields: &[
        k(1, "resourceAttributes", Msg(457)),
        k(2, "nonResourceAttributes", Msg(455)),
        o(3, "user", Str),
        r(4, "groups", Str),
        m(5, "extra", Msg(451)),
        o(6, "uid", Str),
    ] },
    // 465
    Message { name: "authorization/v1 SubjectAccessReviewStatus", list_wrapper: false, fields: &[
        k(1, "allowed", Bool),
        o(2, "reason", Str),
        o(3, "evaluationError", Str),
        o(4, "denied", Bool),
    ] },
    // 466
    Message { name: "authorization/v1 SubjectRulesReviewStatus", list_wrapper: false, fields: &[
        r(1, "resourceRules", Msg(458)),
        r(2, "nonResourceRules", Msg(456)),
        k(3, "incomplete", Bool),
        o(4, "evaluationError", Str),
    ] },
    // 467
    Message { name: "certificates/v1 CertificateSigningRequest", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "spec", Msg(470)),
        o(3, "status", Msg(471)),
    ] },
    // 468
    Message { name: "certificates/v1 CertificateSigningRequestCondition", list_wrapper: false, fields: &[
        k(1, "type", Str),
        o(2, "reason", Str),
        o(3, "message", Str),
        o(4, "lastUpdateTime", Time),
        o(5, "lastTransitionTime", Time),
        k(6, "status", Str),
    ] },
    // 469
    Message { name: "certificates/v1 CertificateSigningRequestList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(467)),
    ] },
    // 470
    Message { name: "certificates/v1 CertificateSigningRequestSpec", list_wrapper: false, fields: &[
        k(1, "request", Bytes),
        o(2, "username", Str),
        o(3, "uid", Str),
        r(4, "groups", Str),
        r(5, "usages", Str),
        m(6, "extra", Msg(472)),
        k(7, "signerName", Str),
        k(8, "expirationSeconds", I32),
    ] },
    // 471
    Message { name: "certificates/v1 CertificateSigningRequestStatus", list_wrapper: false, fields: &[
        r(1, "conditions", Msg(468)),
        o(2, "certificate", Bytes),
    ] },
    // 472
    Message { name: "certificates/v1 ExtraValue", list_wrapper: true, fields: &[
        r(1, "items", Str),
    ] },
    // 473
    Message { name: "node/v1 Overhead", list_wrapper: false, fields: &[
        m(1, "podFixed", Quantity),
    ] },
    // 474
    Message { name: "node/v1 RuntimeClass", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(23)),
        k(2, "handler", Str),
        k(3, "overhead", Msg(473)),
        k(4, "scheduling", Msg(476)),
    ] },
    // 475
    Message { name: "node/v1 RuntimeClassList", list_wrapper: false, fields: &[
        o(1, "metadata", Msg(20)),
        r(2, "items", Msg(474)),
    ] },
    // 476
    Message { name: "node/v1 Scheduling", list_wrapper: false, fields: &[
        m(1, "nodeSelector", Str),
        r(2, "tolerations", Msg(253)),
    ] },
];

/// Top-level kinds (structs embedding TypeMeta): (apiVersion, kind, message index), sorted.
#[rustfmt::skip]
pub(super) static KINDS: [(&str, &str, u16); 124] = [
    ("apps/v1", "ControllerRevision", 270),
    ("apps/v1", "ControllerRevisionList", 271),
    ("apps/v1", "DaemonSet", 272),
    ("apps/v1", "DaemonSetList", 274),
    ("apps/v1", "Deployment", 278),
    ("apps/v1", "DeploymentList", 280),
    ("apps/v1", "ReplicaSet", 284),
    ("apps/v1", "ReplicaSetList", 286),
    ("apps/v1", "StatefulSet", 292),
    ("apps/v1", "StatefulSetList", 294),
    ("authentication.k8s.io/v1", "SelfSubjectReview", 442),
    ("authentication.k8s.io/v1", "TokenRequest", 444),
    ("authentication.k8s.io/v1", "TokenReview", 447),
    ("authorization.k8s.io/v1", "LocalSubjectAccessReview", 454),
    ("authorization.k8s.io/v1", "SelfSubjectAccessReview", 459),
    ("authorization.k8s.io/v1", "SelfSubjectRulesReview", 461),
    ("authorization.k8s.io/v1", "SubjectAccessReview", 463),
    ("autoscaling/v1", "HorizontalPodAutoscaler", 305),
    ("autoscaling/v1", "HorizontalPodAutoscalerList", 307),
    ("autoscaling/v1", "Scale", 318),
    ("autoscaling/v2", "HorizontalPodAutoscaler", 328),
    ("autoscaling/v2", "HorizontalPodAutoscalerList", 331),
    ("batch/v1", "CronJob", 345),
    ("batch/v1", "CronJobList", 346),
    ("batch/v1", "Job", 349),
    ("batch/v1", "JobList", 351),
    ("certificates.k8s.io/v1", "CertificateSigningRequest", 467),
    ("certificates.k8s.io/v1", "CertificateSigningRequestList", 469),
    ("coordination.k8s.io/v1", "Lease", 362),
    ("coordination.k8s.io/v1", "LeaseList", 363),
    ("discovery.k8s.io/v1", "EndpointSlice", 369),
    ("discovery.k8s.io/v1", "EndpointSliceList", 370),
    ("events.k8s.io/v1", "Event", 372),
    ("events.k8s.io/v1", "EventList", 373),
    ("meta.k8s.io/v1", "APIGroup", 0),
    ("meta.k8s.io/v1", "APIGroupList", 1),
    ("meta.k8s.io/v1", "APIResourceList", 3),
    ("meta.k8s.io/v1", "APIVersions", 4),
    ("meta.k8s.io/v1", "ApplyOptions", 5),
    ("meta.k8s.io/v1", "CreateOptions", 7),
    ("meta.k8s.io/v1", "DeleteOptions", 8),
    ("meta.k8s.io/v1", "GetOptions", 10),
    ("meta.k8s.io/v1", "List", 19),
    ("meta.k8s.io/v1", "ListOptions", 21),
    ("meta.k8s.io/v1", "PartialObjectMetadata", 25),
    ("meta.k8s.io/v1", "PartialObjectMetadataList", 26),
    ("meta.k8s.io/v1", "PatchOptions", 28),
    ("meta.k8s.io/v1", "Status", 32),
    ("meta.k8s.io/v1", "TableOptions", 35),
    ("meta.k8s.io/v1", "UpdateOptions", 37),
    ("networking.k8s.io/v1", "Ingress", 378),
    ("networking.k8s.io/v1", "IngressClass", 380),
    ("networking.k8s.io/v1", "IngressClassList", 381),
    ("networking.k8s.io/v1", "IngressList", 384),
    ("networking.k8s.io/v1", "NetworkPolicy", 394),
    ("networking.k8s.io/v1", "NetworkPolicyList", 397),
    ("node.k8s.io/v1", "RuntimeClass", 474),
    ("node.k8s.io/v1", "RuntimeClassList", 475),
    ("policy/v1", "Eviction", 402),
    ("policy/v1", "PodDisruptionBudget", 403),
    ("policy/v1", "PodDisruptionBudgetList", 404),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", 408),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", 409),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBindingList", 410),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleList", 411),
    ("rbac.authorization.k8s.io/v1", "Role", 413),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", 414),
    ("rbac.authorization.k8s.io/v1", "RoleBindingList", 415),
    ("rbac.authorization.k8s.io/v1", "RoleList", 416),
    ("scheduling.k8s.io/v1", "PriorityClass", 419),
    ("scheduling.k8s.io/v1", "PriorityClassList", 420),
    ("storage.k8s.io/v1", "CSIDriver", 421),
    ("storage.k8s.io/v1", "CSIDriverList", 422),
    ("storage.k8s.io/v1", "CSINode", 424),
    ("storage.k8s.io/v1", "CSINodeList", 426),
    ("storage.k8s.io/v1", "CSIStorageCapacity", 428),
    ("storage.k8s.io/v1", "CSIStorageCapacityList", 429),
    ("storage.k8s.io/v1", "StorageClass", 430),
    ("storage.k8s.io/v1", "StorageClassList", 431),
    ("storage.k8s.io/v1", "VolumeAttachment", 433),
    ("storage.k8s.io/v1", "VolumeAttachmentList", 434),
    ("v1", "Binding", 48),
    ("v1", "ComponentStatus", 59),
    ("v1", "ComponentStatusList", 60),
    ("v1", "ConfigMap", 61),
    ("v1", "ConfigMapList", 64),
    ("v1", "Endpoints", 86),
    ("v1", "EndpointsList", 87),
    ("v1", "Event", 94),
    ("v1", "EventList", 95),
    ("v1", "LimitRange", 119),
    ("v1", "LimitRangeList", 121),
    ("v1", "Namespace", 131),
    ("v1", "NamespaceList", 133),
    ("v1", "Node", 136),
    ("v1", "NodeList", 144),
    ("v1", "NodeProxyOptions", 145),
    ("v1", "PersistentVolume", 156),
    ("v1", "PersistentVolumeClaim", 157),
    ("v1", "PersistentVolumeClaimList", 159),
    ("v1", "PersistentVolumeList", 164),
    ("v1", "Pod", 169),
    ("v1", "PodAttachOptions", 173),
    ("v1", "PodExecOptions", 177),
    ("v1", "PodList", 179),
    ("v1", "PodLogOptions", 180),
    ("v1", "PodPortForwardOptions", 182),
    ("v1", "PodProxyOptions", 183),
    ("v1", "PodStatusResult", 192),
    ("v1", "PodTemplate", 193),
    ("v1", "PodTemplateList", 194),
    ("v1", "RangeAllocation", 207),
    ("v1", "ReplicationController", 208),
    ("v1", "ReplicationControllerList", 210),
    ("v1", "ResourceQuota", 216),
    ("v1", "ResourceQuotaList", 217),
    ("v1", "Secret", 228),
    ("v1", "SecretList", 231),
    ("v1", "SerializedReference", 236),
    ("v1", "Service", 237),
    ("v1", "ServiceAccount", 238),
    ("v1", "ServiceAccountList", 239),
    ("v1", "ServiceList", 241),
    ("v1", "ServiceProxyOptions", 243),
];
