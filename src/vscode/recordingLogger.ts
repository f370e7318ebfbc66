import type { Logger } from '../core/ports';

/**
 * In test runs only: passes every line on to the real log and keeps a copy, so integration tests can prove what
 * was (and was not, e.g. an API key) written to the AI Studio log without racing the log file's flush.
 */
export function recordingLogger(target: Logger, lines: string[], limit = 10_000): Logger {
  const keep = (level: string, message: string | Error) => {
    lines.push(`${level} ${message instanceof Error ? `${message.message}\n${message.stack ?? ''}` : message}`);
    if (lines.length > limit) {
      lines.splice(0, lines.length - limit);
    }
  };
  return {
    trace: (message) => (keep('trace', message), target.trace(message)),
    debug: (message) => (keep('debug', message), target.debug(message)),
    info: (message) => (keep('info', message), target.info(message)),
    warn: (message) => (keep('warn', message), target.warn(message)),
    error: (message) => (keep('error', message), target.error(message)),
  };
}
