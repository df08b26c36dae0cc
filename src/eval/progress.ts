// A one-line progress bar with rate and ETA for TTYs; silent elsewhere.

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly label: string;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** `unit` names what `done` counts (images by default; a study counts cells, with fractions for the current one). */
export function progressBar(stream: NodeJS.WriteStream = process.stderr, unit = 'img'): ((p: Progress) => void) & { end(): void } {
  const start = Date.now();
  let lastDraw = 0;
  let drawn = false;
  const draw = (p: Progress) => {
    const t = Date.now();
    if (!stream.isTTY || (t - lastDraw < 100 && p.done < p.total)) return;
    lastDraw = t;
    const elapsed = (t - start) / 1000;
    const rate = p.done / Math.max(elapsed, 1e-3);
    const eta = (p.total - p.done) / rate;
    const width = 28;
    const filled = p.total ? Math.round((width * p.done) / p.total) : width;
    const line = `${p.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Number.isInteger(p.done) ? p.done : p.done.toFixed(1)}/${p.total} ${rate.toFixed(rate < 0.1 ? 3 : 1)} ${unit}/s ETA ${formatDuration(eta)}`;
    stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}\x1b[K`);
    drawn = true;
  };
  return Object.assign(draw, {
    end() {
      if (drawn) stream.write('\n');
    },
  });
}
