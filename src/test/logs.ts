import { createLogger, type Logger } from '../logger';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a pino line holds whatever was logged; tests read fields by name and `expect` checks them
export type LogLine = Record<string, any>;

/** A logger configured like the process's (redaction, request ids) whose JSON lines land in `lines`. */
export function captureLogs(level = 'info'): { logger: Logger; lines: LogLine[]; raw: string[] } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const logger = createLogger({
    level,
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  });
  return { logger, lines, raw };
}
