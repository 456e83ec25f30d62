// A shortlist for one referral version, in its two forms: the ShortlistProduced event (published;
// candidates capped, exclusions summarised by rule plus the nearest excluded homes) and the API
// view (every candidate and every excluded home), stored for GET /v1/referrals/{id}/shortlist.
import { gzipSync } from 'node:zlib';
import type { IntegrationEventData } from '@placements/contracts';
import type { MatchingPolicy } from './policy.ts';
import {
  type Candidate,
  type Exclusion,
  type Exclusions,
  exclusionRules,
  type Ranking,
  type ReferralForMatching,
} from './ranking.ts';

export interface ShortlistView {
  referralId: string;
  referralVersion: number;
  generatedAt: string;
  homesConsidered: number;
  exclusionCounts: Record<string, number>;
  candidates: Candidate[];
  excluded: Exclusion[];
}

export function shortlistStreamId(referralId: string): string {
  return `shortlist-${referralId}`;
}

/** The API view as an object; gzippedShortlistView stores its JSON, written without building it. */
export function shortlistView(
  referral: ReferralForMatching,
  ranking: Ranking,
  generatedAt: string,
): ShortlistView {
  return {
    referralId: referral.referralId,
    referralVersion: referral.referralVersion,
    generatedAt,
    homesConsidered: ranking.homesConsidered,
    exclusionCounts: ranking.exclusionCounts as Record<string, number>,
    candidates: ranking.candidates,
    excluded: [...ranking.excluded],
  };
}

/**
 * The API view as stored: the JSON of `shortlistView` (byte for byte), gzipped. It is written
 * piece by piece into a buffer this module keeps, so a view, most of a megabyte of JSON, costs
 * neither one large string nor an object per excluded home: a ranking excludes most of the
 * registry, and those allocations were what made the collector stall rankings.
 */
export function gzippedShortlistView(
  referral: ReferralForMatching,
  ranking: Ranking,
  generatedAt: string,
): Buffer {
  const out = viewBuffer;
  out.reset();
  const head = JSON.stringify({
    referralId: referral.referralId,
    referralVersion: referral.referralVersion,
    generatedAt,
    homesConsidered: ranking.homesConsidered,
    exclusionCounts: ranking.exclusionCounts,
  });
  out.text(head.slice(0, -1));
  out.text(',"candidates":[');
  writeCandidates(out, ranking.candidates);
  out.text('],"excluded":[');
  writeExclusions(out, ranking.exclusions);
  out.text(']}');
  // Level 1: a 3,000-home view (~850 kB of JSON) compresses to ~55 kB in ~2 ms instead of ~42 kB
  // in ~5 ms at the default level; this runs for every referral version, the reads are cheap anyway.
  return gzipSync(out.bytes(), { level: 1 });
}

/** Each candidate as JSON.stringify writes it, comma-separated. */
function writeCandidates(out: JsonWriter, candidates: readonly Candidate[]): void {
  for (let i = 0; i < candidates.length; i++) {
    if (i > 0) out.byte(COMMA);
    out.json(candidates[i]);
  }
}

/** `{"urn":…,"rules":[…],"distanceMiles":…}` for each excluded home, comma-separated. */
function writeExclusions(out: JsonWriter, exclusions: Exclusions): void {
  for (let i = 0; i < exclusions.length; i++) {
    if (i > 0) out.byte(COMMA);
    out.text('{"urn":');
    out.text(exclusions.urnJsonAt(i));
    out.text(rulesJson(exclusions.bitsAt(i)));
    out.tenths(exclusions.tenthsAt(i));
    out.byte(CLOSE_BRACE);
  }
}

/** `,"rules":[…],"distanceMiles":` for a combination of rule bits, one string per combination. */
const rulesJsonByBits = new Map<number, string>();

function rulesJson(bits: number): string {
  let json = rulesJsonByBits.get(bits);
  if (json === undefined) {
    const rules = exclusionRules.filter((_, i) => bits & (1 << i));
    json = `,"rules":${JSON.stringify(rules)},"distanceMiles":`;
    rulesJsonByBits.set(bits, json);
  }
  return json;
}

/** Characters JSON.stringify escapes: quote, backslash, controls and lone surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** Length up to which `text` copies ASCII itself. */
const SHORT_TEXT = 64;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const DOT = 0x2e;
const ZERO = 0x30;

/** Values JSON.stringify leaves out of objects (and writes as null in arrays). */
function omittedInJson(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** A growable byte buffer, reused from one view to the next (the writing is synchronous). */
export class JsonWriter {
  #buffer = Buffer.allocUnsafeSlow(256 * 1024);
  #length = 0;

  reset(): void {
    this.#length = 0;
  }

  /** Room for `bytes` more, doubling the buffer when short. */
  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(bigger, 0, 0, this.#length);
    this.#buffer = bigger;
  }

  text(value: string): void {
    const n = value.length;
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    this.#reserve(n * 3);
    // Short ASCII pieces, most of a view, are copied here: cheaper than a call into the encoder.
    if (n <= SHORT_TEXT) {
      const buffer = this.#buffer;
      let at = this.#length;
      for (let i = 0; i < n; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) {
          this.#length += buffer.write(value, this.#length, 'utf8');
          return;
        }
        buffer[at++] = code;
      }
      this.#length = at;
      return;
    }
    this.#length += this.#buffer.write(value, this.#length, 'utf8');
  }

  /** A string as a JSON literal: copied between quotes when nothing in it needs escaping. */
  string(value: string): void {
    if (NEEDS_ESCAPE.test(value)) {
      this.text(JSON.stringify(value));
      return;
    }
    this.byte(QUOTE);
    this.text(value);
    this.byte(QUOTE);
  }

  /**
   * A value as JSON.stringify writes it, for plain data such as a candidate: strings, finite
   * numbers, booleans, null, arrays and plain objects (no toJSON, no cycles).
   */
  json(value: unknown): void {
    if (value === null) {
      this.text('null');
      return;
    }
    switch (typeof value) {
      case 'string':
        this.string(value);
        return;
      case 'number':
        this.text(Number.isFinite(value) ? String(value) : 'null');
        return;
      case 'boolean':
        this.text(value ? 'true' : 'false');
        return;
      case 'object':
        if (Array.isArray(value)) {
          this.byte(OPEN_BRACKET);
          for (let i = 0; i < value.length; i++) {
            if (i > 0) this.byte(COMMA);
            const item: unknown = value[i];
            this.json(omittedInJson(item) ? null : item);
          }
          this.byte(CLOSE_BRACKET);
          return;
        }
        this.#object(value as Record<string, unknown>);
        return;
      default:
        throw new TypeError(`a ${typeof value} has no JSON form here`);
    }
  }

  #object(value: Record<string, unknown>): void {
    this.byte(OPEN_BRACE);
    let first = true;
    for (const key in value) {
      const item = value[key];
      if (omittedInJson(item)) continue;
      if (!first) this.byte(COMMA);
      first = false;
      this.string(key);
      this.byte(COLON);
      this.json(item);
    }
    this.byte(CLOSE_BRACE);
  }

  byte(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
  }

  /** A distance held in tenths as JavaScript prints tenths / 10: `12.3`, `12` for `12.0`. */
  tenths(tenths: number): void {
    this.#reserve(12);
    const whole = Math.floor(tenths / 10);
    const digits = String(whole);
    for (let i = 0; i < digits.length; i++) this.#buffer[this.#length++] = digits.charCodeAt(i);
    const tenth = tenths % 10;
    if (tenth !== 0) {
      this.#buffer[this.#length++] = DOT;
      this.#buffer[this.#length++] = ZERO + tenth;
    }
  }

  /** The bytes written since the last reset (a view of the shared buffer: use before the next write). */
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }
}

const viewBuffer = new JsonWriter();

export function shortlistProduced(
  referral: ReferralForMatching,
  ranking: Ranking,
  policy: MatchingPolicy,
  generatedAt: string,
): IntegrationEventData<'ShortlistProduced'> {
  return {
    referralId: referral.referralId,
    referralVersion: referral.referralVersion,
    placingLa: referral.placingLa,
    childRef: referral.childRef,
    generatedAt,
    homesConsidered: ranking.homesConsidered,
    candidates: ranking.candidates.slice(0, policy.eventCandidateLimit),
    exclusionCounts: ranking.exclusionCounts as Record<string, number>,
    nearestExcluded: ranking.exclusions.nearest(policy.eventNearestExcludedLimit),
  };
}
