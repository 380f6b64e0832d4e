"""The control plane's active parts: the scheduler and the controllers.

Like kube-scheduler and kube-controller-manager, each component here holds the API server and
the shared clock, watches the objects it cares about and writes its decisions back through the
API server. None of them calls another directly.
"""
