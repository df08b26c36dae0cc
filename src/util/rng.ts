// A seeded random generator: every random draw in robustart comes from one of these, passed in.
// xoshiro128** (Blackman & Vigna) seeded through splitmix32, so any 32-bit seed gives a good state.

import { POLAR_BLOCK, polarBlock } from './polar-kernel.js';
import { RobustartError } from '../errors.js';

const TWO_POW_32 = 4294967296;
// Multiplying by these is exact, as dividing by 2^32 (or 2 * r by 2^32) is, and much cheaper than a division.
const TWO_POW_MINUS_32 = 2 ** -32;
const TWO_POW_MINUS_31 = 2 ** -31;

export class Rng {
  // State in an Int32Array: uint32 fields on an object are boxed by V8 on every step (~25 ns a draw);
  // here a draw costs a few ns, which the per-pixel noises need.
  private readonly state = new Int32Array(4);
  private spareNormal = NaN;

  constructor(readonly seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.state[i] = next() | 0;
  }

  /** A generator with the given xoshiro state (all-zero, the one invalid state, becomes [1,0,0,0]). */
  static fromState(words: readonly number[]): Rng {
    const rng = new Rng(words[0] ?? 0);
    for (let i = 0; i < 4; i++) rng.state[i] = (words[i] ?? 0) | 0;
    if ((rng.state[0] | rng.state[1] | rng.state[2] | rng.state[3]) === 0) rng.state[0] = 1;
    return rng;
  }

  /** A generator for a bulk fill, seeded with the next four draws of this one. */
  stream(): Rng {
    return Rng.fromState([this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32()]);
  }

  /** Uniform 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const s = this.state;
    const s0 = s[0], s1 = s[1];
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    s[2] ^= s0;
    s[3] ^= s1;
    s[1] = s1 ^ s[2];
    s[0] = s0 ^ s[3];
    s[2] ^= t;
    s[3] = (s[3] << 11) | (s[3] >>> 21);
    return result >>> 0;
  }

  /** Uniform in [0,1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() * TWO_POW_MINUS_32;
  }

  /** Uniform in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Marsaglia polar method, both values of each pair used). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal === this.spareNormal) {
      const v = this.spareNormal;
      this.spareNormal = NaN;
      return mean + std * v;
    }
    let u: number, v: number, s: number;
    do {
      u = this.nextUint32() * TWO_POW_MINUS_31 - 1;
      v = this.nextUint32() * TWO_POW_MINUS_31 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    return mean + std * u * m;
  }

  /**
   * Fills `out` with N(mean, std) draws: the same pairs as repeated normal(), state kept in locals (the second draw
   * of a pair is mean + std * v * m left to right, where normal()'s spare is mean + std * (v * m): for a std that is
   * not a power of two the two can differ, rarely, in the last float32 bit). Per block of
   * pairs, the accepted (u, v, u^2 + v^2) are drawn here, then transformed two pairs at a time in WebAssembly SIMD
   * (polar-kernel.ts, the same IEEE operations and logarithm as normal()).
   */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    const st = this.state;
    let s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
    let i = 0;
    if (this.spareNormal === this.spareNormal && out.length > 0) {
      out[i++] = mean + std * this.spareNormal;
      this.spareNormal = NaN;
    }
    const block = polarBlock();
    const us = block.u, vs = block.v, qs = block.q;
    while (i < out.length) {
      const pairs = Math.min(POLAR_BLOCK, (out.length - i + 1) >> 1);
      for (let p = 0; p < pairs; p++) {
        let u: number, v: number, q: number;
        do {
          let x = Math.imul(s1, 5);
          let r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
          let t = s1 << 9;
          s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
          u = r * TWO_POW_MINUS_31 - 1;
          x = Math.imul(s1, 5);
          r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
          t = s1 << 9;
          s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
          v = r * TWO_POW_MINUS_31 - 1;
          q = u * u + v * v;
        } while (q >= 1 || q === 0);
        us[p] = u;
        vs[p] = v;
        qs[p] = q;
      }
      // Pairs whose two draws both fit; a last pair with room for one leaves its second as the spare.
      const whole = Math.min(pairs, (out.length - i) >> 1);
      if (whole > 0) {
        block.transform(whole, mean, std);
        out.set(block.out.subarray(0, 2 * whole), i);
        i += 2 * whole;
      }
      if (whole < pairs) {
        const q = qs[whole];
        const m = Math.sqrt((-2 * Math.log(q)) / q);
        out[i++] = mean + std * us[whole] * m;
        this.spareNormal = vs[whole] * m;
      }
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
    return out;
  }

  /** Fills `out` with U[low, high) draws (state kept in locals through the loop). */
  fillUniform(out: Float32Array, low = 0, high = 1): Float32Array {
    const span = (high - low) / TWO_POW_32;
    const st = this.state;
    let s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
    for (let i = 0; i < out.length; i++) {
      const x = Math.imul(s1, 5);
      const r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = low + span * r;
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
    return out;
  }

  /** Fills `out` with uniform integers in [0, n) (n <= 2^32): the same values as repeated int(n). */
  fillInt(out: Int32Array, n: number): Int32Array {
    const scale = n / TWO_POW_32;
    const st = this.state;
    let s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
    for (let i = 0; i < out.length; i++) {
      const x = Math.imul(s1, 5);
      const r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = Math.floor(r * scale);
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
    return out;
  }

  /** Poisson draw: Knuth's method for small means, normal approximation with continuity beyond 60. */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 60) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.uniform();
    while (p > limit) {
      k++;
      p *= this.uniform();
    }
    return k;
  }

  /** An independent generator derived from this one and a label (for per-sample / per-worker streams). */
  fork(label: number): Rng {
    return new Rng((this.nextUint32() ^ Math.imul(label + 1, 0x9e3779b1)) >>> 0);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}


/** Seeds are 32-bit unsigned integers: a larger, negative or fractional one would silently wrap to another seed. */
export const MAX_SEED = 0xffffffff;

/** The seed itself, or a one-line error when it is not a 32-bit seed. */
export function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new RobustartError(`seed ${seed} is not a 32-bit seed; pass an integer from 0 to ${MAX_SEED}`);
  return seed;
}

/** A generator for one sample, independent of batch order: the same (seed, key) always gives the same stream. */
export function rngFor(seed: number, ...keys: number[]): Rng {
  let h = seed >>> 0;
  for (const k of keys) h = Math.imul(h ^ (k >>> 0), 0x9e3779b1) ^ (h >>> 15);
  return new Rng(h >>> 0);
}

/** Stable 32-bit hash of a string (FNV-1a), to key per-sample streams by sample id. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
