"""The README's in-notebook snippet, with the host given by the test (the guard on loopback)."""
import sys

import kfp
from kfp.client import ServiceAccountTokenVolumeCredentials

# With an explicit host the SDK sends no token unless told to: the projected one (KF_PIPELINES_SA_TOKEN_PATH).
client = kfp.Client(host=sys.argv[1], credentials=ServiceAccountTokenVolumeCredentials())
runs = client.list_runs(namespace=sys.argv[2])
print("runs:", ",".join(r.display_name for r in (runs.runs or [])))
