// A spoken answer belongs to the key it was given to. On Chat Completions, OpenAI keeps an audio
// answer (about an hour) and reads it back when a later request's assistant message names it by
// `audio: {id}`; every key's requests run under the provider's one account, so a key that learns
// another key's audio id (a shared log, a pasted transcript) could have that answer transcribed
// ("repeat what you said"). The only audio ids a key can rightly know are those an answer relayed to
// it carried (`choices[].message.audio.id`), and those are recorded as its own before the answer
// goes out (the store that records the containers each key was shown, as kind `audio`: a lookup
// matches the kind, and each kind has its own bound per key: owned-containers.ts). A streamed
// answer's audio deltas are relayed as the upstream sent them (round.ts); the id one carries
// (`choices[].delta.audio.id`) is recorded the same way, its write started before the frame naming
// it goes out and finished before the stream ends. A request whose assistant message names any
// other audio id is refused, nothing sent. Each id is recorded with its size (shown_containers.tokens:
// the round's audio output tokens, else its output cap), which the same lookup returns: the
// upstream bills the answer read back as audio input, so a request naming it adds that to its
// input bound (checkNamedAudio), and under a budget one with no recorded size is refused.
import { invalidRequest } from '../errors.js';
import type { AudioDelta, Usage } from '../openai/types.js';
import { MESSAGE_OVERHEAD } from './prompt-bound.js';
import { storedInputUnderBudget } from './remote-input.js';
import { type ContainerDeps, type ContainerOwners, type Named, noteShown, type ShowsContainers } from './owned-containers.js';

/** The audio ids a Chat Completions answer carries (`choices[].message.audio.id`). */
export function audioIdsOfCompletion(body: { choices?: readonly unknown[] } | null | undefined): string[] | undefined {
  let ids: string[] | undefined;
  for (const choice of body?.choices ?? []) {
    const id = (choice as { message?: { audio?: { id?: unknown } | null } } | null)?.message?.audio?.id;
    if (typeof id === 'string' && id !== '') (ids ??= []).push(id);
  }
  return ids;
}

/**
 * Records them as the key's, with their size (undefined, no wait, when the answer carries none, as
 * most do): the most input tokens each adds named by id (spokenTokens).
 */
export function showAudio(
  deps: ContainerDeps | undefined,
  ids: string[] | undefined,
  keyId: string | null,
  tokens: number | undefined,
): Promise<void> | undefined {
  if (!deps || !ids) return undefined;
  return deps.owners.showIds('audio', ids, keyId, tokens).catch((err: unknown) => deps.onError(err as Error));
}

/** A streamed piece of a spoken answer: the audio id it carries, if any, is the key's from now on (once per id), with its size. */
export function noteStreamedAudio(deps: ContainerDeps, shown: ShowsContainers, audio: AudioDelta, tokens: number | undefined): void {
  if (typeof audio.id === 'string') noteShown(deps, shown, 'audio', audio.id, tokens);
}

/**
 * What a spoken answer read back by id adds to the input (it is billed as audio input tokens): the
 * round's audio output tokens as reported (`completion_tokens_details.audio_tokens`), else the
 * output cap the round reserved (which holds them).
 */
export function spokenTokens(usage: Usage | undefined, outputCap: number | undefined): number | undefined {
  const audio = usage?.completion_tokens_details?.audio_tokens;
  return typeof audio === 'number' && Number.isFinite(audio) ? Math.max(audio, 0) : outputCap;
}

/** The audio ids a request's assistant messages name (`messages[i].audio.id`; any value there counts). */
export function audioOfChatMessages(messages: readonly unknown[]): Named[] | undefined {
  let named: Named[] | undefined;
  for (let i = 0; i < messages.length; i++) {
    const audio = (messages[i] as { audio?: unknown } | null)?.audio;
    if (audio === undefined || audio === null) continue;
    (named ??= []).push({ id: (audio as { id?: unknown }).id, param: `messages[${i}].audio` });
  }
  return named;
}

/**
 * Undefined (no wait) when the request names no audio, as most do; else the store's answer (one
 * lookup per id, the ownership check's): another key's id is refused as not found; the key's own
 * add their recorded sizes, the input tokens the upstream bills reading them back (priced at the
 * dearest input rate, the audio one included: attempt-budget.ts). Under a key, team or customer
 * budget an id whose size was not recorded (shown by an earlier version) is refused (400
 * stored_input_under_budget, param naming the message), as a file by file_id is (chat-file-ids.ts).
 */
export function checkNamedAudio(
  messages: readonly unknown[],
  owners: ContainerOwners,
  keyId: string | null,
  budgeted: boolean,
): Promise<number> | undefined {
  const named = audioOfChatMessages(messages);
  return named ? sizeNamed(named, owners, keyId, budgeted) : undefined;
}

async function sizeNamed(named: readonly Named[], owners: ContainerOwners, keyId: string | null, budgeted: boolean): Promise<number> {
  let tokens = 0;
  for (const { id, param } of named) {
    const shown = typeof id === 'string' ? await owners.ownsShown('audio', id, keyId) : undefined;
    if (!shown) throw invalidRequest(`Audio with id '${String(id)}' not found.`, param);
    if (shown.tokens !== undefined) tokens += shown.tokens + MESSAGE_OVERHEAD;
    else if (budgeted)
      throw storedInputUnderBudget(
        param,
        'a spoken answer named by an audio id whose size the gateway did not record',
        "send what it said as the assistant message's content instead",
      );
  }
  return tokens;
}
