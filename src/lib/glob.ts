// Glob-style matching with the exact semantics of Redis's stringmatchlen
// (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET patterns). Byte-wise, binary safe.
//
// Notable Redis quirks reproduced on purpose:
//  - the subject must be non-empty for anything but the empty pattern to match
//    (so "*" does NOT match the empty string);
//  - inside [...] ranges bytes are compared as *signed* chars (x86 `char`), so
//    [a-\xff] is the range [-1, 'a'] and matches \x00..'a' and \xff only;
//  - an escaped char inside [...] is compared case-sensitively even with nocase;
//  - an unterminated '[' set consumes the rest of the pattern;
//  - a trailing lone '\' matches a literal backslash.

const STAR = 0x2a;
const QMARK = 0x3f;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;

/** ASCII-only lower-casing, like C tolower() in the "C" locale. */
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

/** Interprets a byte as a signed char (what x86 C code sees). */
function sbyte(c: number): number {
  return c >= 0x80 ? c - 256 : c;
}

/** Shared state of one top-level match: set once a '*' proved that the rest of
 * the pattern cannot match anywhere, so outer '*'s must not try longer spans. */
interface MatchState {
  skipLonger: boolean;
}

/**
 * Matches pattern[p..pEnd) against subject[s..sEnd). Returns true on match.
 * Recursion depth is bounded by the number of '*' runs in the pattern; the
 * skipLonger flag keeps the total work polynomial (no exponential blow-up).
 */
function matchFrom(
  pat: Buffer, p: number, pEnd: number,
  str: Buffer, s: number, sEnd: number,
  nocase: boolean, st: MatchState,
): boolean {
  while (p < pEnd && s < sEnd) {
    const pc = pat[p]!;
    if (pc === STAR) {
      while (p + 1 < pEnd && pat[p + 1] === STAR) p++;
      if (p + 1 === pEnd) return true;
      while (s < sEnd) {
        if (matchFrom(pat, p + 1, pEnd, str, s, sEnd, nocase, st)) return true;
        if (st.skipLonger) return false;
        s++;
      }
      st.skipLonger = true;
      return false;
    } else if (pc === QMARK) {
      s++;
    } else if (pc === LBRACKET) {
      p = matchSet(pat, p + 1, pEnd, str[s]!, nocase);
      if (p < 0) return false;
      s++;
    } else {
      let lit = pc;
      if (pc === BACKSLASH && pEnd - p >= 2) lit = pat[++p]!;
      const sc = str[s]!;
      if (lit !== sc && (!nocase || lower(lit) !== lower(sc))) return false;
      s++;
    }
    p++;
    if (s === sEnd) {
      while (p < pEnd && pat[p] === STAR) p++;
      break;
    }
  }
  return p === pEnd && s === sEnd;
}

/**
 * Evaluates a bracket set whose body starts at p (just after '[') against the
 * byte c. Returns the index of the set's last pattern byte (the ']' or, for an
 * unterminated set, the final byte of the pattern), or -1 when c is rejected.
 */
function matchSet(pat: Buffer, p: number, pEnd: number, c: number, nocase: boolean): number {
  const negate = p < pEnd && pat[p] === CARET;
  if (negate) p++;
  let hit = false;
  for (;;) {
    const left = pEnd - p;
    const pc = left > 0 ? pat[p]! : 0;
    if (pc === BACKSLASH && left >= 2) {
      p++;
      if (pat[p] === c) hit = true;
    } else if (left > 0 && pc === RBRACKET) {
      break;
    } else if (left <= 0) {
      p--;
      break;
    } else if (left >= 3 && pat[p + 1] === DASH) {
      let lo = sbyte(pc);
      let hi = sbyte(pat[p + 2]!);
      let x = sbyte(c);
      if (lo > hi) { const t = lo; lo = hi; hi = t; }
      if (nocase) { lo = lower(lo); hi = lower(hi); x = lower(x); }
      if (x >= lo && x <= hi) hit = true;
      p += 2;
    } else if (pc === c || (nocase && lower(pc) === lower(c))) {
      hit = true;
    }
    p++;
  }
  return hit !== negate ? p : -1;
}

/** True if the pattern contains no glob metacharacter (* ? [ \). */
function isLiteral(pattern: Buffer): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === STAR || c === QMARK || c === LBRACKET || c === BACKSLASH) return false;
  }
  return true;
}

/**
 * s starts with prefix (s is at least as long), ASCII case-insensitive when nocase. A loop: no
 * view, no call into the runtime.
 */
function startsWith(prefix: Buffer, s: Buffer, nocase: boolean): boolean {
  for (let i = 0; i < prefix.length; i++) {
    if (prefix[i] !== s[i] && (!nocase || lower(prefix[i]!) !== lower(s[i]!))) return false;
  }
  return true;
}

/** Byte equality, ASCII case-insensitive when nocase. */
function literalEquals(a: Buffer, b: Buffer, nocase: boolean): boolean {
  if (a.length !== b.length) return false;
  return nocase ? startsWith(a, b, true) : a.equals(b);
}

/** Redis stringmatchlen(pattern, subject, nocase) !== 0. */
export function globMatch(pattern: Buffer, subject: Buffer, nocase = false): boolean {
  if (pattern.length === 1 && pattern[0] === STAR) return subject.length > 0;
  return matchFrom(pattern, 0, pattern.length, subject, 0, subject.length, nocase,
    { skipLonger: false });
}

/**
 * Pre-analyses a pattern once and returns a matcher for many subjects (KEYS /
 * SCAN hot loop). Same results as globMatch(pattern, subject, nocase).
 */
export function compileGlob(pattern: Buffer, nocase = false): (subject: Buffer) => boolean {
  if (pattern.length === 1 && pattern[0] === STAR) return (s) => s.length > 0;
  if (isLiteral(pattern)) return (s) => literalEquals(pattern, s, nocase);
  // `<literal>*`, the usual shape of a channel or key pattern (__keyspace@0__:user:*): a
  // prefix test, with no matcher state per subject.
  const last = pattern.length - 1;
  if (pattern[last] === STAR && isLiteral(pattern.subarray(0, last))) {
    const prefix = Buffer.from(pattern.subarray(0, last));
    return (s) => s.length >= last && startsWith(prefix, s, nocase);
  }
  return (s) => matchFrom(pattern, 0, pattern.length, s, 0, s.length, nocase,
    { skipLonger: false });
}

/** String convenience wrapper (config names etc.); strings are UTF-8 encoded. */
export function globMatchString(pattern: string, s: string, nocase = false): boolean {
  return globMatch(Buffer.from(pattern, 'utf8'), Buffer.from(s, 'utf8'), nocase);
}
