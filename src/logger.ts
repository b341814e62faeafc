// The logging interface the gateway's parts receive (pino satisfies it; tests pass a quiet one).
export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}
