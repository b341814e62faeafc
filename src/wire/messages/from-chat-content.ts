// Chat content parts → Messages content blocks (pure; part of from-chat-request.ts).
// Spec: https://docs.anthropic.com/en/api/messages (content blocks: text, image with base64/url source).
import { invalidRequest } from '../../errors.js';
import type { ContentPart } from '../../openai/types.js';
import type { ImageBlock, TextBlock } from './types.js';

/** Anthropic accepts only these image media types for base64 sources. */
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

const DATA_URL = /^data:([^;,]+)((?:;[^;,]+)*);base64,(.*)$/s;

/** `data:image/png;base64,…` → base64 source; http(s) URLs → url source (Anthropic fetches it). */
export function imageBlock(url: string, param: string): ImageBlock {
  if (url.startsWith('data:')) {
    const match = DATA_URL.exec(url);
    if (!match) throw invalidRequest('image data URLs must be base64 encoded (data:<type>;base64,<data>)', param);
    const mediaType = (match[1] ?? '').toLowerCase();
    if (!IMAGE_MEDIA_TYPES.has(mediaType)) {
      throw invalidRequest(`image type ${mediaType} is not supported by anthropic (use jpeg, png, gif or webp)`, param);
    }
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: match[3] ?? '' } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalidRequest('image_url.url must be an http(s) URL or a base64 data URL', param);
}

/** Parts are typed loosely (OtherPart has an index signature), so fields are read defensively. */
type LoosePart = { type: string; text?: unknown; cache_control?: unknown; image_url?: { url?: unknown } };

function textBlock(part: LoosePart): TextBlock {
  const block: TextBlock = { type: 'text', text: String(part.text) };
  // Prompt caching: clients that know Anthropic put cache_control on a part; keep it.
  if (part.cache_control !== undefined) block.cache_control = part.cache_control;
  return block;
}

/**
 * Maps parts to text/image blocks. Parts Anthropic cannot take (audio, files…) are rejected rather
 * than dropped: silently losing part of a prompt would give wrong answers, not errors.
 * `allowImages` is false where Anthropic only accepts text (system prompt).
 */
export function contentBlocks(parts: ContentPart[], param: string, allowImages = true): (TextBlock | ImageBlock)[] {
  const blocks: (TextBlock | ImageBlock)[] = [];
  (parts as LoosePart[]).forEach((part, i) => {
    const at = `${param}[${i}]`;
    if (part.type === 'text') {
      // Anthropic rejects empty text blocks ("text content blocks must be non-empty").
      if (typeof part.text === 'string' && part.text.length > 0) blocks.push(textBlock(part));
      return;
    }
    if (part.type === 'image_url' && allowImages) {
      const url = part.image_url?.url;
      if (typeof url !== 'string') throw invalidRequest('image_url.url is required', `${at}.image_url.url`);
      blocks.push(imageBlock(url, `${at}.image_url.url`));
      return;
    }
    throw invalidRequest(`content part type '${part.type}' is not supported by anthropic here`, `${at}.type`);
  });
  return blocks;
}
