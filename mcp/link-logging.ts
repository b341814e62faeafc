// The logger a ServerLink (and the manager around it) writes to, and which of a server's own log
// messages reach it. Split from server-link.ts.
import type { LoggingLevel } from '@modelcontextprotocol/client';
import type { UnboundLog } from './upstream-handlers.js';

export interface McpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const OPERATOR_LEVELS: readonly LoggingLevel[] = ['warning', 'error', 'critical', 'alert', 'emergency'];

/**
 * What to do with one log message of a server: warnings and worse reach the operator, as text and
 * redacted (a server may log its own configuration: URLs, tokens it was given); the rest of a
 * server's chatter stays out of the logs.
 */
export function operatorLog(logger: McpLogger | undefined, redact: (text: string) => string): UnboundLog {
  return (entry) => {
    if (!OPERATOR_LEVELS.includes(entry.level)) return;
    const data = redact(typeof entry.data === 'string' ? entry.data : (JSON.stringify(entry.data) ?? ''));
    logger?.warn({ server: entry.server, level: entry.level, logger: entry.logger, data }, 'MCP server log');
  };
}
