// The "tool set changed" signal shared by the MCP manager and the pinning layer: a version that
// caches key on, and listeners told after every change. A listener that throws is logged and never
// stops the others.
import type { McpLogger } from './link-logging.js';

export type ToolSetListener = (version: number) => void;

export class ToolSetChanges {
  version = 0;
  private readonly listeners = new Set<ToolSetListener>();

  constructor(private readonly logger?: McpLogger) {}

  /** Returns an unsubscribe function. */
  subscribe(listener: ToolSetListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** A new version; every listener hears of it. */
  bump(): void {
    this.version++;
    for (const listener of this.listeners) {
      try {
        listener(this.version);
      } catch (err) {
        this.logger?.error({ err: err instanceof Error ? err.message : String(err) }, 'onToolsChanged listener threw');
      }
    }
  }
}
