// Images in a Responses request, which the upstream bills as images (up to the model's
// maxImageTokens each), not as the bytes of their URL or file id: `input_image` parts in a
// message's content, a function_call_output's output, or anywhere else they may sit. A budget's
// input bound adds the model's image bound for each (governance/attempt-budget.ts). Pure.

import { mayName } from '../may-name.js';

const IMAGE_TYPE = '"type":"input_image"';

/** input_image objects in JSON.stringify's output: exact there (no whitespace; a string's quotes are escaped). */
export function imagesInJson(text: string): number {
  let n = 0;
  for (let i = text.indexOf(IMAGE_TYPE); i !== -1; i = text.indexOf(IMAGE_TYPE, i + IMAGE_TYPE.length)) n++;
  return n;
}

/** input_image objects in a parsed request whose client text is `text` (walked only when it may name one). */
export function imagesInRequest(request: unknown, text: string): number {
  return mayName(text, 'image') ? walk(request) : 0;
}

function walk(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const v of value) n += walk(v);
    return n;
  }
  const o = value as Record<string, unknown>;
  if (o.type === 'input_image') n++;
  for (const key in o) n += walk(o[key]);
  return n;
}
