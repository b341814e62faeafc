// POST /v1/messages/count_tokens. A provider that speaks Messages counts for itself (the request is
// passed through, the gateway's tools included so the count matches what a real call sends); for
// others the gateway estimates (governance/messages-prompt-bound.ts). Free: admitted and
// rate-limited like any request, but no budget is reserved and no llm_calls row is written; its
// requests row (operation 'count_tokens', no tokens, no cost) is left out of the cost views' counts.
import { parseJsonBody } from '../chat/handler.js';
import { checkDuplicateKeys, MESSAGES_GOVERNED } from '../wire/duplicate-keys.js';
import { missingKeyError } from '../chat/targets.js';
import { pickKey } from '../chat/pick-key.js';
import { type Access, inCallSlot } from '../chat/ports.js';
import { recordRequest } from '../chat/record.js';
import { sessionIdFrom } from '../chat/session-id.js';
import { providerSecrets } from '../chat/upstream-answer.js';
import { readText } from '../upstream/client.js';
import { redactValues } from '../secrets/redact.js';
import { parseMessagesRequest } from '../wire/messages/request-schema.js';
import { checkRequestSize } from '../wire/request-size.js';
import { rewriteModel } from '../wire/messages/model-rewrite.js';
import { estimateInputTokens } from '../governance/messages-prompt-bound.js';
import { withRawError } from '../wire/messages/errors.js';
import { anthropicTool } from './anthropic-tools.js';
import { forwardedHeaders, type MessagesDeps, type MessagesInput, recordFailure } from './handler.js';

type Counted = { status: number; text: string };

export async function handleCountTokens(deps: MessagesDeps, input: MessagesInput): Promise<Counted> {
  const startedAt = deps.now();
  const at: { access?: Access; model?: string } = {};
  const sessionId = sessionIdFrom(input.headers, deps.sessionHeaders);
  try {
    const counted = await count(deps, input, at);
    recordRequest(deps, undefined, {
      ...at,
      status: counted.status,
      startedAt,
      requestId: input.requestId,
      surface: 'messages',
      sessionId,
      operation: 'count_tokens',
    });
    return counted;
  } catch (err) {
    throw recordFailure(deps, input, err, { ...at, startedAt, sessionId, operation: 'count_tokens' });
  }
}

async function count(deps: MessagesDeps, input: MessagesInput, at: { access?: Access; model?: string }): Promise<Counted> {
  const access = await deps.gate.admit(input.headers);
  at.access = access;
  const json = parseJsonBody(input.bodyText);
  // Sent as it came when nothing is added: the upstream must count the model and messages checked here.
  checkDuplicateKeys(input.bodyText, MESSAGES_GOVERNED);
  checkRequestSize(json, deps.requestLimits);
  const { fallbacks, ...body } = parseMessagesRequest(json);
  at.model = body.model;
  const target = deps.targets.resolve(body.model);
  access.checkModel(target);
  const clientNames = new Set((body.tools ?? []).map((t) => t.name));
  const injected = (
    body.tool_choice?.type === 'none' ? [] : deps.toolsFor(access, input.headers.get('x-tollgate-tools') ?? undefined)
  ).filter((t) => !clientNames.has(t.name));
  const tools = injected.length ? [...(body.tools ?? []), ...injected.map(anthropicTool)] : undefined;
  if (!target.apis.has('messages'))
    return { status: 200, text: JSON.stringify({ input_tokens: estimateInputTokens(tools ? { ...body, tools } : body) }) };

  if (target.missingKeyVars) throw missingKeyError(target);
  const apiKey = pickKey(target.provider.keys, deps.llm.random);
  // Tollgate's `fallbacks` never goes upstream (the count is the model's own).
  const upstreamBody =
    tools || fallbacks
      ? JSON.stringify({ ...body, model: target.model, ...(tools ? { tools } : {}) })
      : (rewriteModel(input.bodyText, target.model) ?? JSON.stringify({ ...body, model: target.model }));
  const req = target.adapter.nativeRequest!(
    { format: 'messages', path: input.path, body: upstreamBody, headers: forwardedHeaders(input.headers) },
    {
      baseUrl: target.provider.baseUrl,
      apiKey,
      model: target.model,
      defaultMaxTokens: target.provider.defaultMaxTokens,
      headers: target.provider.headers,
    },
  );
  const { res, text } = await inCallSlot(access, async () => {
    const res = await deps.llm.upstream.send(req, { signal: input.signal, timeoutMs: target.provider.timeoutMs });
    return { res, text: await readText(res, req.url, input.signal) };
  });
  // As on every upstream path: our credentials (providerSecrets) cut out.
  const safe = redactValues(text, providerSecrets(target, apiKey));
  if (res.status < 200 || res.status >= 300)
    throw withRawError(target.adapter.errorFromResponse(res.status, safe, res.headers), { status: res.status, body: safe, headers: {} });
  return { status: res.status, text: safe };
}
