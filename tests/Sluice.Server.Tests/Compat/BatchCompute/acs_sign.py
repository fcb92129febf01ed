#!/usr/bin/env python3
"""An independent acs signer, written from the batchcompute 2.1.7 SDK's algorithm (core/api.py get_auth) with
nothing but hmac, hashlib and base64, to pin the C# signer the BatchCompute tests use.

Reads a JSON list of requests on stdin, each {"method", "headers": {name: value}, "target", "secret"}, and prints one
signature (base64) per request, in order. The algorithm:

  S = METHOD "\n" Accept "\n" Content-MD5 "\n" Content-Type "\n" Date "\n"
      + for each header whose lower-cased, trimmed name starts "x-acs-", sorted by name as given:
            lower(trim(name)) ":" value "\n"
      + target (path and query as sent)
  signature = base64(HMAC-SHA1(secret, S))

Accept, Content-MD5, Content-Type and Date are looked up ignoring case (the SDK's iget); Accept, Content-MD5 and
Content-Type are trimmed, Date is not. The SDK puts its body MD5 under the name "contentMd5", which iget does not
match to "Content-MD5": that line is empty unless a real Content-MD5 header is present.
"""
import base64
import hashlib
import hmac
import json
import sys


def lookup(headers, name):
    found = ''
    for key, value in headers.items():
        if key.strip().lower() == name.strip().lower():
            found = value
    return found


def string_to_sign(method, headers, target):
    acs = ''.join('%s:%s\n' % (key.lower().strip(), headers[key])
                  for key in sorted(headers.keys()) if key.lower().strip().startswith('x-acs-'))
    parts = [method, lookup(headers, 'Accept').strip(), lookup(headers, 'Content-MD5').strip(),
             lookup(headers, 'Content-Type').strip(), lookup(headers, 'Date'), acs + target]
    return '\n'.join(parts)


def sign(secret, text):
    mac = hmac.new(secret.encode('utf-8'), text.encode('utf-8'), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode('ascii')


def main():
    for request in json.load(sys.stdin):
        text = string_to_sign(request['method'], request['headers'], request['target'])
        print(sign(request['secret'], text))


if __name__ == '__main__':
    main()
