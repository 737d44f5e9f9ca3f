#!/usr/bin/env python3
"""The usual way to count a bucket from Python: one boto3 list_objects_v2 paginator, page after
page, summing Size. Prints the totals as one JSON line.

Usage: boto3_paginator.py BUCKET [--endpoint-url URL]
"""
import argparse
import json

import boto3
from botocore.config import Config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bucket")
    parser.add_argument("--endpoint-url")
    args = parser.parse_args()
    s3 = boto3.client(
        "s3",
        endpoint_url=args.endpoint_url,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    total_objects = 0
    total_size = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=args.bucket):
        for obj in page.get("Contents", []):
            total_objects += 1
            total_size += obj["Size"]
    print(json.dumps({"objects": total_objects, "bytes": total_size}))


if __name__ == "__main__":
    main()
