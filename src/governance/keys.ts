// Virtual key secrets: generation, hashing, and reading them from request headers.
import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'tg-';

/** 'tg-' + 32 random bytes (256 bits) in base64url: unguessable, URL- and header-safe. */
export function generateKeySecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * sha256 hex. A plain fast hash is enough here (unlike passwords): generated secrets carry 256 bits
 * of entropy, so there is nothing to brute-force, and the lookup runs on every request.
 */
export function hashKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface HeaderSource {
  get(name: string): string | undefined | null;
}

const BEARER = /^Bearer\s+(.+)$/i;

/**
 * The virtual key from `x-bf-vk`, else `Authorization: Bearer <key>` (what the openai SDK sends, and
 * Claude Code with ANTHROPIC_AUTH_TOKEN), else `x-api-key` (the Anthropic SDK, and Claude Code with
 * ANTHROPIC_API_KEY).
 */
export function parseVirtualKey(headers: HeaderSource): string | undefined {
  const vk = headers.get('x-bf-vk')?.trim();
  if (vk) return vk;
  const auth = headers.get('authorization')?.trim();
  const token = auth ? BEARER.exec(auth)?.[1]?.trim() : undefined;
  if (token) return token;
  return headers.get('x-api-key')?.trim() || undefined;
}
