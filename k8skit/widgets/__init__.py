"""ipywidgets dashboards: controls joined to the models and to the ``viz`` figures.

Widgets stay thin: they hold the controls and forward every change to pure functions (the
simulator, ``k8skit.eras``, ``k8skit.viz``), so everything they show can be tested without a
browser. A control change recomputes the model and applies the matching ``k8skit.viz`` patch to
the dashboard's plotly FigureWidget in place. Everything shown comes from the kernel, so it
renders wherever ipywidgets do (JupyterLab, Notebook 7, VS Code).

- ``k8skit.widgets.env_check``: notebook 00's check that widgets and plots work.
- ``k8skit.widgets.eras``: chapter 1's isolation lab, packing lab and scale-out race.
- ``k8skit.widgets.cluster_dashboard``: ``ClusterDashboard(cluster)``, the live cluster map with
  a clock, actions, the latest events and a kubectl box.
- ``k8skit.widgets.scheduler_lab``: ``SchedulerLab()``, pods placed by LeastAllocated or
  MostAllocated, with the scheduler's reasons.
- ``k8skit.widgets.service_lab``: ``ServiceLab()``, traffic through a Service while pods die or
  turn unready, with kube-proxy in iptables or IPVS mode.
- ``k8skit.widgets.rollout_lab``: ``RolloutLab()``, a rolling update step by step under chosen
  maxSurge and maxUnavailable, and its undo.
- ``k8skit.widgets.request_journey``: ``RequestJourney(cluster, manifest)``, one ``kubectl
  apply`` followed through every component, from what the cluster recorded.
"""
