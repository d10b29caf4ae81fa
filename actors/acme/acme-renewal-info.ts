// ACME Renewal Information (RFC 9773): the CA's suggested renewal window for one certificate, fetched with an
// unauthenticated GET of <renewalInfo>/<certID> (certificate-info.ts makes the certID, also the `replaces` of its
// renewal order). Let's Encrypt exempts ARI-guided renewals from rate limits and moves windows into the past
// when it must revoke, so following the window is how a fleet renews in time without being asked twice.
import { getJson } from './http-get-json.js';

export interface RenewalWindow {
  startMs: number;
  endMs: number;
}

export type RenewalInfo =
  | {
      ok: true;
      window: RenewalWindow;
      /** Retry-After in ms (absent when the CA sent none). */
      retryAfterMs?: number;
      explanationUrl?: string;
    }
  | { ok: false; error: string };

/** Seconds or an HTTP date, as Retry-After may be. */
function retryAfterMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export async function fetchRenewalInfo(renewalInfoUrl: string, certId: string, nowMs: number): Promise<RenewalInfo> {
  let res: Awaited<
    ReturnType<typeof getJson<{ suggestedWindow?: { start?: string; end?: string }; explanationURL?: string }>>
  >;
  try {
    res = await getJson(`${renewalInfoUrl.replace(/\/$/, '')}/${certId}`, 15_000);
  } catch (err) {
    return { ok: false, error: `renewalInfo: ${(err as Error).message}` };
  }
  if (res.status !== 200) return { ok: false, error: `renewalInfo answered ${res.status}` };
  const start = Date.parse(res.body?.suggestedWindow?.start ?? '');
  const end = Date.parse(res.body?.suggestedWindow?.end ?? '');
  // RFC 9773: a window that is not a window is treated as no answer.
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start)
    return { ok: false, error: 'renewalInfo answered without a valid suggestedWindow' };
  const after = retryAfterMs(res.headers['retry-after'], nowMs);
  return {
    ok: true,
    window: { startMs: start, endMs: end },
    ...(after !== undefined ? { retryAfterMs: after } : {}),
    ...(res.body?.explanationURL ? { explanationUrl: res.body.explanationURL } : {}),
  };
}
