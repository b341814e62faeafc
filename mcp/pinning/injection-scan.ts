// Tool-poisoning markers in a tool definition. MCP tool descriptions go straight into the model's
// context, so a malicious or compromised server can hide instructions there (invariant labs'
// "tool poisoning" write-up: <IMPORTANT> blocks asking to read ~/.ssh and keep quiet about it).
// This is a tripwire, not a classifier: a hit holds the tool for an admin's review, it does not
// prove malice, and a miss proves nothing. Every string in the definition is scanned (schema
// property descriptions reach the model too), and object keys as well (invisible characters).
import type { Tool } from '@modelcontextprotocol/client';
import { pinnedFields } from './canonical.js';

export interface InjectionFlag {
  /** Stable code, e.g. `ignore_previous`. */
  code: string;
  /** Where it was found: `description`, `inputSchema.properties.path.description`, … */
  field: string;
  /** The matched text (invisible characters shown as U+XXXX), at most ~80 chars. */
  excerpt: string;
}

interface Marker {
  code: string;
  pattern: RegExp;
}

const MARKERS: readonly Marker[] = [
  // Zero-width characters, word joiner, invisible operators, soft hyphen, mid-text BOM.
  { code: 'invisible_unicode', pattern: /[\u200B-\u200D\u2060-\u2064\uFEFF\u00AD\u180E\u115F\u1160\u3164]/u },
  // Bidi overrides/isolates: make the text read differently than it is stored ("Trojan Source").
  { code: 'bidi_control', pattern: /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u },
  // Unicode tag characters render as nothing but models read them as ASCII ("ASCII smuggling").
  { code: 'tag_characters', pattern: /[\u{E0000}-\u{E007F}]/u },
  {
    code: 'ignore_previous',
    pattern:
      /\b(ignore|disregard|forget|override)\b[^.\n]{0,30}?\b(all\s+)?(the\s+)?(previous|prior|above|earlier|preceding|system|other)\s+(instructions?|prompts?|rules|directions|messages|guidelines)/i,
  },
  {
    code: 'conceal_from_user',
    pattern:
      /\b(do\s*not|don'?t|never|without)\s+(tell(ing)?|inform(ing)?|notify(ing)?|mention(ing)?|reveal(ing)?|show(ing)?|alert(ing)?|let(ting)?)\b[^.\n]{0,40}?\bthe\s+user\b|\b(user|human)\s+(must|should)\s+(not|never)\s+(know|see|be\s+told)/i,
  },
  {
    code: 'hidden_tag',
    pattern:
      /<\s*\/?\s*(important|system|instructions?|secret|hidden|admin|prompt|sys|assistant|override)\b[^>]*>|\[\/?INST\]|<\|im_(start|end)\|>/i,
  },
  {
    code: 'secret_access',
    pattern:
      /~\/\.ssh|\.ssh\/|\bid_(rsa|ed25519|ecdsa)\b|\.aws\/credentials|\/etc\/(passwd|shadow)|\.netrc\b|\.git-credentials|\.npmrc\b|\.pypirc\b|\bmcp\.json\b/i,
  },
  {
    code: 'secret_access',
    pattern:
      /\b(read|cat|print|output|include|send|pass|leak|collect|copy|dump)\b[^.\n]{0,60}?(\benv(ironment)?\s+var(iable)?s?\b|\bprocess\.env\b|\bos\.environ\b|(^|\s)\.env\b|\bprivate\s+keys?\b)/i,
  },
  {
    code: 'role_override',
    pattern:
      /\byou\s+are\s+now\b|\bfrom\s+now\s+on,?\s+you\b|\bnew\s+(system\s+)?instructions?\s*:|\b(reveal|print|repeat)\s+(your|the)\s+system\s+prompt\b/i,
  },
  { code: 'exfiltration', pattern: /\b(send|post|forward|upload|exfiltrate|transmit)\b[^.\n]{0,60}?\bhttps?:\/\//i },
];

const visible = (s: string): string =>
  s.replace(
    /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD\u180E\u115F\u1160\u3164\u202A-\u202E\u2066-\u2069\u061C\u{E0000}-\u{E007F}]/gu,
    (ch) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
  );

/** Markers in one string; at most one flag per code. */
export function scanText(text: string, field: string): InjectionFlag[] {
  const flags: InjectionFlag[] = [];
  for (const { code, pattern } of MARKERS) {
    if (flags.some((f) => f.code === code)) continue;
    const m = pattern.exec(text);
    if (!m) continue;
    const start = Math.max(0, m.index - 10);
    flags.push({ code, field, excerpt: visible(text.slice(start, m.index + m[0].length + 10)).slice(0, 80) });
  }
  return flags;
}

function walk(value: unknown, path: string, out: InjectionFlag[]): void {
  if (typeof value === 'string') {
    out.push(...scanText(value, path));
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`, out);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    out.push(
      ...scanText(key, `${field} (key)`).filter(
        (f) => f.code === 'invisible_unicode' || f.code === 'bidi_control' || f.code === 'tag_characters',
      ),
    );
    walk(v, field, out);
  }
}

/** Every marker found anywhere in the tool's pinned fields; empty when nothing tripped. */
export function scanTool(tool: Tool): InjectionFlag[] {
  const out: InjectionFlag[] = [];
  walk(pinnedFields(tool), '', out);
  return out;
}
