"""The README's in-notebook snippet, with the host given by the test (the guard on loopback)."""
import sys

import kfp

client = kfp.Client(host=sys.argv[1])  # the SDK sends the projected token (KF_PIPELINES_SA_TOKEN_PATH)
runs = client.list_runs(namespace=sys.argv[2])
print("runs:", ",".join(r.display_name for r in (runs.runs or [])))
