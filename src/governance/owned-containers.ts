// Code-execution containers belong to one key. Every key's requests run under the provider's one
// account, so an upstream runs a request's code in any container of that account it is named: a
// key that learns another key's container id (a shared log, a pasted transcript) could run its own
// code beside that key's files and read them. The gateway serves no /v1/containers, so the only
// container ids a key can rightly know are those an answer relayed to it reported — a Responses
// `code_interpreter_call`'s `container_id` (or a `shell_call`'s container environment), a Messages
// response's `container.id` (streamed: message_start's or message_delta's) — and those are recorded
// as its own (ResponseStore.showIds, kind `container`: SQLite or PostgreSQL, so replicas and
// restarts agree; bounded as stored responses are, by time and per key) before the frame or answer naming them
// goes out. A request naming any other container is refused, nothing sent: a Responses
// `code_interpreter` tool's `container: "cntr_…"`, a `shell` tool's `container_reference`
// environment, an input item sent back naming one (a `code_interpreter_call`'s `container_id`,
// which an `{type: "auto"}` container reuses; a `shell_call`'s), a Messages request's `container`
// (an id, or `{id}`). A fresh container
// (`{type: "auto"}`, or no id) is always allowed.
import { invalidRequest } from '../errors.js';
import type { ShownId, ShownKind } from '../stored-responses/response-store.js';

/** Where the ids each key was shown are recorded, by kind (the ResponseStore is one). */
export interface ContainerOwners {
  showIds(kind: ShownKind, ids: readonly string[], keyId: string | null, tokens?: number): Promise<void>;
  ownsShown(kind: ShownKind, id: string, keyId: string | null): Promise<ShownId | undefined>;
}

/** A surface's: the store, and who hears of a write that failed (the key then cannot name that container). */
export interface ContainerDeps {
  owners: ContainerOwners;
  onError(err: Error): void;
}

/** A run that may show containers: its key, the ids noted and the writes started (made at the first). */
export interface ShowsContainers {
  readonly access: { readonly keyId: string | null };
  containerIds?: string[] | undefined;
  containerWrites?: Promise<void>[] | undefined;
}

/** An id of this kind an answer showed the run's key: recorded as the key's (the write starts now, once per id). */
export function noteShown(deps: ContainerDeps, state: ShowsContainers, kind: ShownKind, id: string | undefined, tokens?: number): void {
  if (id === undefined || id === '' || state.containerIds?.includes(id)) return;
  (state.containerIds ??= []).push(id);
  const write = deps.owners.showIds(kind, [id], state.access.keyId, tokens).catch((err: unknown) => deps.onError(err as Error));
  (state.containerWrites ??= []).push(write);
}

/** A container an answer reported to the run's key: recorded as the key's. */
export function noteContainer(deps: ContainerDeps, state: ShowsContainers, id: string | undefined): void {
  noteShown(deps, state, 'container', id);
}

/**
 * What a Responses output item shows the key that it may name again: the container it reports, or,
 * an upstream MCP server's `mcp_approval_request`, its id (responses/upstream-approvals.ts).
 */
export function noteItem(deps: ContainerDeps, state: ShowsContainers, item: { type?: unknown; id?: unknown }): void {
  if (item.type === 'mcp_approval_request') noteShown(deps, state, 'approval', typeof item.id === 'string' ? item.id : undefined);
  else noteContainer(deps, state, containerOfItem(item));
}

/** Undefined when the run noted none (as most do): no promise to wait for. */
export function containersWritten(state: ShowsContainers): Promise<unknown> | undefined {
  return state.containerWrites ? Promise.all(state.containerWrites) : undefined;
}

/** The container a Responses output item reports, if any. */
export function containerOfItem(item: { type?: unknown; container_id?: unknown; environment?: unknown }): string | undefined {
  if (item.type === 'code_interpreter_call') return typeof item.container_id === 'string' ? item.container_id : undefined;
  if (item.type !== 'shell_call') return undefined;
  const env = item.environment as { type?: unknown; container_id?: unknown } | null | undefined;
  return env?.type === 'container_reference' && typeof env.container_id === 'string' ? env.container_id : undefined;
}

/** The container a Messages message (a response, or a stream's message_start message / message_delta delta) reports. */
export function containerOfMessage(message: unknown): string | undefined {
  const container = (message as { container?: { id?: unknown } | null } | null | undefined)?.container;
  return typeof container?.id === 'string' ? container.id : undefined;
}

/** An id a request names, and where (the refusal's param). */
export interface Named {
  id: unknown;
  param: string;
}

/** Undefined (no wait) when the request names no container, as most do; else the store's answer. */
export function refuseOthersContainers(
  named: Named[] | undefined,
  owners: ContainerOwners,
  keyId: string | null,
): Promise<void> | undefined {
  return named?.length ? refuseUnshown(named, owners, keyId, 'container', 'Container') : undefined;
}

/**
 * Refuses the first id the key was not shown as this kind (a non-string is an unknown id), as the
 * upstream answers an id it does not have: `<noun> with id '…' not found.` The containers' store
 * records every id a key was shown that it may name again, by kind (containers; a Chat Completions
 * answer's audio ids: owned-audio.ts).
 */
export async function refuseUnshown(
  named: readonly Named[],
  owners: ContainerOwners,
  keyId: string | null,
  kind: ShownKind,
  noun: string,
): Promise<void> {
  for (const { id, param } of named)
    if (typeof id !== 'string' || !(await owners.ownsShown(kind, id, keyId)))
      throw invalidRequest(`${noun} with id '${String(id)}' not found.`, param);
}

/**
 * The containers a Responses request's input items name: a `code_interpreter_call` sent back with
 * its `container_id` (the upstream's `{type: "auto"}` container reuses one a call in the context
 * used), a `shell_call` with a `container_reference` environment. Any value there counts (a
 * non-string is refused as an unknown id).
 */
export function containersOfResponsesInput(input: unknown): Named[] | undefined {
  if (!Array.isArray(input)) return undefined;
  let named: Named[] | undefined;
  for (let i = 0; i < input.length; i++) {
    const item = input[i] as { type?: unknown; container_id?: unknown; environment?: unknown } | null;
    if (item?.type === 'code_interpreter_call') {
      if (item.container_id !== undefined && item.container_id !== null)
        (named ??= []).push({ id: item.container_id, param: `input[${i}].container_id` });
    } else if (item?.type === 'shell_call') {
      const env = item.environment as { type?: unknown; container_id?: unknown } | null | undefined;
      if (env?.type === 'container_reference') (named ??= []).push({ id: env.container_id, param: `input[${i}].environment.container_id` });
    }
  }
  return named;
}

/** Both of the above, tools first; undefined when neither names one. */
export function containersOfResponsesRequest(req: { tools?: readonly unknown[] | undefined; input?: unknown }): Named[] | undefined {
  const tools = containersOfResponsesTools(req.tools);
  const input = containersOfResponsesInput(req.input);
  return tools && input ? [...tools, ...input] : (tools ?? input);
}

/** The containers a Responses request's tools name by id (code_interpreter, shell). */
export function containersOfResponsesTools(tools: readonly unknown[] | undefined): Named[] | undefined {
  let named: Named[] | undefined;
  if (!tools) return undefined;
  for (let i = 0; i < tools.length; i++) {
    const tool = tools[i] as { type?: unknown; container?: unknown; environment?: unknown } | null;
    if (tool?.type === 'code_interpreter') {
      // A string is an existing container; an object asks for a fresh one (`{type: "auto"}`),
      // unless a later shape names one by id.
      const c = tool.container as { id?: unknown; container_id?: unknown } | string | null | undefined;
      if (typeof c === 'string') (named ??= []).push({ id: c, param: `tools[${i}].container` });
      else if (c?.id !== undefined || c?.container_id !== undefined)
        (named ??= []).push({ id: c.id ?? c.container_id, param: `tools[${i}].container` });
    } else if (tool?.type === 'shell') {
      const env = tool.environment as { type?: unknown; container_id?: unknown } | null | undefined;
      if (env?.type === 'container_reference') (named ??= []).push({ id: env.container_id, param: `tools[${i}].environment.container_id` });
    }
  }
  return named;
}

/** The container a Messages request names (`container`: an id, or `{id, skills}`; without an id, a fresh one). */
export function containerOfMessagesRequest(container: unknown): Named[] | undefined {
  if (container === undefined || container === null) return undefined;
  if (typeof container === 'string') return [{ id: container, param: 'container' }];
  const id = (container as { id?: unknown }).id;
  if (typeof container !== 'object' || id === undefined || id === null) return undefined;
  return [{ id, param: 'container.id' }];
}
