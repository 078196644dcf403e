"""Stand-in for the MinIO client `mc` that speaks S3 through boto3, for running the rendered `mc`
scripts natively against a real S3 server: `mc` itself is not served by this machine's registries.
Implements the calls microflow's scripts make, with mc's exit codes and the shape of its output:
  mc alias set ALIAS URL ACCESS SECRET [--api S3v4]      (kept in $MC_CONFIG_DIR/aliases.json)
  mc ls ALIAS[/BUCKET[/PREFIX]]    mc mb [--ignore-existing] ALIAS/BUCKET...
  mc cp FILE ALIAS/BUCKET/KEY      mc cp ALIAS/BUCKET/KEY FILE      mc rm ALIAS/BUCKET/KEY
"""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

config_dir = os.environ.get("MC_CONFIG_DIR", os.path.expanduser("~/.mc"))
aliases_file = os.path.join(config_dir, "aliases.json")


def fail(msg):
    print("mc: <ERROR> " + msg, file=sys.stderr)
    sys.exit(1)


def aliases():
    try:
        with open(aliases_file) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def target(path):
    alias, _, rest = path.partition("/")
    a = aliases().get(alias)
    if a is None:
        return None
    bucket, _, key = rest.partition("/")
    s3 = boto3.client("s3", endpoint_url=a["url"], region_name="us-east-1", aws_access_key_id=a["access"], aws_secret_access_key=a["secret"],
                      config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    return s3, bucket, key


def main(args):
    if args[:2] == ["alias", "set"]:
        name, url, access, secret = args[2:6]
        os.makedirs(config_dir, exist_ok=True)
        all_aliases = aliases()
        all_aliases[name] = {"url": url, "access": access, "secret": secret}
        with open(aliases_file, "w") as f:
            json.dump(all_aliases, f)
        print("Added `%s` successfully." % name)
        return
    cmd, rest = args[0], args[1:]
    if cmd == "mb":
        ignore = "--ignore-existing" in rest
        for path in [r for r in rest if not r.startswith("--")]:
            s3, bucket, _ = target(path) or fail("no alias for " + path)
            try:
                s3.create_bucket(Bucket=bucket)
                print("Bucket created successfully `%s`." % path)
            except ClientError as e:
                if ignore and e.response["Error"]["Code"] in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    continue
                raise
        return
    if cmd == "ls":
        s3, bucket, prefix = target(rest[0]) or fail("no alias for " + rest[0])
        if not bucket:
            for b in s3.list_buckets().get("Buckets", []):
                print("[2026-01-01 00:00:00 UTC]     0B %s/" % b["Name"])
            return
        for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
            print("[2026-01-01 00:00:00 UTC] %5dB STANDARD %s" % (o["Size"], o["Key"][len(prefix.rsplit("/", 1)[0]) + 1 if "/" in prefix else 0:]))
        return
    if cmd == "cp":
        src, dst = rest[-2], rest[-1]
        t = target(src)
        if t:
            s3, bucket, key = t
            s3.download_file(bucket, key, dst)
        else:
            s3, bucket, key = target(dst) or fail("no alias for " + dst)
            s3.upload_file(src, bucket, key)
        return
    if cmd == "rm":
        s3, bucket, key = target(rest[0]) or fail("no alias for " + rest[0])
        s3.delete_object(Bucket=bucket, Key=key)
        return
    fail("unsupported by the stand-in: mc " + " ".join(args))


try:
    main(sys.argv[1:])
except (ClientError, BotoCoreError) as e:
    fail(str(e))
