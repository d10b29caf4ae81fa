import { appendFileSync } from 'node:fs';

type Resolved = { url: string };
type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;

export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<Resolved> {
  const resolved = await next(specifier, context);
  const file = process.env.MODULE_TRACE_FILE;
  if (file) appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
