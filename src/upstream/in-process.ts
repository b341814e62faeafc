// Upstreams that live in this process (the built-in demo provider, providers/demo): their requests
// are answered by a function instead of the network. Only wraps the client when such a provider is
// configured, so real providers' requests pay nothing for it.
import { Readable } from 'node:stream';
import type { InProcessResponse, InProcessUpstream } from '../../providers/types.js';
import { ClientAbortedError, streamOf, type UpstreamClient, type UpstreamResponse } from './client.js';

/** A body with the parts of undici's that the gateway uses: async iteration, text(), destroy(). */
function bodyOf(text: string): UpstreamResponse['body'] {
  const stream = Readable.from([Buffer.from(text)]);
  return Object.assign(stream, {
    text: async () => text,
    json: async () => JSON.parse(text) as unknown,
  }) as unknown as UpstreamResponse['body'];
}

function responseOf(answer: InProcessResponse): UpstreamResponse {
  return { status: answer.status, headers: answer.headers, body: bodyOf(answer.body) };
}

export function withInProcessUpstreams(client: UpstreamClient, upstreams: readonly InProcessUpstream[]): UpstreamClient {
  if (upstreams.length === 0) return client;
  return {
    async send(req, opts) {
      const local = upstreams.find((u) => req.url.startsWith(u.origin));
      if (!local) return client.send(req, opts);
      if (opts.signal.aborted) throw new ClientAbortedError('client aborted the request');
      return responseOf(local.answer(req));
    },
    async sendText(req, opts) {
      const local = upstreams.find((u) => req.url.startsWith(u.origin));
      if (!local) return client.sendText(req, opts);
      if (opts.signal.aborted) throw new ClientAbortedError('client aborted the request');
      const answer = local.answer(req);
      return { status: answer.status, headers: answer.headers, text: answer.body };
    },
    async sendStream(req, opts) {
      const local = upstreams.find((u) => req.url.startsWith(u.origin));
      if (!local) return client.sendStream(req, opts);
      if (opts.signal.aborted) throw new ClientAbortedError('client aborted the request');
      return streamOf(responseOf(local.answer(req)), opts.timeoutMs);
    },
    close: () => client.close(),
  };
}
