"""ipywidgets dashboards: controls joined to the simulator and to the ``viz`` figures.

Widgets stay thin: they hold the controls and forward every change to pure functions
(the simulator or ``k8skit.viz``), so that everything they show can be tested without a browser.
"""
