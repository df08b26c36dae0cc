// libjpeg-turbo's djpeg (Debian libjpeg-turbo-progs), the one decoder here that exposes libjpeg's options: IDCT
// method (-dct int = islow, fast = ifast, float) and chroma upsampling (fancy by default, -nosmooth = simple
// replication). Each option set is its own variant. JPEG only; gray output (PGM) is expanded to RGB; CMYK is
// converted by djpeg's PPM writer.
import type { Decoder } from '../../../data/seams.js';
import { parsePnm, requireFormat, runBinary } from './common.js';

export type DjpegIdct = 'islow' | 'ifast' | 'float';

const DCT_FLAG: Record<DjpegIdct, string> = { islow: 'int', ifast: 'fast', float: 'float' };

export function djpegDecoder(idct: DjpegIdct, fancyUpsampling = true): Decoder {
  const name = `djpeg-${idct}${fancyUpsampling ? '' : '-nosmooth'}`;
  const binary = process.env.ROBUSTART_DJPEG ?? 'djpeg';
  return {
    name,
    async decode(bytes) {
      requireFormat(name, bytes, ['jpeg']);
      const args = ['-dct', DCT_FLAG[idct], ...(fancyUpsampling ? [] : ['-nosmooth']), '-pnm'];
      const out = await runBinary(binary, args, bytes, `${name} decoder needs libjpeg-turbo's djpeg (Debian: apt-get install libjpeg-turbo-progs) or ROBUSTART_DJPEG=/path/to/djpeg`);
      return parsePnm(out);
    },
  };
}
