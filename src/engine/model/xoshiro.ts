// The engine's seeded PRNG (xoshiro128**, seeded through splitmix32): the same seed gives the same LoRA init and the same
// samples on every machine and in every browser.
export class Xoshiro128 {
  private s = new Uint32Array(4);

  /** `stream` picks one of a seed's independent sequences (0: the seed's own, as before streams existed). */
  constructor(seed: number, stream = 0) {
    const offset = Math.imul(stream >>> 0, 0x632be5ab) >>> 0; // 0 for stream 0
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = (x ^ offset) >>> 0;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Uniform in [0, 1) with 32 random bits. */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result / 2 ** 32;
  }
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
