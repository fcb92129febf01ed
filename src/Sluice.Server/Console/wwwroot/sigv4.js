// AWS Signature Version 4 with WebCrypto, exactly as Sluice.Contracts.SigV4 computes it on the server and in the SDK.
const utf8 = new TextEncoder();

const hex = buffer => Array.from(new Uint8Array(buffer), b => b.toString(16).padStart(2, '0')).join('');

export const sha256Hex = async bytes => hex(await crypto.subtle.digest('SHA-256', bytes));

async function hmac(key, text) {
  const imported = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', imported, utf8.encode(text));
}

/** RFC 3986 percent-encoding, as .NET's Uri.EscapeDataString: encodeURIComponent leaves !'()* alone. */
export const encodeRfc3986 = text =>
  encodeURIComponent(text).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());

// Every service but S3 encodes the already-encoded path's segments once more; a path with nothing to encode is its own form.
const canonicalPath = path =>
  !path ? '/' : /^[A-Za-z0-9\-._~/]*$/.test(path) ? path : path.split('/').map(encodeRfc3986).join('/');

function canonicalQuery(query) {
  const decode = part => encodeRfc3986(decodeURIComponent(part.replace(/\+/g, ' ')));
  const pairs = query.split('&').filter(p => p.length > 0).map(part => {
    const eq = part.indexOf('=');
    return eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))];
  });
  // JavaScript compares strings by UTF-16 code unit, as string.CompareOrdinal does.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export const amzDate = now => now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** Signs with one access key; the derived key depends on the day only, so it is kept for the day. */
export class Signer {
  #keyId;
  #secret;
  #region;
  #derived = { date: '', key: null };

  constructor(keyId, secret, region) {
    this.#keyId = keyId;
    this.#secret = secret;
    this.#region = region;
  }

  async #signingKey(date) {
    if (this.#derived.date !== date) {
      let key = await hmac(utf8.encode('AWS4' + this.#secret), date);
      key = await hmac(key, this.#region);
      key = await hmac(key, 'sluice');
      this.#derived = { date, key: await hmac(key, 'aws4_request') };
    }
    return this.#derived.key;
  }

  /**
   * The headers that sign a request. `path` and `query` exactly as they go on the wire (already encoded);
   * `host` the Host header the browser sends. A fresh invocation id makes every change a new request, which the
   * server's replay guard requires.
   */
  async headers({ method, path, query, host, body }) {
    const stamp = amzDate(new Date());
    const payloadHash = await sha256Hex(body ?? new Uint8Array(0));
    const signed = [
      ['amz-sdk-invocation-id', crypto.randomUUID()],
      ['host', host],
      ['x-amz-content-sha256', payloadHash],
      ['x-amz-date', stamp],
    ];
    const canonical = [
      method, canonicalPath(path), canonicalQuery(query),
      ...signed.map(([name, value]) => `${name}:${value.trim()}`), '',
      signed.map(([name]) => name).join(';'), payloadHash,
    ].join('\n');
    const scope = `${stamp.slice(0, 8)}/${this.#region}/sluice/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', stamp, scope, await sha256Hex(utf8.encode(canonical))].join('\n');
    const signature = hex(await hmac(await this.#signingKey(stamp.slice(0, 8)), toSign));
    const headers = Object.fromEntries(signed.filter(([name]) => name !== 'host'));
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.#keyId}/${scope}, SignedHeaders=${signed.map(([n]) => n).join(';')}, Signature=${signature}`;
    return headers;
  }
}
