// Images in a Responses request, which the upstream bills as images (up to the model's
// maxImageTokens each), not as the bytes of their URL or file id: `input_image` parts in a
// message's content, a function_call_output's output, or anywhere else they may sit, and a
// computer_call_output's `computer_screenshot`, and an `image_generation_call` (sent back by id
// alone, the upstream reads its image from its store for the model to see or edit: OpenAI's
// multi-turn image generation; with its `result` the image's base64 is counted at its bytes too).
// A budget's input bound adds the model's image bound for each (governance/attempt-budget.ts). Pure.

import { mayName } from '../may-name.js';

// A computer_call_output's `computer_screenshot` (computer use) is an image too, by URL or file id.
const IMAGE_TYPES = ['"type":"input_image"', '"type":"computer_screenshot"', '"type":"image_generation_call"'];

/** input_image, computer_screenshot and image_generation_call objects in JSON.stringify's output: exact there (no whitespace; a string's quotes are escaped). */
export function imagesInJson(text: string): number {
  let n = 0;
  for (const type of IMAGE_TYPES) for (let i = text.indexOf(type); i !== -1; i = text.indexOf(type, i + type.length)) n++;
  return n;
}

/** Images in a parsed request whose client text is `text` (walked only when it may name one). */
export function imagesInRequest(request: unknown, text: string): number {
  return mayName(text, 'image') || mayName(text, 'screenshot') ? walk(request) : 0;
}

function walk(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const v of value) n += walk(v);
    return n;
  }
  const o = value as Record<string, unknown>;
  if (o.type === 'input_image' || o.type === 'computer_screenshot' || o.type === 'image_generation_call') n++;
  for (const key in o) n += walk(o[key]);
  return n;
}
