import { type Logger, pino } from 'pino';

/**
 * The root logger of a pod: JSON lines to stderr (stdout stays free for tools that print results). Child loggers bind
 * { pod, actor, id }. Never log message payloads wholesale: they may carry user data; keys never travel here at all.
 */
export function createLogger(pod: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pod } }, pino.destination(2));
}
