// The /v1 API, every call signed in the page with the signed-in access key.
import { Signer, encodeRfc3986 } from './sigv4.js';

/** An error answer of the API ({code, message, requestId}), or a server that did not answer (code 'Unreachable'). */
export class ApiError extends Error {
  constructor(status, code, message, requestId) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

/** A path from segments, each encoded: ids and names never reach the server as path syntax. */
export const path = (...segments) => '/v1/' + segments.map(s => encodeRfc3986(String(s))).join('/');

const queryString = query =>
  Object.entries(query ?? {}).filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(String(v))}`).join('&');

export class Api {
  #signer;

  constructor(keyId, secret, region) {
    this.#signer = new Signer(keyId, secret, region);
  }

  async #send(method, target, query) {
    const search = queryString(query);
    const headers = await this.#signer.headers({ method, path: target, query: search, host: location.host });
    let response;
    try {
      response = await fetch(target + (search ? '?' + search : ''), { method, headers, cache: 'no-store', credentials: 'omit' });
    } catch {
      throw new ApiError(0, 'Unreachable', 'the Sluice server did not answer; is it still running?', '');
    }
    if (!response.ok) {
      let body = {};
      try { body = await response.json(); } catch { /* not the API's error body */ }
      throw new ApiError(response.status, body.code ?? `Http${response.status}`, body.message ?? response.statusText, body.requestId ?? '');
    }
    return response;
  }

  async get(target, query) {
    return (await this.#send('GET', target, query)).json();
  }

  async post(target) {
    const response = await this.#send('POST', target);
    return response.status === 204 ? null : response.json();
  }

  async delete(target) {
    await this.#send('DELETE', target);
  }

  /** Every item of a listing, following nextMarker, at most `cap` items; `truncated` says when there were more. */
  async list(target, query = {}, cap = 1000) {
    const items = [];
    let marker;
    for (;;) {
      const page = await this.get(target, { ...query, maxKeys: Math.min(1000, cap - items.length), marker });
      items.push(...page.items);
      if (!page.isTruncated || items.length >= cap) {
        return { items, truncated: page.isTruncated };
      }
      marker = page.nextMarker;
    }
  }

  /** Up to `length` bytes of a log from `offset`, with the log's size and whether it will still grow. */
  async log(target, offset, length, query = {}) {
    const response = await this.#send('GET', target, { ...query, offset, length });
    return {
      bytes: new Uint8Array(await response.arrayBuffer()),
      size: Number(response.headers.get('x-sluice-log-size') ?? 0),
      complete: response.headers.get('x-sluice-log-complete') === 'true',
    };
  }
}
