// A fast random stream for the per-pixel draws of the corruptions, seeded from the Rng passed in (so every
// draw still derives from the caller's seed). Same generator family as Rng (xoshiro128**), but its state lives
// in an Int32Array: Rng keeps uint32 state in object fields, which V8 boxes as heap numbers on every step,
// costing ~25 ns a draw; here a draw is a few ns. Used for the bulk fills of noise fields and pixel shuffles.
import type { Rng } from '../../util/rng.js';

const TWO_POW_32 = 4294967296;

export class RandomStream {
  private readonly state = new Int32Array(4);
  private spare = NaN;

  constructor(rng: Rng) {
    for (let i = 0; i < 4; i++) this.state[i] = rng.nextUint32() | 0;
    if ((this.state[0] | this.state[1] | this.state[2] | this.state[3]) === 0) this.state[0] = 1;
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

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.nextUint32() / TWO_POW_32) * n);
  }

  /** Standard normal (Marsaglia polar method, both values of each pair used). */
  normal(): number {
    if (this.spare === this.spare) {
      const v = this.spare;
      this.spare = NaN;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return u * m;
  }

  /** Fills `out` with N(mean, std) draws (generator state kept in locals through the loop). */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    const st = this.state;
    let s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
    let i = 0;
    if (this.spare === this.spare && out.length > 0) {
      out[i++] = mean + std * this.spare;
      this.spare = NaN;
    }
    while (i < out.length) {
      let u: number, v: number, q: number;
      do {
        let x = Math.imul(s1, 5);
        let r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        let t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        u = (2 * r) / TWO_POW_32 - 1;
        x = Math.imul(s1, 5);
        r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        v = (2 * r) / TWO_POW_32 - 1;
        q = u * u + v * v;
      } while (q >= 1 || q === 0);
      const m = Math.sqrt((-2 * Math.log(q)) / q);
      out[i++] = mean + std * u * m;
      if (i < out.length) out[i++] = mean + std * v * m;
      else this.spare = v * m;
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
    return out;
  }

  /** Fills `out` with U[low, high) draws (generator state kept in locals through the loop). */
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

  /** Fills `out` with uniform integers in [0, n) (n <= 2^32), floor(u * n) of 32-bit uniforms like int(). */
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
}
