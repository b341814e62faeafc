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
// other audio id is refused, nothing sent.
import type { AudioDelta } from '../openai/types.js';
import { storedInputUnderBudget } from './remote-input.js';
import {
  type ContainerDeps,
  type ContainerOwners,
  type Named,
  noteContainer,
  refuseUnshown,
  type ShowsContainers,
} from './owned-containers.js';

/** The audio ids a Chat Completions answer carries (`choices[].message.audio.id`). */
export function audioIdsOfCompletion(body: { choices?: readonly unknown[] } | null | undefined): string[] | undefined {
  let ids: string[] | undefined;
  for (const choice of body?.choices ?? []) {
    const id = (choice as { message?: { audio?: { id?: unknown } | null } } | null)?.message?.audio?.id;
    if (typeof id === 'string' && id !== '') (ids ??= []).push(id);
  }
  return ids;
}

/** Records them as the key's (undefined, no wait, when the answer carries none, as most do). */
export function showAudio(deps: ContainerDeps | undefined, ids: string[] | undefined, keyId: string | null): Promise<void> | undefined {
  if (!deps || !ids) return undefined;
  return deps.owners.showIds('audio', ids, keyId).catch((err: unknown) => deps.onError(err as Error));
}

/** A streamed piece of a spoken answer: the audio id it carries, if any, is the key's from now on (once per id). */
export function noteStreamedAudio(deps: ContainerDeps, shown: ShowsContainers, audio: AudioDelta): void {
  if (typeof audio.id === 'string') noteContainer(deps, shown, audio.id, 'audio');
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

/** Undefined (no wait) when the request names no audio, as most do; else the store's answer. */
export function refuseOthersAudio(messages: readonly unknown[], owners: ContainerOwners, keyId: string | null): Promise<void> | undefined {
  const named = audioOfChatMessages(messages);
  return named ? refuseUnshown(named, owners, keyId, 'audio', 'Audio') : undefined;
}

/**
 * A spoken answer named by its id is read back by the upstream and billed as audio input tokens (at
 * the audio rate), while the request holds only the id, which the input bound counts as nothing: so
 * under a key, team or customer budget a request naming one is refused (400 stored_input_under_budget,
 * param naming the message), as a file by file_id is (chat-file-ids.ts). Without a budget: a branch.
 */
export function refuseAudioByIdUnderBudget(messages: readonly unknown[], budgeted: boolean): void {
  if (!budgeted) return;
  const named = audioOfChatMessages(messages);
  if (named)
    throw storedInputUnderBudget(
      named[0]!.param,
      'a spoken answer named by its audio id',
      "send what it said as the assistant message's content instead",
    );
}
