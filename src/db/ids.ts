import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../core/ports';

/**
 * Row ids: ULID-shaped (26 characters of Crockford base32: 48 bits of epoch milliseconds, then 80 random bits).
 * Random, so two VS Code windows writing the same store never collide; time-first, so ids sort roughly by
 * creation and make stable tie-breakers in ORDER BY. Ids are made here, in TypeScript, and passed to SQL as
 * parameters, because every write is journaled and replayed: SQL must never invent them itself.
 */

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const timeChars = 10;
const randomChars = 16;
const maxTime = 2 ** 48 - 1;
const idPattern = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export type RandomSource = (size: number) => Uint8Array;

/**
 * Returns a generator of ids. Within one millisecond (or when the clock steps backwards) the previous random
 * part is incremented instead of drawn afresh, so the ids one generator hands out are strictly increasing.
 */
export function createIdFactory(clock: Clock = systemClock, random: RandomSource = randomBytes): () => string {
  let lastTime = -1;
  let lastRandom = 0n;
  return () => {
    let time = Math.floor(clock.now());
    if (!Number.isFinite(time) || time < 0 || time > maxTime) {
      throw new Error(`Cannot make an id from the clock value ${clock.now()}`);
    }
    if (time <= lastTime) {
      time = lastTime;
      lastRandom += 1n;
      if (lastRandom >= 1n << 80n) {
        // 2^80 ids in one millisecond cannot happen in practice; borrowing the next millisecond keeps order.
        time += 1;
        lastRandom = toBigInt(random(10));
      }
    } else {
      lastRandom = toBigInt(random(10));
    }
    lastTime = time;
    return encode(BigInt(time), timeChars) + encode(lastRandom, randomChars);
  };
}

/** The process-wide generator, on the system clock. */
export const newId: () => string = createIdFactory();

export function isId(value: unknown): value is string {
  return typeof value === 'string' && idPattern.test(value);
}

/** The creation time (epoch ms) encoded in an id. */
export function idTime(id: string): number {
  if (!isId(id)) {
    throw new Error(`Not an id: ${JSON.stringify(id)}`);
  }
  let time = 0;
  for (const char of id.slice(0, timeChars)) {
    time = time * 32 + alphabet.indexOf(char);
  }
  return time;
}

function toBigInt(bytes: Uint8Array): bigint {
  if (bytes.length !== 10) {
    throw new Error(`The random source returned ${bytes.length} bytes instead of 10`);
  }
  let value = 0n;
  for (const byte of bytes) {
    value = (value << 8n) | BigInt(byte);
  }
  return value;
}

function encode(value: bigint, length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) {
    text = alphabet.charAt(Number(value & 31n)) + text;
    value >>= 5n;
  }
  return text;
}
