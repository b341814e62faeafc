// A Responses request passed through to a provider that speaks Responses (`"apis": ["chat",
// "responses"]`): the client's bytes with only `model` rewritten (and the output cap a budget
// needs, when the client set none), so Codex's namespace, tool_search, web_search, custom tools
// and any item type the gateway does not know reach the upstream untouched. The answer comes back
// as the upstream's own JSON or SSE events, relayed as they arrive. Every attempt is reserved,
// charged and ledgered like a chat round (startAttempt); usage is read from the response (or the
// stream's response.completed). Used when the gateway has nothing to add: no gateway MCP tools for
// this key, no hosted gateway MCP, no approvals, no previous_response_id the gateway stored.
import type { ChatInput, ChatOutput } from '../chat/handler.js';
import { startAttempt } from '../chat/round.js';
import { parseJson, withAttempts, withStatus, type AttemptResult } from '../chat/llm-call.js';
import type { LoopState } from '../chat/run-state.js';
import { recordRequest } from '../chat/record.js';
import { asClientError } from '../chat/client-error.js';
import { missingKeyError, type Target } from '../chat/targets.js';
import { pickKey } from '../chat/pick-key.js';
import { openSseChannel } from '../chat/sse-channel.js';
import { errorKind, GatewayError } from '../errors.js';
import { planAttempt, type AttemptPlan } from '../governance/attempt-budget.js';
import { REPLY_OVERHEAD } from '../governance/prompt-bound.js';
import { ClientAbortedError, networkError, readText } from '../upstream/client.js';
import { parseSseWithComments } from '../upstream/sse-parser.js';
import { sseComment } from '../openai/sse.js';
import type { Usage } from '../openai/types.js';
import { rewriteModel } from '../wire/messages/model-rewrite.js';
import { toChatUsage } from '../wire/responses/from-chat.js';
import type { ResponsesRequest } from '../wire/responses/types.js';
import type { ResponsesDeps } from './handler.js';
import { ResponsesSse } from './sse.js';

type Handle = { finish(result: AttemptResult): void };

export async function runNative(
  deps: ResponsesDeps,
  input: ChatInput,
  req: ResponsesRequest,
  state: LoopState,
  client: { abort(): void } | undefined,
): Promise<ChatOutput> {
  const round = ++state.rounds;
  // Tokens never outnumber bytes: the body's size bounds its input tokens, whatever it holds.
  const bound = {
    bounded: true as const,
    caps: { max_completion_tokens: req.max_output_tokens ?? undefined },
    promptTokens: Buffer.byteLength(input.bodyText) + REPLY_OVERHEAD,
  };
  const plans = new Map<Target, AttemptPlan>();
  const hooks = {
    start: (target: Target, attempt: number) => {
      const plan = planAttempt({
        request: bound,
        modelId: target.id,
        budgeted: state.access.budgeted,
        price: deps.pricing.priceOf(target.providerName, target.model),
        limits: deps.pricing.limitsOf(target.providerName, target.model),
        defaultMaxTokens: target.provider.defaultMaxTokens,
        unpricedCallUsd: deps.pricing.unpricedCallUsd,
      });
      plans.set(target, plan);
      return startAttempt(deps, state, round, target, attempt, plan);
    },
  };
  const stream = req.stream === true;
  const outcome = await withAttempts(deps.llm, state.targets, state.signal, hooks, async (target, handle: Handle) => {
    if (target.missingKeyVars) throw missingKeyError(target);
    const apiKey = pickKey(target.provider.keys, deps.llm.random);
    const plan = plans.get(target)!;
    const body =
      plan.sendCap === undefined
        ? (rewriteModel(input.bodyText, target.model) ?? JSON.stringify({ ...req, model: target.model }))
        : JSON.stringify({ ...req, model: target.model, max_output_tokens: plan.sendCap });
    const ctx = {
      baseUrl: target.provider.baseUrl,
      apiKey,
      model: target.model,
      defaultMaxTokens: target.provider.defaultMaxTokens,
      headers: target.provider.headers,
    };
    const upstreamReq = target.adapter.nativeRequest!({ format: 'responses', path: '/v1/responses', body, headers: {} }, ctx);
    const res = await deps.llm.upstream.send(upstreamReq, { signal: state.signal, timeoutMs: target.provider.timeoutMs });
    if (res.status < 200 || res.status >= 300) {
      const text = await readText(res, upstreamReq.url, state.signal).catch(() => '');
      const safe = apiKey ? text.split(apiKey).join('[redacted]') : text;
      throw withStatus(target.adapter.errorFromResponse(res.status, safe, res.headers), res.status);
    }
    state.lastTarget = target;
    if (!stream) {
      const text = await readText(res, upstreamReq.url, state.signal);
      const json = parseJson(text, res.status) as { usage?: Parameters<typeof toChatUsage>[0] };
      handle.finish({ status: res.status, errorType: null, usage: toChatUsage(json.usage), mayHaveCost: true });
      return { kind: 'json' as const, text };
    }
    return { kind: 'stream' as const, res, url: upstreamReq.url, handle, status: res.status };
  });

  if (outcome.kind === 'json') {
    recordRequest(deps, state, { status: 200, startedAt: state.startedAt });
    return { kind: 'json', body: undefined, text: outcome.text };
  }

  const { channel: sse, body } = openSseChannel(
    (sink) => new ResponsesSse(sink),
    input,
    () => client?.abort(),
  );
  const out: ChatOutput = body ? { kind: 'stream', body } : { kind: 'sent' };
  const relay = async () => {
    let usage: Usage | undefined;
    let ended = false;
    try {
      for await (const item of parseSseWithComments(outcome.res.body)) {
        if ('comment' in item) {
          sse.raw(sseComment(item.comment));
          continue;
        }
        sse.raw(`${item.event ? `event: ${item.event}\n` : ''}data: ${item.data}\n\n`);
        // The terminal events carry the whole response, usage included.
        if (item.event === 'response.completed' || item.event === 'response.incomplete' || item.event === 'response.failed') {
          ended = true;
          try {
            usage = toChatUsage((JSON.parse(item.data) as { response?: { usage?: Parameters<typeof toChatUsage>[0] } }).response?.usage);
          } catch {
            usage = undefined;
          }
        }
      }
    } catch (err) {
      const error = err instanceof GatewayError ? err : networkError(err, outcome.url, state.signal);
      outcome.handle.finish({
        status: outcome.status,
        errorType:
          error instanceof ClientAbortedError
            ? 'client_aborted'
            : error instanceof GatewayError
              ? errorKind(error)
              : 'upstream_stream_error',
        mayHaveCost: true,
      });
      throw error;
    } finally {
      if (!outcome.res.body.destroyed) outcome.res.body.destroy();
    }
    outcome.handle.finish({ status: outcome.status, errorType: ended ? null : 'upstream_stream_truncated', usage, mayHaveCost: true });
  };
  const finished = relay().then(
    () => {
      sse.end();
      recordRequest(deps, state, { status: 200, startedAt: state.startedAt });
      state.release();
    },
    (err: unknown) => {
      state.release();
      const error = asClientError(err, state);
      if (!sse.isStarted) throw error;
      sse.raw(
        `event: error\ndata: ${JSON.stringify({ type: 'error', code: error.code ?? error.type, message: error.message, param: error.param })}\n\n`,
      );
      sse.end();
      recordRequest(deps, state, { status: error.status, startedAt: state.startedAt, error });
    },
  );
  await Promise.race([sse.started, finished]);
  return out;
}
