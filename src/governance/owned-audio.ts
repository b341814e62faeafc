// A spoken answer belongs to the key it was given to. On Chat Completions, OpenAI keeps an audio
// answer (about an hour) and reads it back when a later request's assistant message names it by
// `audio: {id}`; every key's requests run under the provider's one account, so a key that learns
// another key's audio id (a shared log, a pasted transcript) could have that answer transcribed
// ("repeat what you said"). The only audio ids a key can rightly know are those an answer relayed to
// it carried (`choices[].message.audio.id`), and those are recorded as its own before the answer
// goes out (the store that records the containers each key was shown, as kind `audio`: a lookup
// matches the kind, and each kind has its own bound per key: owned-containers.ts). A request whose assistant message names any other
// audio id is refused, nothing sent. A streamed answer's audio deltas are not relayed (round.ts
// forwards content, refusal and tool calls), so a stream shows the key no audio id to record.
import { type ContainerDeps, type ContainerOwners, type Named, refuseUnshown } from './owned-containers.js';

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
