// FFmpeg's own decoders (mjpeg with its IDCT choice, its PNG decoder) and swscale's YUV -> RGB conversion with
// chroma upsampling, run as a child process (Debian package ffmpeg). Variants pick the IDCT: auto (FFmpeg's default,
// the simple integer IDCT), int (the JPEG reference integer IDCT) and faani (floating-point AAN).
import type { Decoder } from '../../../data/seams.js';
import { parsePnm, requireFormat, runBinary } from './common.js';

export type FfmpegIdct = 'auto' | 'int' | 'faani';

export function ffmpegDecoder(idct: FfmpegIdct = 'auto'): Decoder {
  const name = idct === 'auto' ? 'ffmpeg' : `ffmpeg-idct-${idct}`;
  const binary = process.env.ROBUSTART_FFMPEG ?? 'ffmpeg';
  return {
    name,
    async decode(bytes) {
      const format = requireFormat(name, bytes, ['jpeg', 'png']);
      const args = [
        '-hide_banner', '-loglevel', 'error', '-nostdin',
        ...(idct === 'auto' ? [] : ['-idct', idct]),
        '-f', format === 'jpeg' ? 'jpeg_pipe' : 'png_pipe', '-i', 'pipe:0',
        '-frames:v', '1', '-pix_fmt', 'rgb24', '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1',
      ];
      const out = await runBinary(binary, args, bytes, `${name} decoder needs the ffmpeg binary (Debian: apt-get install ffmpeg) or ROBUSTART_FFMPEG=/path/to/ffmpeg`);
      return parsePnm(out);
    },
  };
}
