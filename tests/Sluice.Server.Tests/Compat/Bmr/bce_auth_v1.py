#!/usr/bin/env python3
"""bce-auth-v1 Authorization values, computed with nothing but hmac and hashlib.

Written from the algorithm (Baidu's "generate authentication string" rules, as bce-sdk-python applies them to
BmrClient), not from Sluice's C# signer, so that the two can pin each other. Reads one JSON case per line on
stdin and prints one Authorization value per line:

  {"ak", "sk", "timestamp": "2026-01-02T03:04:05Z", "expiration": 1800, "method", "path",
   "params": [[key, value], ...], "headers": [[name, value], ...], "signedHeaders": ["host", "x-bce-date"]}
"""
import hashlib
import hmac
import json
import sys

UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.~-_")


def encode(text):
    """RFC 3986 percent-encoding of the UTF-8 bytes, upper-case hex, everything but unreserved characters."""
    return "".join(chr(b) if b in UNRESERVED else "%%%02X" % b for b in str(text).encode("utf-8"))


def authorization(case):
    auth_prefix = "bce-auth-v1/%s/%s/%d" % (case["ak"], case["timestamp"], case["expiration"])
    signing_key = hmac.new(case["sk"].encode("utf-8"), auth_prefix.encode("utf-8"), hashlib.sha256).hexdigest()
    query = "&".join(sorted("%s=%s" % (encode(k), encode(v)) for k, v in case["params"]))
    signed = case["signedHeaders"] or ["host", "content-md5", "content-length", "content-type"]
    lines = []
    for name, value in case["headers"]:
        name, value = name.strip().lower(), value.strip()
        if value and (name.startswith("x-bce-") or name in signed):
            lines.append("%s:%s" % (encode(name), encode(value)))
    canonical_request = "\n".join([case["method"], case["path"], query, "\n".join(sorted(lines))])
    signature = hmac.new(signing_key.encode("utf-8"), canonical_request.encode("utf-8"), hashlib.sha256).hexdigest()
    return "%s/%s/%s" % (auth_prefix, ";".join(case["signedHeaders"]), signature)


for line in sys.stdin:
    if line.strip():
        print(authorization(json.loads(line)))
