// Watches the order, in the gateway's process, of the client's end() against the ledger's llm_calls
// and requests rows: the JSON pass-throughs write their answer before the last round's effects
// (messages/native-run.ts and responses/native-run.ts `after`), as streams do after their last byte.
import type { ServerResponse } from 'node:http';
import type { TestGateway } from './gateway.js';

export interface EffectOrder {
  /** 'end', 'llm_calls' and 'requests', as they happened. */
  order: string[];
  /** Puts the server's listeners and the ledger's methods back. */
  stop(): void;
}

export function watchEffectOrder(gw: TestGateway): EffectOrder {
  const order: string[] = [];
  const ledger = gw.gateway.ledger;
  const { llmCall, request } = ledger;
  const onRequest = (_req: unknown, res: ServerResponse) => {
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      order.push('end');
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof res.end;
  };
  gw.server.prependListener('request', onRequest);
  ledger.llmCall = (row) => {
    order.push('llm_calls');
    return llmCall.call(ledger, row);
  };
  ledger.request = (row) => {
    order.push('requests');
    return request.call(ledger, row);
  };
  return {
    order,
    stop() {
      gw.server.off('request', onRequest);
      ledger.llmCall = llmCall;
      ledger.request = request;
    },
  };
}
