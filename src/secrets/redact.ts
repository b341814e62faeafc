// Redaction of credentials from text the gateway shows or stores: error messages, stderr tails,
// log lines, ledger error columns. URLs lose their userinfo and query (where MCP servers and
// proxies commonly carry tokens: `https://user:pass@host/mcp?api_key=…`); known secret values
// (configured headers, env values, provider keys) are replaced wherever they appear.

const REDACTED = '[redacted]';
// scheme://[userinfo@]host… up to whitespace or a quote/bracket that usually ends a URL in prose.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** One URL without userinfo and without query values (keys stay: they say what was sent). */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, `//${REDACTED}@`).replace(/\?.*$/, `?${REDACTED}`);
  }
  if (parsed.username || parsed.password) {
    parsed.username = REDACTED;
    parsed.password = '';
  }
  const keys = [...parsed.searchParams.keys()];
  if (keys.length) parsed.search = keys.map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&');
  parsed.hash = '';
  // URL encodes the brackets; the marker reads better plain.
  return parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED);
}

/** Every URL in `text` redacted, and every value of `secrets` (at least 4 characters) replaced. */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  return redactValues(
    text.replace(URL_IN_TEXT, (url) => redactUrl(url)),
    secrets,
  );
}

/**
 * Only the values of `secrets` (at least 4 characters) replaced, the rest byte for byte: for
 * upstream error bodies passed through to clients that match on their wording.
 */
export function redactValues(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** The secret values a URL carries: its password, username and query values. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    return [decodeURIComponent(u.password), decodeURIComponent(u.username), u.password, u.username, ...u.searchParams.values()].filter(
      (v) => v.length >= 4,
    );
  } catch {
    return [];
  }
}
