// A POST read to its end with node:http, no SDK between the test and the bytes: what a test of a
// stream's framing or of when its end arrives needs (the SDKs parse frames and hide the end).
import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  /** The gateway's x-request-id: the requests row's id. */
  id: string;
  body: string;
}

/** POSTs `payload` (JSON) to `url` with `headers`; resolves at the response's end. */
export function postRaw(url: string, headers: Record<string, string>, payload: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, id: String(res.headers['x-request-id']), body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
