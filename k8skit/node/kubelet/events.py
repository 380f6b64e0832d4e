"""The reasons the kubelet gives its events, exactly as ``kubectl describe`` shows them.

Source: ``pkg/kubelet/events/event.go``. Several reasons are shared on purpose: a container that
cannot be created and an image that cannot be pulled both report ``Failed``; a crash loop and an
image-pull back-off both report ``BackOff``.
"""

# Containers
CREATED_CONTAINER = "Created"
STARTED_CONTAINER = "Started"
FAILED_TO_CREATE_CONTAINER = "Failed"
FAILED_TO_START_CONTAINER = "Failed"
KILLING_CONTAINER = "Killing"
BACK_OFF_START_CONTAINER = "BackOff"
EXCEEDED_GRACE_PERIOD = "ExceededGracePeriod"

# Images
PULLING_IMAGE = "Pulling"
PULLED_IMAGE = "Pulled"
FAILED_TO_PULL_IMAGE = "Failed"
FAILED_TO_INSPECT_IMAGE = "InspectFailed"
ERR_IMAGE_NEVER_PULL_POLICY = "ErrImageNeverPull"
BACK_OFF_PULL_IMAGE = "BackOff"

# The node
STARTING_KUBELET = "Starting"
NODE_READY = "NodeReady"
NODE_REBOOTED = "Rebooted"
NODE_ALLOCATABLE_ENFORCED = "NodeAllocatableEnforced"

# Volumes
FAILED_MOUNT_VOLUME = "FailedMount"

# Probes
CONTAINER_UNHEALTHY = "Unhealthy"

# Lifecycle hooks
FAILED_POST_START_HOOK = "FailedPostStartHook"
FAILED_PRE_STOP_HOOK = "FailedPreStopHook"
