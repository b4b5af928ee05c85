/**
 * The files the digest chart needs at run time: resvg's WebAssembly build
 * (it has no native binary, so one build runs on the machine and on arm64
 * Lambda) and a TrueType font (the WebAssembly renderer sees no system fonts,
 * and Lambda has none). The single process reads them from node_modules; the
 * digest function's bundle carries copies beside `index.mjs` (see
 * infra/lib/handlerFunction.ts), under the names below.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ChartAssets } from '../chat/core/digestChart.js';

/** Bundle file name → the package file it is copied from. */
export const CHART_ASSET_FILES = {
  wasm: { name: 'resvg.wasm', source: '@resvg/resvg-wasm/index_bg.wasm' },
  // DejaVu Sans: a free licence (Bitstream Vera), and glyphs for every Latin, Greek and Cyrillic name.
  font: { name: 'DejaVuSans.ttf', source: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf' },
} as const;

/** Reads the assets from `dir` (a bundle's folder), or from node_modules when no folder is given. */
export function chartAssets(dir?: string): ChartAssets {
  const locate = (file: { name: string; source: string }) =>
    dir ? path.join(dir, file.name) : createRequire(import.meta.url).resolve(file.source);
  return {
    wasm: () => readFile(locate(CHART_ASSET_FILES.wasm)),
    font: async () => new Uint8Array(await readFile(locate(CHART_ASSET_FILES.font))),
  };
}
