/**
 * Draws the Teams app icons: a power symbol, white on the accent colour
 * (192×192 colour icon) and white on transparent (32×32 outline icon, which
 * Teams requires to be white on a transparent background). Generated rather
 * than hand-drawn so the icons can be re-made and reviewed as code.
 *
 *   npx tsx scripts/teamsIcons.ts [outDir]   (default: manifests/teams)
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

export const ACCENT = { hex: '#2B3A67', rgb: [0x2b, 0x3a, 0x67] as const };

/** Coverage (0..1) of the power symbol at a point in unit coordinates (-1..1, y down). */
function powerSymbolCoverage(x: number, y: number): number {
  const r = Math.hypot(x, y);
  const ringOuter = 0.62;
  const ringInner = 0.46;
  // The ring opens at the top: skip a wedge of ±35° around straight up.
  const angleFromTop = Math.abs(Math.atan2(x, -y));
  const inRing = r <= ringOuter && r >= ringInner && angleFromTop > (35 * Math.PI) / 180;
  const inBar = Math.abs(x) <= 0.08 && y >= -0.78 && y <= -0.1;
  return inRing || inBar ? 1 : 0;
}

/** Renders at `size`×`size` with 4×4 supersampling for smooth edges. */
export function drawIcon(size: number, background?: readonly [number, number, number]): PNG {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let covered = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 2 - 1;
          const y = ((py + (sy + 0.5) / samples) / size) * 2 - 1;
          covered += powerSymbolCoverage(x, y);
        }
      }
      const a = covered / (samples * samples);
      const i = (py * size + px) * 4;
      if (background) {
        // Opaque: blend white over the accent colour.
        for (let c = 0; c < 3; c++) png.data[i + c] = Math.round(background[c]! * (1 - a) + 255 * a);
        png.data[i + 3] = 255;
      } else {
        png.data[i] = 255;
        png.data[i + 1] = 255;
        png.data[i + 2] = 255;
        png.data[i + 3] = Math.round(255 * a);
      }
    }
  }
  return png;
}

export function writeIcons(outDir: string): void {
  writeFileSync(join(outDir, 'color.png'), PNG.sync.write(drawIcon(192, ACCENT.rgb)));
  writeFileSync(join(outDir, 'outline.png'), PNG.sync.write(drawIcon(32)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeIcons(process.argv[2] ?? 'manifests/teams');
}
