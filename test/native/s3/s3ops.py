"""A real S3 client (boto3) for native tests: reads a JSON list of operations on stdin, runs each
against ENDPOINT, and prints a JSON list of results; a refused request is a result, not a crash.

  python s3ops.py http://127.0.0.1:PORT < ops.json

Each op: {"op": "list_buckets" | "create_bucket" | "head_bucket" | "put" | "get" | "delete" | "list_objects",
          "bucket": ..., "key": ..., "body_hex": ...,
          "auth": "keys" (default: S3_ACCESS_KEY/S3_SECRET_KEY from the environment) | "anonymous"
                  | {"access_key": ..., "secret_key": ...}}
Each result: {"ok": true, "value": ...} or {"ok": false, "code": "AccessDenied", "status": 403, "message": ...}
"""
import json
import os
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

endpoint = sys.argv[1]


def client(auth):
    # Path-style addressing and region us-east-1: what Kubeflow Pipelines' client uses.
    cfg = dict(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, connect_timeout=5, read_timeout=20)
    if auth == "anonymous":
        return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=Config(signature_version=UNSIGNED, **cfg))
    keys = auth if isinstance(auth, dict) else {"access_key": os.environ["S3_ACCESS_KEY"], "secret_key": os.environ["S3_SECRET_KEY"]}
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=keys["access_key"],
                        aws_secret_access_key=keys["secret_key"], config=Config(signature_version="s3v4", **cfg))


def run(op):
    s3 = client(op.get("auth", "keys"))
    kind = op["op"]
    if kind == "list_buckets":
        return sorted(b["Name"] for b in s3.list_buckets().get("Buckets", []))
    if kind == "create_bucket":
        s3.create_bucket(Bucket=op["bucket"])
        return None
    if kind == "head_bucket":
        s3.head_bucket(Bucket=op["bucket"])
        return None
    if kind == "put":
        s3.put_object(Bucket=op["bucket"], Key=op["key"], Body=bytes.fromhex(op["body_hex"]))
        return None
    if kind == "get":
        return s3.get_object(Bucket=op["bucket"], Key=op["key"])["Body"].read().hex()
    if kind == "delete":
        s3.delete_object(Bucket=op["bucket"], Key=op["key"])
        return None
    if kind == "list_objects":
        return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=op["bucket"], Prefix=op.get("prefix", "")).get("Contents", []))
    raise ValueError("unknown op " + kind)


results = []
for op in json.load(sys.stdin):
    try:
        results.append({"ok": True, "value": run(op)})
    except ClientError as e:
        err = e.response.get("Error", {})
        results.append({"ok": False, "code": err.get("Code"), "status": e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
                        "message": err.get("Message", str(e))})
    except EndpointConnectionError as e:
        results.append({"ok": False, "code": "EndpointConnectionError", "status": 0, "message": str(e)})
print(json.dumps(results))
