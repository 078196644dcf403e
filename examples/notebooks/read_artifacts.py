"""List a folder of pipeline-run artifacts and download the first object, from a notebook, with
your namespace's own object-store key (docs/pipelines.md, "Per-user artifacts").

microflow's notebooks have the key (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: boto3 reads them
itself) and the endpoint (S3_ENDPOINT) in their environment. Your runs' artifacts are under
private-artifacts/<your namespace>/, read-write; nobody else's are readable.
"""
import os
import sys

import boto3
from botocore.config import Config

ENDPOINT = os.environ["S3_ENDPOINT"]
BUCKET = "mlpipeline"
FOLDER = sys.argv[1] if len(sys.argv) > 1 else "private-artifacts/kubeflow/"

s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=FOLDER)
        for o in page.get("Contents", [])]
print("\n".join(keys))
if keys:
    s3.download_file(BUCKET, keys[0], os.path.basename(keys[0]))
