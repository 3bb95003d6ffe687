"""Imported once, by the forkserver the batch stage's workers are forked from
(flows/runners.py `workers_started_early`): Prefect, the flow's tasks and the
pipeline, warmed, so every worker forked from it starts with all of them.

Importing this module is its work: multiprocessing's forkserver preloads
modules by name. A failure here only leaves the workers to warm themselves.
"""

import gc

try:
    import flows.ingest  # noqa: F401  (Prefect and the batch task each worker unpickles)
    from prefect.plugins import load_prefect_collections

    from flows.runners import warm_pipeline

    warm_pipeline()
    # A task run's context loads Prefect's installed collections (prefect-dask:
    # dask, distributed) the first time; each worker did, 0.4-1 CPU-s apiece
    # before its first batch (py-spy of an ingest). Loaded once, here, it is inherited.
    load_prefect_collections()
except Exception:  # noqa: BLE001 - the workers' own set-up (warm_worker) loads what is missing
    pass
# what is loaded here lives as long as the workers: kept out of their garbage
# collector's passes, which would also copy the pages they share with this process
gc.freeze()
