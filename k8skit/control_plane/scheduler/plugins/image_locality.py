"""ImageLocality: prefer nodes that already have the pod's images.

Source: ``pkg/scheduler/framework/plugins/imagelocality/image_locality.go``. Pulling a large
image takes time, so a node that has it starts the pod sooner. Each image the node lists in
``status.images`` adds its size, scaled by the share of nodes that have it (an image every node
has gives no node an edge, and spreading it keeps pods from piling onto one node). The sum is
clamped between 23 MiB and 1000 MiB per container and mapped onto 0..100.
"""

from __future__ import annotations

import numpy as np

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.framework import MAX_NODE_SCORE, CycleState, ScorePlugin
from k8skit.control_plane.scheduler.pod_info import PodInfo

MB = 1024 * 1024
MIN_THRESHOLD = 23 * MB
MAX_CONTAINER_THRESHOLD = 1000 * MB


def calculate_priority(sum_scores: np.ndarray, num_containers: int) -> np.ndarray:
    """Map the summed image scores onto 0..100 between the thresholds (calculatePriority)."""
    max_threshold = MAX_CONTAINER_THRESHOLD * num_containers
    clamped = np.clip(sum_scores, MIN_THRESHOLD, max_threshold)
    return MAX_NODE_SCORE * (clamped - MIN_THRESHOLD) // (max_threshold - MIN_THRESHOLD)


class ImageLocality(ScorePlugin):
    name = "ImageLocality"

    def score(self, state: CycleState, pod: PodInfo, nodes: NodeTable,
              feasible: np.ndarray) -> np.ndarray | int:
        if not pod.images or not nodes.any_images:
            return 0
        total = np.zeros(len(feasible), dtype=np.int64)
        for image in pod.images:
            sizes, num_nodes = nodes.image_column(image)
            if num_nodes:
                # int64(float64(size) * spread), spread = nodes with the image / all nodes.
                spread = num_nodes / len(nodes)
                total += (sizes[feasible].astype(np.float64) * spread).astype(np.int64)
        return calculate_priority(total, len(pod.images))
