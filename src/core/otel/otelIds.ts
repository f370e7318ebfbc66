import { createHash } from 'node:crypto';

/**
 * Trace and span ids derived from our row ids, never drawn at random, so exporting the same events twice (a file
 * today, the live collector yesterday) gives the same ids and a collector or viewer merges rather than
 * duplicates them.
 *
 * A ULID is 26 Crockford base32 characters whose first one is at most 7: 128 bits, exactly an OTLP trace id, so
 * a trace id is the hex of the ULID of the turn's first event (and still shows its creation time). Span ids are
 * 64 bits, too few for a ULID, so they are the first 8 bytes of a SHA-256 of the id with a label saying what
 * the span stands for (an event, or the turn around it).
 */

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ulidPattern = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const zeroTrace = '0'.repeat(32);
const zeroSpan = '0'.repeat(16);

/** The trace of the turn whose first event has this id. */
export function traceIdOf(anchorEventId: string): string {
  if (ulidPattern.test(anchorEventId)) {
    let value = 0n;
    for (const char of anchorEventId) {
      value = (value << 5n) | BigInt(crockford.indexOf(char));
    }
    const hex = value.toString(16).padStart(32, '0');
    if (hex !== zeroTrace) {
      return hex;
    }
  }
  // Not a ULID (an imported event's id) or the all-zero id OTLP reserves for "no trace": hash it instead.
  return digest(`trace:${anchorEventId}`, 32, zeroTrace);
}

/** The span that stands for this event (a model call, a tool call). */
export function eventSpanIdOf(eventId: string): string {
  return digest(`event:${eventId}`, 16, zeroSpan);
}

/** The `invoke_agent` span around the turn whose first event has this id. */
export function turnSpanIdOf(anchorEventId: string): string {
  return digest(`turn:${anchorEventId}`, 16, zeroSpan);
}

function digest(text: string, hexLength: number, invalid: string): string {
  const hex = createHash('sha256').update(text).digest('hex').slice(0, hexLength);
  // All zeros means "no id" in OTLP; one chance in 2^64, but a collector would drop the span, so step off it.
  return hex === invalid ? `${invalid.slice(1)}1` : hex;
}
