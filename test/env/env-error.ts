/** A test-environment failure that names the problem, the fix, and (when a server was involved) its log tail. */
export class EnvError extends Error {
  constructor(problem: string, fix: string, logTail?: string) {
    super(`${problem}\n  fix: ${fix}${logTail ? `\n  last lines of the server's log:\n${indent(logTail)}` : ''}`);
    this.name = 'EnvError';
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    | ${l}`)
    .join('\n');
}
