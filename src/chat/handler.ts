// POST /v1/chat/completions: validate → admit (key, limits) → route → loop → respond → record.
import { invalidRequest } from '../errors.js';
import type { LoopLimits } from '../config-schema.js';
import type { ChatRequest, FunctionTool } from '../openai/types.js';
import { parseChatRequest } from '../openai/request-schema.js';
import { exceedsDepth, MAX_JSON_DEPTH } from '../openai/json-depth.js';
import { runLoop, type LoopDeps } from './loop.js';
import { chatCodec } from './chat-codec.js';
import type { Access, Gate, ToolEntry } from './ports.js';
import { finalCompletion } from './respond.js';
import { NO_NAMES, toolNameSet } from './tool-name-set.js';
import type { RunState } from './run-state.js';
import { openSseChannel, SseChannel, type SseSink } from './sse-channel.js';
import { streamResponse } from './stream-response.js';
import { asClientError } from './client-error.js';
import type { TargetResolver } from './targets.js';
import { recordRequest } from './record.js';
import { resolveTargets } from './resolve-targets.js';
import { linkSignal, type LinkedSignal } from './deadline.js';
import type { Cancel } from '../upstream/cancel.js';
import type { HeaderSource } from '../governance/keys.js';
import { clientOutputCap } from '../governance/output-cap.js';
import { refuseChatFileIdsUnderBudget } from '../governance/chat-file-ids.js';
import { sessionIdFrom } from './session-id.js';
import type { ContainerDeps } from '../governance/owned-containers.js';
import { audioIdsOfCompletion, checkNamedAudio, showAudio, spokenTokens } from '../governance/owned-audio.js';
import { checkRequestSize, type RequestLimits } from '../wire/request-size.js';

export interface ChatDeps extends LoopDeps {
  gate: Gate;
  targets: TargetResolver;
  /** MCP tools this key may use, narrowed by the request header; cached per key and tool-set version. */
  toolsFor(access: Access, header: string | undefined): readonly ToolEntry[];
  /** Request headers that carry the client's agent session id, in order of preference. */
  sessionHeaders: readonly string[];
  /** Bounds on messages and content parts per request (400 beyond them). */
  requestLimits: RequestLimits;
  /** Whose spoken answers (governance/owned-audio.ts): the store of the containers each key was shown. */
  audio: ContainerDeps;
}

export interface ChatInput {
  requestId: string;
  headers: HeaderSource;
  bodyText: string;
  /** Aborts when the client disconnects. */
  signal: AbortSignal;
  /**
   * Writes SSE frames straight to the client (Node's response: no web stream per frame). Without
   * it, streamed responses are returned as a ReadableStream body.
   */
  sseSink?: (requestId: string) => SseSink;
}

/** handleChat's input: its disconnect may also be the Node route's Disconnect (no AbortSignal made unless needed). */
export type ChatCallInput = Omit<ChatInput, 'signal'> & { signal: Cancel };

/** `text`, when set, is `body` already serialised (the upstream's own bytes, passed through). */
export type ChatOutput =
  | { kind: 'json'; body: unknown; text?: string | undefined }
  | { kind: 'stream'; body: ReadableStream<Uint8Array> }
  /** Already written to the client through `input.sseSink`. */
  | { kind: 'sent' };

export async function handleChat(deps: ChatDeps, input: ChatCallInput): Promise<ChatOutput> {
  const startedAt = deps.now();
  let state: RunState | undefined;
  let access: Access | undefined;
  let model: string | undefined;
  try {
    access = await deps.gate.admit(input.headers);
    const json = parseJsonBody(input.bodyText);
    checkRequestSize(json, deps.requestLimits);
    const request = parseChatRequest(json);
    model = request.model;
    // A streamed response returned as a web stream can also be cancelled by its body's reader, so it
    // gets its own controller; written to Node's response, the disconnect signal already covers it.
    const client = request.stream === true && !input.sseSink ? linkSignal(input.signal) : undefined;
    state = createState(deps, input, request, access, startedAt, client);
    // Another key's spoken answer, named by its audio id, would be read back to this key; the key's
    // own is read back and billed as audio input: its recorded size joins every round's input bound.
    const audio = checkNamedAudio(request.messages, deps.audio.owners, access.keyId, access.budgeted);
    if (audio) state.audioTokens = await audio;
    if (request.stream === true) {
      const { channel, body } = openSseChannel(
        (sink) => new SseChannel(sink),
        input,
        () => client?.abort(),
      );
      await streamResponse(deps, state, channel);
      return body ? { kind: 'stream', body } : { kind: 'sent' };
    }
    const result = await runLoop(deps, state, chatCodec(deps, state, null));
    const { body, text } = finalCompletion(state, result);
    // The audio ids the answer carries are recorded as the key's, with their size, before it goes out.
    const ids = audioIdsOfCompletion(body);
    const shown = ids && showAudio(deps.audio, ids, access.keyId, spokenTokens(result.turn.usage, state.spokenCap));
    if (shown) await shown;
    recordRequest(deps, state, { status: 200, startedAt, body });
    return { kind: 'json', body, text };
  } catch (err) {
    const error = asClientError(err, state);
    recordRequest(deps, state, {
      status: error.status,
      startedAt,
      error,
      access,
      model,
      bodyText: input.bodyText,
      requestId: input.requestId,
      sessionId: sessionIdFrom(input.headers, deps.sessionHeaders),
    });
    throw error;
  } finally {
    if (!state?.stream) state?.release();
  }
}

export function parseJsonBody(text: string): unknown {
  if (!text) throw invalidRequest('request body is empty; expected a JSON object');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw invalidRequest(`request body is not valid JSON: ${(err as Error).message}`, null, 'invalid_json');
  }
  if (exceedsDepth(body)) throw invalidRequest(`request body nests deeper than ${MAX_JSON_DEPTH} levels`, null, 'json_too_deep');
  return body;
}

function createState(
  deps: ChatDeps,
  input: ChatCallInput,
  request: ChatRequest,
  access: Access,
  startedAt: number,
  client: LinkedSignal | undefined,
): RunState {
  const targets = resolveTargets(deps, request, access);
  clientOutputCap(request);
  refuseChatFileIdsUnderBudget(request.messages, access.budgeted, input.bodyText);

  const clientTools = request.tools ?? [];
  const clientToolNames: ReadonlySet<string> = clientTools.length ? new Set(clientTools.map((t) => t.function.name)) : NO_NAMES;
  const header = input.headers.get('x-tollgate-tools') ?? undefined;
  // A client tool with the same name as an MCP tool wins: the client asked for it explicitly.
  let injected = request.tool_choice === 'none' ? [] : deps.toolsFor(access, header);
  if (clientToolNames.size && injected.some((t) => clientToolNames.has(t.name)))
    injected = injected.filter((t) => !clientToolNames.has(t.name));
  const offered: FunctionTool[] | undefined = injected.length ? [...clientTools, ...injected.map((t) => t.openai)] : request.tools;

  const loop: LoopLimits = access.loop;
  // The loop deadline only exists when the gateway may loop; a plain proxy call has the provider timeout.
  const clientSignal: Cancel = client?.signal ?? input.signal;
  const deadline = injected.length ? linkSignal(clientSignal, loop.timeoutMs) : undefined;
  const cancel: Cancel = deadline?.signal ?? clientSignal;
  return {
    requestId: input.requestId,
    startedAt,
    surface: 'chat',
    sessionId: sessionIdFrom(input.headers, deps.sessionHeaders),
    model: request.model,
    clientRequest: request,
    request,
    targets,
    access,
    stream: request.stream === true,
    includeUsage: request.stream_options?.include_usage === true,
    injected,
    injectedNames: toolNameSet(injected),
    offeredTools: offered,
    clientToolNames,
    cancel,
    clientSignal,
    deadline: Date.now() + loop.timeoutMs,
    release() {
      deadline?.dispose();
      client?.dispose();
    },
    messages: deps.hidden.expand(request.messages, {
      keyId: access.keyId,
      allowsTool: (name) => access.decideTool(name).allowed,
    }),
    rounds: 0,
    toolCallCount: 0,
    usage: undefined,
    costUsd: 0,
    costUnknown: false,
    costEstimated: false,
    toolCalls: [],
    lastTarget: undefined,
    stopNote: undefined,
    audioTokens: 0,
    spokenCap: undefined,
  };
}
