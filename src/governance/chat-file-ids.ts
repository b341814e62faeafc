// A Chat Completions `file` content part by `file_id` makes the upstream bill the stored file's pages
// and text as input, while the request holds only the id: under a key, team or customer budget it is
// refused (400 stored_input_under_budget, param naming the part), as responses/stored-input.ts does
// for an input_file by file_id. A file's own data (`file_data`) is counted at its bytes and goes.
import { mayName } from '../wire/may-name.js';
import { storedInputUnderBudget } from './remote-input.js';

export function refuseChatFileIdsUnderBudget(messages: readonly { content?: unknown }[], budgeted: boolean, text: string): void {
  if (!budgeted || !mayName(text, 'file_id')) return;
  for (let i = 0; i < messages.length; i++) {
    const content = messages[i]!.content;
    if (!Array.isArray(content)) continue;
    for (let j = 0; j < content.length; j++) {
      const part = content[j] as { type?: unknown; file?: { file_id?: unknown } | null } | null;
      if (part?.type !== 'file') continue;
      const id = part.file?.file_id;
      if (id !== undefined && id !== null)
        throw storedInputUnderBudget(`messages[${i}].content[${j}]`, 'a file by file_id', 'send its data (file_data) instead');
    }
  }
}
